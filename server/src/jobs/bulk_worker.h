/* The bulk registration worker: a thread in every onshid with its own database connection.
 * It is woken by NOTIFY when a job is queued, claims jobs with FOR UPDATE SKIP LOCKED (so
 * any number of onshid processes can share the queue), and every few seconds also looks for
 * jobs whose worker died (their lease ran out) and for result files to delete. */
#ifndef ONSHI_JOBS_BULK_WORKER_H
#define ONSHI_JOBS_BULK_WORKER_H

struct db_options;

int bulk_worker_start(const struct db_options *opt);
/* Lets the job in hand finish, then joins the thread. */
void bulk_worker_stop(void);

#endif
