/* One claimed bulk registration job, start to end: every row checked with the rules of
 * single registration (core/account_draft.h), duplicates found (in the file, and against
 * every ID the institution has used), then in one transaction the rows registered
 * set-based, the result file sealed and the job finished, or nothing at all. */
#ifndef ONSHI_JOBS_BULK_PROCESS_H
#define ONSHI_JOBS_BULK_PROCESS_H

struct db;
struct bulk_claim;

/* 0 when the job ended (or another worker holds it now); -1 when the database failed and
 * the job stays claimed until its lease runs out. */
int bulk_process(struct db *db, const struct bulk_claim *job, const char *token);

#endif
