/* One claimed bulk registration job, start to end: every row checked with the rules of
 * single registration (core/account_draft.h), duplicates found (in the file, and against
 * every ID the institution has used), then in one transaction the rows registered
 * set-based, the result file sealed and the job finished, or nothing at all. */
#ifndef ONSHI_JOBS_BULK_PROCESS_H
#define ONSHI_JOBS_BULK_PROCESS_H

#include <stdbool.h>

struct db;
struct bulk_claim;

/* The duplicates among n rows, ids[i] the ユーザID of a row that passed the checks (NULL for
 * the others): a second or later row with an ID of the file, and IDs the institution has
 * used (deleted ones included), get duplicate[i] = true. Shared with POST
 * /api/v1/bulk-checks, so that the check and the job cannot disagree. 0, or a DB_ code. */
int bulk_find_duplicates(struct db *db, const char *institution, const char *const *ids, int n,
                         bool *duplicate);

/* 0 when the job ended (or another worker holds it now); -1 when the database failed and
 * the job stays claimed until its lease runs out. */
int bulk_process(struct db *db, const struct bulk_claim *job, const char *token);

#endif
