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
    PGresult *r;
    int rows = db_exec(db, STMT_ACCOUNT_INSERT, 8, p, &r);
    if (rows >= 0)
        PQclear(r);
    return rows;
}

static void text(char *dst, size_t size, const PGresult *r, int col)
{
    snprintf(dst, size, "%s", PQgetisnull(r, 0, col) ? "" : PQgetvalue(r, 0, col));
}

static bool flag(const PGresult *r, int col)
{
    return PQgetvalue(r, 0, col)[0] == 't';
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
    memset(out, 0, sizeof *out);
    text(out->user_id, sizeof out->user_id, r, 0);
    text(out->role, sizeof out->role, r, 1);
    out->name = strdup(PQgetvalue(r, 0, 2));
    out->name_kana = strdup(PQgetvalue(r, 0, 3));
    text(out->start_date, sizeof out->start_date, r, 4);
    text(out->end_date, sizeof out->end_date, r, 5);
    out->enabled = flag(r, 6);
    out->locked = flag(r, 7);
    out->password_is_initial = flag(r, 8);
    text(out->password_expires_at, sizeof out->password_expires_at, r, 9);
    text(out->last_login_at, sizeof out->last_login_at, r, 10);
    text(out->created_at, sizeof out->created_at, r, 11);
    text(out->updated_at, sizeof out->updated_at, r, 12);
    out->version = atol(PQgetvalue(r, 0, 13));
    out->password_expired = flag(r, 14);
    PQclear(r);
    if (!out->name || !out->name_kana) {
        account_row_free(out);
        return DB_HARD;
    }
    return 1;
}

void account_row_free(struct account_row *row)
{
    free(row->name);
    free(row->name_kana);
    row->name = row->name_kana = NULL;
}
