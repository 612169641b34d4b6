#include "store/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

int store_account_insert(struct db *db, const char *code, const char *user_id, const char *role,
                         const char *name, const char *name_kana, const char *start_date,
                         const char *end_date, const char *password_hash)
{
    const char *p[] = {code, user_id, role, name, name_kana, start_date, end_date, password_hash};
    return db_exec_command(db, STMT_ACCOUNT_INSERT, 8, p);
}

static void text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static bool flag(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

/* Reads ACCOUNT_COLUMNS starting at column c0 of row `row`. */
static int read_row(const PGresult *r, int row, int c0, struct account_row *out)
{
    memset(out, 0, sizeof *out);
    text(out->user_id, sizeof out->user_id, r, row, c0);
    text(out->role, sizeof out->role, r, row, c0 + 1);
    out->name = strdup(PQgetvalue(r, row, c0 + 2));
    out->name_kana = strdup(PQgetvalue(r, row, c0 + 3));
    text(out->start_date, sizeof out->start_date, r, row, c0 + 4);
    text(out->end_date, sizeof out->end_date, r, row, c0 + 5);
    out->enabled = flag(r, row, c0 + 6);
    out->locked = flag(r, row, c0 + 7);
    out->password_is_initial = flag(r, row, c0 + 8);
    text(out->password_expires_at, sizeof out->password_expires_at, r, row, c0 + 9);
    text(out->last_login_at, sizeof out->last_login_at, r, row, c0 + 10);
    text(out->created_at, sizeof out->created_at, r, row, c0 + 11);
    text(out->updated_at, sizeof out->updated_at, r, row, c0 + 12);
    out->version = db_int64(r, row, c0 + 13);
    out->password_expired = flag(r, row, c0 + 14);
    if (!out->name || !out->name_kana) {
        account_row_free(out);
        return DB_HARD;
    }
    return 1;
}

int store_account_get(struct db *db, const char *code, const char *user_id,
                      const struct account_policy *policy, struct account_row *out)
{
    char threshold[16], initial[16], expiry[16];
    snprintf(threshold, sizeof threshold, "%d", policy->lockout_threshold);
    snprintf(initial, sizeof initial, "%d", policy->initial_password_days);
    snprintf(expiry, sizeof expiry, "%d", policy->password_expiry_days);
    const char *p[] = {code, user_id, threshold, initial, expiry};
    PGresult *r;
    int rows = db_exec(db, STMT_ACCOUNT_GET, 5, p, &r);
    if (rows <= 0) {
        if (rows == 0)
            PQclear(r);
        return rows;
    }
    rows = read_row(r, 0, 0, out);
    PQclear(r);
    return rows;
}

void account_row_free(struct account_row *row)
{
    free(row->name);
    free(row->name_kana);
    row->name = row->name_kana = NULL;
}

static void int_text(char *buf, size_t len, int v)
{
    snprintf(buf, len, "%d", v);
}

int store_account_list(struct db *db, const char *code, const struct account_filter *f,
                       const struct account_policy *policy, struct account_row **rows, int *nrows,
                       long *total)
{
    char threshold[16], initial[16], expiry[16], limit[16], offset[16];
    int_text(threshold, sizeof threshold, policy->lockout_threshold);
    int_text(initial, sizeof initial, policy->initial_password_days);
    int_text(expiry, sizeof expiry, policy->password_expiry_days);
    int_text(limit, sizeof limit, f->limit);
    int_text(offset, sizeof offset, f->offset);
    const char *enabled = f->enabled < 0 ? NULL : f->enabled ? "true" : "false";
    const char *locked = f->locked < 0 ? NULL : f->locked ? "true" : "false";
    const char *p[] = {code,
                       f->roles,
                       f->user_id,
                       f->name,
                       f->name_kana,
                       enabled,
                       locked,
                       f->start_from,
                       f->end_until,
                       threshold,
                       initial,
                       expiry,
                       limit,
                       offset,
                       f->password_state,
                       f->password_expires_before,
                       f->last_login_before,
                       f->sort,
                       f->human_roles};
    PGresult *r;
    *rows = NULL;
    *nrows = 0;
    int n = db_exec(db, STMT_ACCOUNT_LIST, 19, p, &r);
    if (n < 0)
        return n;
    *total = n > 0 ? db_int64(r, 0, 0) : 0;
    int have = (n > 0 && !PQgetisnull(r, 0, 1)) ? n : 0;
    if (have > 0 && !(*rows = calloc((size_t)have, sizeof **rows))) {
        PQclear(r);
        return DB_HARD;
    }
    for (int i = 0; i < have; i++) {
        if (read_row(r, i, 1, &(*rows)[i]) < 0) {
            account_rows_free(*rows, i);
            *rows = NULL;
            PQclear(r);
            return DB_HARD;
        }
    }
    *nrows = have;
    PQclear(r);
    return 1;
}

void account_rows_free(struct account_row *rows, int n)
{
    for (int i = 0; i < n; i++)
        account_row_free(&rows[i]);
    free(rows);
}

int store_account_update(struct db *db, const char *code, const char *user_id,
                         const struct account_change *c)
{
    const char *p[] = {code,       user_id,       c->name,     c->name_kana,
                       c->enabled, c->start_date, c->end_date, c->version};
    return db_exec_command(db, STMT_ACCOUNT_UPDATE, 8, p);
}

int store_account_delete(struct db *db, const char *code, const char *user_id, const char *version)
{
    const char *p[] = {code, user_id, version};
    return db_exec_command(db, STMT_ACCOUNT_DELETE, 3, p);
}

int store_account_reset_password(struct db *db, const char *code, const char *user_id,
                                 const char *hash, int valid_days, char expires_at[32])
{
    char days[16];
    snprintf(days, sizeof days, "%d", valid_days);
    const char *p[] = {code, user_id, hash, days};
    PGresult *r;
    int rows = db_exec(db, STMT_ACCOUNT_RESET_PASSWORD, 4, p, &r);
    if (rows < 0)
        return rows;
    if (rows > 0)
        snprintf(expires_at, 32, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rows;
}
