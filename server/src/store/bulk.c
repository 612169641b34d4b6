#include "store/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/strbuf.h"

static const struct stmt_def stmts[] = {
    /* Bulk registration. A job is inserted only while none of the institution is active
     * (the partial unique index settles two at the same instant). */
    {STMT_BULK_INSERT, "bulk_insert",
     "INSERT INTO bulk_jobs (reception_number, institution_code, tier, uploaded_by, status, "
     "row_count, failure, rows, finished_at) "
     "SELECT to_char(now() AT TIME ZONE 'Asia/Tokyo', 'YYYYMMDDHH24MISSMS') || '_H' || "
     "lpad((nextval('bulk_reception_seq') % 10000000)::text, 7, '0'), $1, $2, $3, $4, "
     "$5::int, $6, $7::jsonb, CASE WHEN $4 = 'waiting' THEN NULL ELSE now() END "
     "WHERE NOT EXISTS (SELECT 1 FROM bulk_jobs WHERE institution_code = $1 "
     "AND status IN ('waiting', 'processing')) "
     "RETURNING reception_number, " SQL_TS("received_at"),
     7},
    {STMT_BULK_NOTIFY, "bulk_notify", "SELECT pg_notify('onshi_bulk_jobs', $1)", 1},
    /* The oldest waiting job, or one whose worker's lease ran out (its process died). */
    {STMT_BULK_CLAIM, "bulk_claim",
     "UPDATE bulk_jobs j SET status = 'processing', lease_token = $1, "
     "lease_until = now() + make_interval(secs => $2::int), attempts = attempts + 1 "
     "FROM institutions i WHERE i.institution_code = j.institution_code "
     "AND j.reception_number = (SELECT reception_number FROM bulk_jobs "
     "WHERE status = 'waiting' OR (status = 'processing' AND lease_until < now()) "
     "ORDER BY received_at FOR UPDATE SKIP LOCKED LIMIT 1) "
     "RETURNING j.reception_number, j.institution_code, j.tier, j.uploaded_by, "
     "j.rows::text, j.attempts, i.kind",
     2},
    {STMT_BULK_RENEW, "bulk_renew",
     "UPDATE bulk_jobs SET lease_until = now() + make_interval(secs => $3::int) "
     "WHERE reception_number = $1 AND lease_token = $2 "
     "AND status = 'processing'",
     3},
    /* Rows checked so far, while the worker still holds the job (a trigger announces it). */
    {STMT_BULK_PROGRESS, "bulk_progress",
     "UPDATE bulk_jobs SET processed_rows = $3::int "
     "WHERE reception_number = $1 AND lease_token = $2 "
     "AND status = 'processing'",
     3},
    /* In the registering transaction: the job is still this worker's. */
    {STMT_BULK_HOLD, "bulk_hold",
     "SELECT 1 FROM bulk_jobs WHERE reception_number = $1 AND "
     "status = 'processing' AND lease_token = $2 FOR UPDATE",
     2},
    /* IDs of the file (lower case) already used in the institution in any case, deleted ones
     * included (accounts_user_id_any_case). */
    {STMT_BULK_EXISTING, "bulk_existing",
     "SELECT lower(user_id) FROM accounts WHERE institution_code = $1 "
     "AND lower(user_id) = ANY ($2::text[])",
     2},
    {STMT_BULK_REGISTER, "bulk_register",
     "INSERT INTO accounts (institution_code, user_id, role, name, "
     "name_kana, start_date, end_date, password_hash) "
     "SELECT $1, user_id, role, name, name_kana, start_date, end_date, "
     "password_hash FROM bulk_staging WHERE reception_number = $2 "
     "ON CONFLICT DO NOTHING RETURNING user_id",
     2},
    {STMT_BULK_UNSTAGE, "bulk_unstage", "DELETE FROM bulk_staging WHERE reception_number = $1", 1},
    {STMT_BULK_FINISH, "bulk_finish",
     "UPDATE bulk_jobs SET status = $3, finished_at = now(), registered_count = $4::int, "
     "duplicate_count = $5::int, error_count = $6::int, failure = $7, result = $8::bytea, "
     "result_expires_at = CASE WHEN $8 IS NULL THEN NULL "
     "ELSE now() + make_interval(days => $9::int) END, rows = NULL, lease_token = NULL, "
     "lease_until = NULL WHERE reception_number = $1 AND lease_token = $2 "
     "RETURNING reception_number",
     9},
    /* A worker that stops gives its job back. */
    {STMT_BULK_RELEASE, "bulk_release",
     "UPDATE bulk_jobs SET status = 'waiting', lease_token = NULL, "
     "lease_until = NULL WHERE reception_number = $1 AND lease_token = $2",
     2},
    {STMT_BULK_PURGE, "bulk_purge",
     "UPDATE bulk_jobs SET result = NULL, result_expires_at = NULL "
     "WHERE result_expires_at < now()",
     0},
    /* The newest jobs of a tier (or one of them), as the result screen shows them. */
    {STMT_BULK_LIST, "bulk_list",
     "SELECT reception_number, status, " SQL_TS("received_at") ", " SQL_TS(
         "finished_at") ", row_count, registered_count, duplicate_count, "
                        "error_count, failure, result IS NOT NULL, "
                        /* a finished job went through every row */
                        "CASE WHEN finished_at IS NULL THEN "
                        "processed_rows ELSE row_count END "
                        "FROM bulk_jobs WHERE institution_code = $1 AND "
                        "tier = $2 AND ($3::text IS NULL OR "
                        "reception_number = $3) "
                        "ORDER BY received_at DESC LIMIT 3",
     3},
    {STMT_BULK_RESULT, "bulk_result",
     "SELECT status, result FROM bulk_jobs WHERE institution_code = $1 "
     "AND tier = $2 AND reception_number = $3",
     3},
};
STMT_TABLE(bulk_statements, stmts);

int store_bulk_insert(struct db *db, const char *code, const char *tier, const char *uploaded_by,
                      const char *status, int rows, const char *failure, const char *rows_json,
                      char reception_number[32], char received_at[32])
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, tier);
    param_text(&p, uploaded_by);
    param_text(&p, status);
    param_int(&p, rows);
    param_text(&p, failure);
    param_text(&p, rows_json);
    const struct col_out out[] = {{reception_number, 32}, {received_at, 32}};
    return db_row_texts(db, STMT_BULK_INSERT, &p, out, 2);
}

int store_bulk_notify(struct db *db, const char *reception_number)
{
    int n = db_command(db, STMT_BULK_NOTIFY, DB_TEXTS(reception_number));
    return n < 0 ? n : 1;
}

/* A statement on the job `token` holds, with one number (lease seconds, rows processed). */
static int held_job_command(struct db *db, enum stmt_id id, const char *reception_number,
                            const char *token, int number)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, reception_number);
    param_text(&p, token);
    param_int(&p, number);
    return db_command(db, id, &p);
}

int store_bulk_progress(struct db *db, const char *reception_number, const char *token,
                        int processed)
{
    return held_job_command(db, STMT_BULK_PROGRESS, reception_number, token, processed);
}

int store_bulk_listen(struct db *db)
{
    return db_exec_sql(db, "LISTEN onshi_bulk_jobs");
}

static int read_claim(const PGresult *r, void *p)
{
    struct bulk_claim *out = p;
    memset(out, 0, sizeof *out);
    col_copy(out->reception_number, sizeof out->reception_number, r, 0, 0);
    col_copy(out->institution, sizeof out->institution, r, 0, 1);
    col_copy(out->tier, sizeof out->tier, r, 0, 2);
    col_copy(out->uploaded_by, sizeof out->uploaded_by, r, 0, 3);
    out->rows_json = col_null(r, 0, 4) ? NULL : col_strdup(r, 0, 4);
    out->attempts = col_int(r, 0, 5);
    col_copy(out->institution_kind, sizeof out->institution_kind, r, 0, 6);
    return 1;
}

int store_bulk_claim(struct db *db, const char *token, int lease_seconds, struct bulk_claim *out)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, token);
    param_int(&p, lease_seconds);
    return db_row(db, STMT_BULK_CLAIM, &p, read_claim, out);
}

void bulk_claim_free(struct bulk_claim *c)
{
    free(c->rows_json);
    c->rows_json = NULL;
}

int store_bulk_renew(struct db *db, const char *reception_number, const char *token,
                     int lease_seconds)
{
    return held_job_command(db, STMT_BULK_RENEW, reception_number, token, lease_seconds);
}

int store_bulk_hold(struct db *db, const char *reception_number, const char *token)
{
    return db_command(db, STMT_BULK_HOLD, DB_TEXTS(reception_number, token));
}

/* The rows of a one-column result as a JSON array of strings. */
static int column_json(struct db *db, enum stmt_id id, const struct db_params *p, json_t **out)
{
    PGresult *r;
    int n = db_query(db, id, p, &r);
    *out = NULL;
    if (n < 0)
        return n; /* r is NULL */
    *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(*out, json_string(col_text(r, i, 0)));
    PQclear(r);
    return n;
}

int store_bulk_existing(struct db *db, const char *code, const char *ids, json_t **out)
{
    return column_json(db, STMT_BULK_EXISTING, DB_TEXTS(code, ids), out);
}

/* COPY's text format: backslash escapes for what would end a field or a row. */
static void copy_field(struct strbuf *sb, const char *s, bool last)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\':
            sb_puts(sb, "\\\\");
            break;
        case '\t':
            sb_puts(sb, "\\t");
            break;
        case '\n':
            sb_puts(sb, "\\n");
            break;
        case '\r':
            sb_puts(sb, "\\r");
            break;
        default:
            sb_append(sb, s, 1);
        }
    }
    sb_append(sb, last ? "\n" : "\t", 1);
}

int store_bulk_stage(struct db *db, const char *reception_number, const struct bulk_stage_row *rows,
                     int n)
{
    PGconn *conn = db_conn(db);
    if (!conn)
        return DB_SOFT;
    PGresult *r = PQexec(conn, "COPY bulk_staging (reception_number, user_id, role, name, "
                               "name_kana, start_date, end_date, password_hash) FROM STDIN");
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) {
        int status = db_classify(db, r, "bulk_stage COPY");
        PQclear(r);
        return status;
    }
    PQclear(r);
    struct strbuf sb = {0};
    for (int i = 0; i < n && ok; i++) {
        const struct bulk_stage_row *w = &rows[i];
        const char *cols[] = {reception_number, w->user_id,    w->role,     w->name,
                              w->name_kana,     w->start_date, w->end_date, w->password_hash};
        for (size_t c = 0; c < 8; c++)
            copy_field(&sb, cols[c], c == 7);
        /* Sent in pieces of about 64 KiB: one round trip's worth, not one per row. */
        if (sb.len >= 65536 || i == n - 1) {
            ok = PQputCopyData(conn, sb.data, (int)sb.len) == 1;
            sb.len = 0;
        }
    }
    sb_free(&sb);
    if (PQputCopyEnd(conn, ok ? NULL : "aborted") != 1)
        return DB_SOFT;
    int status = DB_SOFT;
    while ((r = PQgetResult(conn))) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            status = ok ? n : DB_SOFT;
        else
            status = db_classify(db, r, "bulk_stage COPY");
        PQclear(r);
    }
    return status;
}

int store_bulk_register(struct db *db, const char *code, const char *reception_number,
                        json_t **inserted)
{
    int n = column_json(db, STMT_BULK_REGISTER, DB_TEXTS(code, reception_number), inserted);
    if (n < 0)
        return n;
    int rc = db_command(db, STMT_BULK_UNSTAGE, DB_TEXTS(reception_number));
    return rc < 0 ? rc : n;
}

int store_bulk_finish(struct db *db, const char *reception_number, const char *token,
                      const struct bulk_outcome *o)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, reception_number);
    param_text(&p, token);
    param_text(&p, o->status);
    param_int(&p, o->registered);
    param_int(&p, o->duplicates);
    param_int(&p, o->errors);
    param_text(&p, o->failure);
    param_text(&p, o->result_hex);
    param_int(&p, o->result_days);
    return db_command(db, STMT_BULK_FINISH, &p);
}

int store_bulk_release(struct db *db, const char *reception_number, const char *token)
{
    return db_command(db, STMT_BULK_RELEASE, DB_TEXTS(reception_number, token));
}

int store_bulk_purge(struct db *db)
{
    return db_command(db, STMT_BULK_PURGE, NULL);
}

int store_bulk_list(struct db *db, const char *code, const char *tier, const char *reception_number,
                    json_t *items)
{
    PGresult *r;
    int n = db_query(db, STMT_BULK_LIST, DB_TEXTS(code, tier, reception_number), &r);
    for (int i = 0; i < n; i++) {
        json_t *o =
            json_pack("{s:s, s:s, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:o, s:b}", "reception_number",
                      col_text(r, i, 0), "status", col_text(r, i, 1), "received_at",
                      col_json_text(r, i, 2), "finished_at", col_json_text(r, i, 3), "rows",
                      col_int(r, i, 4), "processed_rows", col_int(r, i, 10), "registered",
                      col_int(r, i, 5), "duplicates", col_int(r, i, 6), "errors", col_int(r, i, 7),
                      "failure", col_json_text(r, i, 8), "has_result", col_bool(r, i, 9));
        json_array_append_new(items, o);
    }
    PQclear(r); /* NULL after an error */
    return n;
}

struct result_out {
    char *status;
    unsigned char **result;
    size_t *len;
};

static int read_result(const PGresult *r, void *p)
{
    struct result_out *o = p;
    col_copy(o->status, 32, r, 0, 0);
    if (col_null(r, 0, 1))
        return 1;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)col_text(r, 0, 1), o->len);
    if (raw && (*o->result = malloc(*o->len ? *o->len : 1)))
        memcpy(*o->result, raw, *o->len);
    PQfreemem(raw);
    return *o->result ? 1 : DB_HARD;
}

int store_bulk_result(struct db *db, const char *code, const char *tier,
                      const char *reception_number, char status[32], unsigned char **result,
                      size_t *len)
{
    *result = NULL;
    *len = 0;
    struct result_out o = {status, result, len};
    return db_row(db, STMT_BULK_RESULT, DB_TEXTS(code, tier, reception_number), read_result, &o);
}
