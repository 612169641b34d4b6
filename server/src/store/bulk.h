/* Bulk registration jobs (schema/0003_bulk_jobs.sql): queueing, claiming with a lease,
 * registering a job's rows set-based (COPY into bulk_staging, then INSERT … SELECT), and
 * the result files. */
#ifndef ONSHI_STORE_BULK_H
#define ONSHI_STORE_BULK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct db;

/* Queues a job (status "waiting", rows_json the data rows) or records one that failed at
 * upload ("failed_structure", with `failure`). 1 with the reception number and the time;
 * DB_NONE or DB_CONFLICT when a job of the institution is waiting or processing. */
int store_bulk_insert(struct db *db, const char *code, const char *tier, const char *uploaded_by,
                      const char *status, int rows, const char *failure, const char *rows_json,
                      char reception_number[32], char received_at[32]);
/* Wakes the workers of every onshid (delivered when the transaction commits). */
int store_bulk_notify(struct db *db, const char *reception_number);
/* LISTEN on the channel store_bulk_notify uses. */
int store_bulk_listen(struct db *db);

struct bulk_claim {
    char reception_number[32];
    char institution[11];
    char tier[8];
    char uploaded_by[17];
    char institution_kind[16];
    int attempts;
    char *rows_json; /* malloc'd */
};
/* Takes the oldest waiting job (or one whose lease ran out) for `lease_seconds` under
 * `token`. 1, or DB_NONE when there is none. */
int store_bulk_claim(struct db *db, const char *token, int lease_seconds, struct bulk_claim *out);
void bulk_claim_free(struct bulk_claim *c);
/* Extends the lease if `token` still holds the job: 1, else DB_NONE. */
int store_bulk_renew(struct db *db, const char *reception_number, const char *token,
                     int lease_seconds);
/* Records how many rows the worker holding the job has checked (1, or DB_NONE when it no
 * longer holds it); outside a transaction, so the event goes out at once. */
int store_bulk_progress(struct db *db, const char *reception_number, const char *token,
                        int processed);
/* Inside the registering transaction: locks the job if `token` still holds it (1). */
int store_bulk_hold(struct db *db, const char *reception_number, const char *token);
/* Which of `ids` (a text[] literal) the institution has used, deleted ones included: a
 * JSON array of strings in *out. */
int store_bulk_existing(struct db *db, const char *code, const char *ids, json_t **out);

struct bulk_stage_row {
    const char *user_id, *role, *name, *name_kana, *start_date, *end_date, *password_hash;
};
/* COPYs the rows into bulk_staging under the reception number. */
int store_bulk_stage(struct db *db, const char *reception_number, const struct bulk_stage_row *rows,
                     int n);
/* Moves the staged rows into accounts, skipping IDs taken meanwhile; the IDs inserted as a
 * JSON array in *inserted. Then empties the staging rows. */
int store_bulk_register(struct db *db, const char *code, const char *reception_number,
                        json_t **inserted);

struct bulk_outcome {
    const char *status;
    int registered, duplicates, errors;
    const char *failure;    /* NULL */
    const char *result_hex; /* '\x…' bytea literal of the sealed result file, or NULL */
    int result_days;        /* the result file is deleted after this many days */
};
/* Ends the job if `token` still holds it: 1, else DB_NONE. */
int store_bulk_finish(struct db *db, const char *reception_number, const char *token,
                      const struct bulk_outcome *o);
/* Gives a job back to the queue (a stopping worker). */
int store_bulk_release(struct db *db, const char *reception_number, const char *token);
/* Deletes result files whose initial passwords have expired. */
int store_bulk_purge(struct db *db);

/* The newest three jobs of a tier, or the one named (reception_number not NULL), as JSON
 * objects appended to `items`. */
int store_bulk_list(struct db *db, const char *code, const char *tier, const char *reception_number,
                    json_t *items);
/* A job's status and its sealed result file (malloc'd; NULL when there is none). 1, or
 * DB_NONE when the tier has no such job. */
int store_bulk_result(struct db *db, const char *code, const char *tier,
                      const char *reception_number, char status[32], unsigned char **result,
                      size_t *len);

#endif
