#include "store/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/strbuf.h"

int store_bulk_insert(struct db *db, const char *code, const char *tier, const char *uploaded_by,
                      const char *status, int rows, const char *failure, const char *rows_json,
                      char reception_number[32], char received_at[32])
{
    char count[16];
    snprintf(count, sizeof count, "%d", rows);
    const char *p[] = {code, tier, uploaded_by, status, count, failure, rows_json};
    PGresult *r;
    int n = db_exec(db, STMT_BULK_INSERT, 7, p, &r);
    if (n <= 0) {
        PQclear(r); /* NULL after an error; a result with no rows otherwise */
        return n;
    }
    snprintf(reception_number, 32, "%s", PQgetvalue(r, 0, 0));
    snprintf(received_at, 32, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return 1;
}

int store_bulk_notify(struct db *db, const char *reception_number)
{
    const char *p[] = {reception_number};
    int n = db_exec_command(db, STMT_BULK_NOTIFY, 1, p);
    return n < 0 ? n : 1;
}

int store_bulk_progress(struct db *db, const char *reception_number, const char *token,
                        int processed)
{
    char n[16];
    snprintf(n, sizeof n, "%d", processed);
    const char *p[] = {reception_number, token, n};
    return db_exec_command(db, STMT_BULK_PROGRESS, 3, p);
}

int store_bulk_listen(struct db *db)
{
    return db_exec_sql(db, "LISTEN onshi_bulk_jobs");
}

int store_bulk_claim(struct db *db, const char *token, int lease_seconds, struct bulk_claim *out)
{
    char lease[16];
    snprintf(lease, sizeof lease, "%d", lease_seconds);
    const char *p[] = {token, lease};
    PGresult *r;
    int n = db_exec(db, STMT_BULK_CLAIM, 2, p, &r);
    if (n <= 0) {
        PQclear(r); /* NULL after an error; a result with no rows otherwise */
        return n;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->reception_number, sizeof out->reception_number, "%s", PQgetvalue(r, 0, 0));
    snprintf(out->institution, sizeof out->institution, "%s", PQgetvalue(r, 0, 1));
    snprintf(out->tier, sizeof out->tier, "%s", PQgetvalue(r, 0, 2));
    snprintf(out->uploaded_by, sizeof out->uploaded_by, "%s", PQgetvalue(r, 0, 3));
    out->rows_json = PQgetisnull(r, 0, 4) ? NULL : strdup(PQgetvalue(r, 0, 4));
    out->attempts = db_int(r, 0, 5);
    snprintf(out->institution_kind, sizeof out->institution_kind, "%s", PQgetvalue(r, 0, 6));
    PQclear(r);
    return 1;
}

void bulk_claim_free(struct bulk_claim *c)
{
    free(c->rows_json);
    c->rows_json = NULL;
}

int store_bulk_renew(struct db *db, const char *reception_number, const char *token,
                     int lease_seconds)
{
    char lease[16];
    snprintf(lease, sizeof lease, "%d", lease_seconds);
    const char *p[] = {reception_number, token, lease};
    return db_exec_command(db, STMT_BULK_RENEW, 3, p);
}

int store_bulk_hold(struct db *db, const char *reception_number, const char *token)
{
    const char *p[] = {reception_number, token};
    return db_exec_command(db, STMT_BULK_HOLD, 2, p);
}

/* The rows of a one-column result as a JSON array of strings. */
static int column_json(struct db *db, enum stmt_id id, int nparams, const char *const *p,
                       json_t **out)
{
    PGresult *r;
    int n = db_exec(db, id, nparams, p, &r);
    *out = NULL;
    if (n < 0)
        return n; /* r is NULL */
    *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(*out, json_string(PQgetvalue(r, i, 0)));
    PQclear(r);
    return n;
}

int store_bulk_existing(struct db *db, const char *code, const char *ids, json_t **out)
{
    const char *p[] = {code, ids};
    return column_json(db, STMT_BULK_EXISTING, 2, p, out);
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
        int status = db_classify(db, r);
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
            status = db_classify(db, r);
        PQclear(r);
    }
    return status;
}

int store_bulk_register(struct db *db, const char *code, const char *reception_number,
                        json_t **inserted)
{
    const char *p[] = {code, reception_number};
    int n = column_json(db, STMT_BULK_REGISTER, 2, p, inserted);
    if (n < 0)
        return n;
    const char *u[] = {reception_number};
    int rc = db_exec_command(db, STMT_BULK_UNSTAGE, 1, u);
    return rc < 0 ? rc : n;
}

int store_bulk_finish(struct db *db, const char *reception_number, const char *token,
                      const struct bulk_outcome *o)
{
    char reg[16], dup[16], err[16], days[16];
    snprintf(reg, sizeof reg, "%d", o->registered);
    snprintf(dup, sizeof dup, "%d", o->duplicates);
    snprintf(err, sizeof err, "%d", o->errors);
    snprintf(days, sizeof days, "%d", o->result_days);
    const char *p[] = {reception_number, token,         o->status, reg, dup, err,
                       o->failure,       o->result_hex, days};
    return db_exec_command(db, STMT_BULK_FINISH, 9, p);
}

int store_bulk_release(struct db *db, const char *reception_number, const char *token)
{
    const char *p[] = {reception_number, token};
    return db_exec_command(db, STMT_BULK_RELEASE, 2, p);
}

int store_bulk_purge(struct db *db)
{
    return db_exec_command(db, STMT_BULK_PURGE, 0, NULL);
}

int store_bulk_list(struct db *db, const char *code, const char *tier, const char *reception_number,
                    json_t *items)
{
    const char *p[] = {code, tier, reception_number};
    PGresult *r;
    int n = db_exec(db, STMT_BULK_LIST, 3, p, &r);
    if (n <= 0) {
        PQclear(r); /* NULL after an error; a result with no rows otherwise */
        return n;
    }
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack(
            "{s:s, s:s, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:o, s:b}", "reception_number",
            PQgetvalue(r, i, 0), "status", PQgetvalue(r, i, 1), "received_at",
            db_text_or_null(r, i, 2), "finished_at", db_text_or_null(r, i, 3), "rows",
            db_int(r, i, 4), "processed_rows", db_int(r, i, 10), "registered", db_int(r, i, 5),
            "duplicates", db_int(r, i, 6), "errors", db_int(r, i, 7), "failure",
            db_text_or_null(r, i, 8), "has_result", PQgetvalue(r, i, 9)[0] == 't');
        json_array_append_new(items, o);
    }
    PQclear(r);
    return n;
}

int store_bulk_result(struct db *db, const char *code, const char *tier,
                      const char *reception_number, char status[32], unsigned char **result,
                      size_t *len)
{
    const char *p[] = {code, tier, reception_number};
    PGresult *r;
    *result = NULL;
    *len = 0;
    int n = db_exec(db, STMT_BULK_RESULT, 3, p, &r);
    if (n <= 0) {
        PQclear(r); /* NULL after an error; a result with no rows otherwise */
        return n;
    }
    snprintf(status, 32, "%s", PQgetvalue(r, 0, 0));
    if (!PQgetisnull(r, 0, 1)) {
        unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 1), len);
        if (raw && (*result = malloc(*len ? *len : 1)))
            memcpy(*result, raw, *len);
        PQfreemem(raw);
        if (!*result) {
            PQclear(r);
            return DB_HARD;
        }
    }
    PQclear(r);
    return 1;
}
