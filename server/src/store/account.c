#include "store/account.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* The columns of an account as the API shows it (read_row reads them in this order);
 * T, I, E: the parameter numbers of the lockout threshold, the initial password's validity
 * and the password expiry in days. */
#define PASSWORD_DUE(I, E)                                                                         \
    "password_set_at + make_interval(days => CASE WHEN password_is_initial THEN $" I               \
    "::int ELSE $" E "::int END)"
#define ACCOUNT_COLUMNS(T, I, E)                                                                   \
    "user_id, role, name, name_kana, start_date::text, end_date::text, enabled, "                  \
    "locked_at IS NOT NULL OR failed_logins >= $" T                                                \
    ", password_is_initial, " SQL_TS("(" PASSWORD_DUE(I, E) ")") ", " SQL_TS(                      \
        "last_login_at") ", " SQL_TS("created_at") ", " SQL_TS("updated_at") ", "                  \
                                                                             "version,"            \
                                                                             " " PASSWORD_DUE(     \
                                                                                 I, E) " < now()"

/* The order of an account list: the key named by parameter S (user_id, name_kana,
 * start_date, end_date, last_login_at; "-" first for descending; no sign-in last either
 * way), then the user ID, so that pages are stable. */
#define ACCOUNT_SORT(S)                                                                            \
    "CASE WHEN $" S "::text = 'name_kana' THEN name_kana END, "                                    \
    "CASE WHEN $" S "::text = '-name_kana' THEN name_kana END DESC, "                              \
    "CASE WHEN $" S "::text = 'start_date' THEN start_date END, "                                  \
    "CASE WHEN $" S "::text = '-start_date' THEN start_date END DESC, "                            \
    "CASE WHEN $" S "::text = 'end_date' THEN end_date END, "                                      \
    "CASE WHEN $" S "::text = '-end_date' THEN end_date END DESC, "                                \
    "CASE WHEN $" S "::text = 'last_login_at' THEN last_login_at END NULLS LAST, "                 \
    "CASE WHEN $" S "::text = '-last_login_at' THEN last_login_at END DESC NULLS LAST, "           \
    "CASE WHEN $" S "::text = '-user_id' THEN user_id END DESC, user_id"

static const struct stmt_def stmts[] = {
    {STMT_ACCOUNT_INSERT, "account_insert",
     "INSERT INTO accounts (institution_code, user_id, role, name, "
     "name_kana, start_date, end_date, password_hash, "
     "password_is_initial) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)",
     8},
    /* The account as the API shows it; a deleted account is a tombstone, not shown. */
    {STMT_ACCOUNT_GET, "account_get",
     "SELECT " ACCOUNT_COLUMNS(
         "3", "4", "5") " FROM accounts "
                        "WHERE institution_code = $1 AND user_id = $2 AND deleted_at IS NULL",
     5},
    /* One page and the total in one round trip; a page past the end still gives the total
     * (one row whose account columns are NULL). Partial matches use strpos, so % and _ in a
     * search are plain characters. $15 the password state as account_json names it; $16 a
     * password due before that Japanese day (passwords that never expire, the chosen ones of
     * kinds outside $19, excluded); $17 dormant since that day (last sign-in before it, or
     * never signed in and created before it); $18 the sort key, user_id breaking ties. */
    {STMT_ACCOUNT_LIST, "account_list",
     "WITH b AS (SELECT *, password_set_at + make_interval(days => CASE WHEN "
     "password_is_initial THEN $11::int ELSE $12::int END) AS password_due FROM accounts "
     "WHERE institution_code = $1 AND deleted_at IS NULL AND role = ANY($2::text[])), "
     "m AS (SELECT * FROM b WHERE ($3::text IS NULL OR strpos(lower(user_id), lower($3)) > 0) "
     "AND ($4::text IS NULL OR strpos(name, $4) > 0) "
     "AND ($5::text IS NULL OR strpos(name_kana, $5) > 0) "
     "AND ($6::boolean IS NULL OR enabled = $6) "
     "AND ($7::boolean IS NULL OR (locked_at IS NOT NULL OR failed_logins >= $10) = $7) "
     "AND ($8::date IS NULL OR start_date >= $8) AND ($9::date IS NULL OR end_date <= $9) "
     "AND ($15::text IS NULL OR CASE WHEN password_is_initial THEN 'initial' "
     "WHEN password_due < now() THEN 'expired' ELSE 'active' END = $15) "
     "AND ($16::date IS NULL OR ((password_is_initial OR role = ANY($19::text[])) "
     "AND password_due < $16::date::timestamp AT TIME ZONE 'Asia/Tokyo')) "
     "AND ($17::date IS NULL OR "
     "coalesce(last_login_at, created_at) < $17::date::timestamp AT TIME ZONE 'Asia/Tokyo')) "
     "SELECT (SELECT count(*) FROM m), p.* FROM (SELECT 1) one LEFT JOIN LATERAL "
     "(SELECT " ACCOUNT_COLUMNS("10", "11", "12") " FROM m ORDER BY " ACCOUNT_SORT(
         "18") " LIMIT $13 OFFSET $14) p ON true",
     19},
    /* NULL leaves a field as it is; the version guards against lost updates. */
    {STMT_ACCOUNT_UPDATE, "account_update",
     "UPDATE accounts SET name = coalesce($3, name), name_kana = coalesce($4, name_kana), "
     "enabled = coalesce($5::boolean, enabled), start_date = coalesce($6::date, start_date), "
     "end_date = coalesce($7::date, end_date), updated_at = now(), version = version + 1 "
     "WHERE institution_code = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $8 "
     "AND coalesce($7::date, end_date) >= coalesce($6::date, start_date) RETURNING version",
     8},
    /* A tombstone: the ID stays taken forever. $3: the version, or NULL for any. */
    {STMT_ACCOUNT_DELETE, "account_delete",
     "UPDATE accounts SET deleted_at = now(), enabled = false, "
     "updated_at = now(), version = version + 1 "
     "WHERE institution_code = $1 AND user_id = $2 "
     "AND deleted_at IS NULL AND ($3::int IS NULL OR version = $3) "
     "RETURNING user_id",
     3},
    /* Initialisation by the manager: a new initial password, and the lock cleared. */
    {STMT_ACCOUNT_RESET_PASSWORD, "account_reset_password",
     "UPDATE accounts SET password_hash = $3, password_is_initial = true, "
     "password_set_at = now(), failed_logins = 0, locked_at = NULL, updated_at = now(), "
     "version = version + 1 WHERE institution_code = $1 AND user_id = $2 "
     "AND deleted_at IS NULL RETURNING " SQL_TS(
         "(password_set_at + make_interval(days => $4::int))"),
     4},
};
STMT_TABLE(account_statements, stmts);

/* Reads ACCOUNT_COLUMNS starting at column c0 of row `row`. */
static int read_row(const PGresult *r, int row, int c0, struct account_row *out)
{
    memset(out, 0, sizeof *out);
    col_copy(out->user_id, sizeof out->user_id, r, row, c0);
    col_copy(out->role, sizeof out->role, r, row, c0 + 1);
    out->name = col_strdup(r, row, c0 + 2);
    out->name_kana = col_strdup(r, row, c0 + 3);
    col_copy(out->start_date, sizeof out->start_date, r, row, c0 + 4);
    col_copy(out->end_date, sizeof out->end_date, r, row, c0 + 5);
    out->enabled = col_bool(r, row, c0 + 6);
    out->locked = col_bool(r, row, c0 + 7);
    out->password_is_initial = col_bool(r, row, c0 + 8);
    col_copy(out->password_expires_at, sizeof out->password_expires_at, r, row, c0 + 9);
    col_copy(out->last_login_at, sizeof out->last_login_at, r, row, c0 + 10);
    col_copy(out->created_at, sizeof out->created_at, r, row, c0 + 11);
    col_copy(out->updated_at, sizeof out->updated_at, r, row, c0 + 12);
    out->version = col_int64(r, row, c0 + 13);
    out->password_expired = col_bool(r, row, c0 + 14);
    if (!out->name || !out->name_kana) {
        account_row_free(out);
        return DB_HARD;
    }
    return 1;
}

static int read_account(const PGresult *r, void *out)
{
    return read_row(r, 0, 0, out);
}

/* The policy's numbers, in the order ACCOUNT_COLUMNS takes them. */
static void param_policy(struct db_params *p, const struct account_policy *policy)
{
    param_int(p, policy->lockout_threshold);
    param_int(p, policy->initial_password_days);
    param_int(p, policy->password_expiry_days);
}

int store_account_insert(struct db *db, const char *code, const char *user_id, const char *role,
                         const char *name, const char *name_kana, const char *start_date,
                         const char *end_date, const char *password_hash)
{
    return db_command(
        db, STMT_ACCOUNT_INSERT,
        DB_TEXTS(code, user_id, role, name, name_kana, start_date, end_date, password_hash));
}

int store_account_get(struct db *db, const char *code, const char *user_id,
                      const struct account_policy *policy, struct account_row *out)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, user_id);
    param_policy(&p, policy);
    return db_row(db, STMT_ACCOUNT_GET, &p, read_account, out);
}

void account_row_free(struct account_row *row)
{
    free(row->name);
    free(row->name_kana);
    row->name = row->name_kana = NULL;
}

int store_account_list(struct db *db, const char *code, const struct account_filter *f,
                       const struct account_policy *policy, struct account_row **rows, int *nrows,
                       long *total)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, f->roles);
    param_text(&p, f->user_id);
    param_text(&p, f->name);
    param_text(&p, f->name_kana);
    param_bool_or_null(&p, f->enabled);
    param_bool_or_null(&p, f->locked);
    param_text(&p, f->start_from);
    param_text(&p, f->end_until);
    param_policy(&p, policy);
    param_int(&p, f->limit);
    param_int(&p, f->offset);
    param_text(&p, f->password_state);
    param_text(&p, f->password_expires_before);
    param_text(&p, f->last_login_before);
    param_text(&p, f->sort);
    param_text(&p, f->human_roles);
    PGresult *r;
    *rows = NULL;
    *nrows = 0;
    int n = db_query(db, STMT_ACCOUNT_LIST, &p, &r);
    if (n < 0)
        return n;
    *total = n > 0 ? col_int64(r, 0, 0) : 0;
    int have = (n > 0 && !col_null(r, 0, 1)) ? n : 0;
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
    return db_command(db, STMT_ACCOUNT_UPDATE,
                      DB_TEXTS(code, user_id, c->name, c->name_kana, c->enabled, c->start_date,
                               c->end_date, c->version));
}

int store_account_delete(struct db *db, const char *code, const char *user_id, const char *version)
{
    return db_command(db, STMT_ACCOUNT_DELETE, DB_TEXTS(code, user_id, version));
}

int store_account_reset_password(struct db *db, const char *code, const char *user_id,
                                 const char *hash, int valid_days, char expires_at[32])
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, user_id);
    param_text(&p, hash);
    param_int(&p, valid_days);
    return db_row_texts(db, STMT_ACCOUNT_RESET_PASSWORD, &p, &(struct col_out){expires_at, 32}, 1);
}
