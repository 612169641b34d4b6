/* The reader-bridge thread of a site installation (reader_bridge_institution): its own PC/SC
 * context and database connection, following readers and cards through reader/bridge.c,
 * running the card qualification check as the reader's bound face_reader account, and
 * writing what it sees to the database so that any onshid can list the readers. */
#ifndef ONSHI_JOBS_READER_BRIDGE_H
#define ONSHI_JOBS_READER_BRIDGE_H

struct db_options;

int reader_bridge_start(const struct db_options *opt, const char *institution_code);
/* Stops the thread; waits at most 1.5 s (a read in progress on a mute card may take longer:
 * it is left to end with the process). */
void reader_bridge_stop(void);

#endif
