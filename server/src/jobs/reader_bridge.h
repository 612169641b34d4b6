/* The reader-bridge thread of a site installation (reader_bridge_institution): its own PC/SC
 * context and database connection, following readers and cards through reader/bridge.c,
 * running the card qualification check as the reader's bound face_reader account, and
 * writing what it sees to the database so that any onshid can list the readers. */
#ifndef ONSHI_JOBS_READER_BRIDGE_H
#define ONSHI_JOBS_READER_BRIDGE_H

struct db_options;

int reader_bridge_start(const struct db_options *opt, const char *institution_code);
/* Stops the thread promptly: the wait is cancelled and a card read in progress given up. */
void reader_bridge_stop(void);

#endif
