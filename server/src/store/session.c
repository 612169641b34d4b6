#include "store/session.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static const struct stmt_def stmts[] = {
    /* Dates of the usage period are Japanese calendar days. */
    {STMT_SIGNIN_ACCOUNT, "signin_account",
     "SELECT a.role, a.password_hash, a.password_is_initial, "
     "a.enabled AND a.deleted_at IS NULL AND (now() AT TIME ZONE 'Asia/Tokyo')::date "
     "BETWEEN a.start_date AND a.end_date, a.locked_at IS NOT NULL, "
     "extract(epoch FROM now() - a.password_set_at)::bigint, i.kind "
     "FROM accounts a JOIN institutions i USING (institution_code) "
     "WHERE a.institution_code = $1 AND a.user_id = $2",
     2},
    /* Every password check first takes one of the lockout_threshold attempts (row lock +
     * re-checked WHERE), so parallel guesses can never get more checks than the threshold;
     * success gives them back. One row while the account exists: whether an attempt was
     * taken, and whether it is locked (read from the statement's snapshot: a lock committed
     * while the update waited for the row shows at the next try), so that a sign-in finding
     * every attempt taken by checks in flight can wait for one. */
    {STMT_SIGNIN_RESERVE, "signin_reserve",
     "WITH taken AS (UPDATE accounts SET failed_logins = failed_logins + 1 "
     "WHERE institution_code = $1 AND user_id = $2 AND locked_at IS NULL "
     "AND failed_logins < $3 RETURNING failed_logins) "
     "SELECT EXISTS (SELECT 1 FROM taken), locked_at IS NOT NULL FROM accounts "
     "WHERE institution_code = $1 AND user_id = $2",
     3},
    /* After a wrong password: lock once the attempts are used up. */
    {STMT_SIGNIN_FAILED, "signin_failed",
     "UPDATE accounts SET locked_at = now() "
     "WHERE institution_code = $1 AND user_id = $2 AND locked_at IS NULL "
     "AND failed_logins >= $3 RETURNING true",
     3},
    /* No row: locked meanwhile, or the password changed since it was checked. */
    {STMT_SIGNIN_SUCCEEDED, "signin_succeeded",
     "UPDATE accounts SET failed_logins = 0, last_login_at = now(), "
     "password_hash = COALESCE($4, password_hash) "
     "WHERE institution_code = $1 AND user_id = $2 "
     "AND locked_at IS NULL AND password_hash = $3 RETURNING user_id",
     4},
    /* A correct password that did not lead to a sign-in gives its attempt back. */
    {STMT_ATTEMPTS_RELEASE, "attempts_release",
     "UPDATE accounts SET failed_logins = 0 "
     "WHERE institution_code = $1 AND user_id = $2 "
     "AND locked_at IS NULL AND password_hash = $3 RETURNING user_id",
     3},
    /* A check never made (its client left first): the one attempt it took goes back. */
    {STMT_SIGNIN_UNRESERVE, "signin_unreserve",
     "UPDATE accounts SET failed_logins = failed_logins - 1 "
     "WHERE institution_code = $1 AND user_id = $2 "
     "AND locked_at IS NULL AND failed_logins > 0 RETURNING user_id",
     2},
    {STMT_SESSION_INSERT, "session_insert",
     "INSERT INTO sessions (institution_code, secret_hash, user_id, "
     "kind, csrf_hash, expires_at, source) VALUES ($1, $2::bytea, $3, "
     "$4, $5::bytea, now() + make_interval(secs => $6::int), $7) "
     "RETURNING to_char(expires_at AT TIME ZONE 'UTC', "
     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
     7},
    /* A session is alive while unexpired, not idle too long, and its account may still sign
     * in (a lock alone does not end sessions: anyone can lock an account by guessing); the
     * touch keeps last_seen_at fresh without a write per request: at most one a minute, and
     * at least every quarter of the idle timeout, so a request made in the second half of the
     * idle time (the console's 「ログインを続ける」) always moves the idle end on. */
    {STMT_SESSION_LOOKUP, "session_lookup",
     "WITH s AS (SELECT s.user_id, s.kind, s.csrf_hash, s.last_seen_at, s.expires_at "
     "FROM sessions s JOIN accounts a USING (institution_code, user_id) "
     "WHERE s.institution_code = $1 AND s.secret_hash = $2::bytea AND s.expires_at > now() "
     "AND (s.kind = 'token' OR s.last_seen_at > now() - make_interval(secs => $3::int)) "
     "AND a.enabled AND a.deleted_at IS NULL "
     "AND (now() AT TIME ZONE 'Asia/Tokyo')::date BETWEEN a.start_date AND a.end_date), "
     "touch AS (UPDATE sessions SET last_seen_at = now() WHERE institution_code = $1 "
     "AND secret_hash = $2::bytea "
     "AND last_seen_at < now() - make_interval(secs => least(60, $3::int / 4)) "
     "AND EXISTS (SELECT 1 FROM s) RETURNING last_seen_at) "
     "SELECT s.user_id, s.kind, s.csrf_hash = $4::bytea, a.role, a.password_is_initial, "
     "extract(epoch FROM now() - a.password_set_at)::bigint, a.name, i.kind, "
     "i.start_date > (now() AT TIME ZONE 'Asia/Tokyo')::date, i.name, a.name_kana, "
     "to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
     /* the idle end as this request's touch leaves last_seen_at; tokens have none */
     "to_char(CASE WHEN s.kind = 'cookie' THEN coalesce((SELECT last_seen_at FROM touch), "
     "s.last_seen_at) + make_interval(secs => $3::int) END AT TIME ZONE 'UTC', "
     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
     "FROM s JOIN accounts a ON a.institution_code = $1 AND a.user_id = s.user_id "
     "JOIN institutions i ON i.institution_code = $1",
     4},
    {STMT_SESSION_DELETE, "session_delete",
     "DELETE FROM sessions WHERE institution_code = $1 "
     "AND secret_hash = $2::bytea",
     2},
    /* Row 0: the current hash, whether it is an initial one and its age; then the chosen
     * passwords from the history, newest first (the current one included when chosen). */
    {STMT_PASSWORD_STATE, "password_state",
     "(SELECT 0, password_hash, password_set_at, password_is_initial, "
     "extract(epoch FROM now() - password_set_at)::bigint FROM accounts "
     "WHERE institution_code = $1 AND user_id = $2) UNION ALL "
     "(SELECT 1, password_hash, set_at, false, 0 FROM password_history "
     "WHERE institution_code = $1 AND user_id = $2 "
     "ORDER BY set_at DESC LIMIT $3::int) ORDER BY 1, 3 DESC",
     3},
    /* Only if the hash is still the one the check was made against. */
    {STMT_PASSWORD_SET, "password_set",
     "UPDATE accounts SET password_hash = $4, password_is_initial = false, "
     "password_set_at = now(), failed_logins = 0, updated_at = now(), "
     "version = version + 1 WHERE institution_code = $1 AND user_id = $2 "
     "AND password_hash = $3 AND locked_at IS NULL AND enabled "
     "AND deleted_at IS NULL RETURNING user_id",
     4},
    {STMT_PASSWORD_HISTORY_INSERT, "password_history_insert",
     "INSERT INTO password_history (institution_code, user_id, "
     "password_hash) VALUES ($1, $2, $3)",
     3},
    {STMT_SESSIONS_DELETE_ALL, "sessions_delete_all",
     "DELETE FROM sessions WHERE institution_code = $1 AND "
     "user_id = $2",
     2},
};
STMT_TABLE(session_statements, stmts);

static int read_signin(const PGresult *r, void *p)
{
    struct signin_account *out = p;
    col_copy(out->role, sizeof out->role, r, 0, 0);
    out->password_hash = col_strdup(r, 0, 1);
    out->password_is_initial = col_bool(r, 0, 2);
    out->may_sign_in = col_bool(r, 0, 3);
    out->locked = col_bool(r, 0, 4);
    out->password_age_seconds = col_int64(r, 0, 5);
    col_copy(out->institution_kind, sizeof out->institution_kind, r, 0, 6);
    return out->password_hash ? 1 : DB_HARD;
}

int store_signin_account(struct db *db, const char *code, const char *user_id,
                         struct signin_account *out)
{
    return db_row(db, STMT_SIGNIN_ACCOUNT, DB_TEXTS(code, user_id), read_signin, out);
}

/* code, user_id and the lockout threshold. */
static int by_threshold(struct db *db, enum stmt_id id, const char *code, const char *user_id,
                        int threshold, PGresult **r)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, user_id);
    param_int(&p, threshold);
    return db_query(db, id, &p, r);
}

int store_signin_try_reserve(struct db *db, const char *code, const char *user_id, int threshold,
                             bool *locked)
{
    PGresult *r;
    int rows = by_threshold(db, STMT_SIGNIN_RESERVE, code, user_id, threshold, &r);
    bool taken = rows > 0 && col_bool(r, 0, 0);
    if (locked)
        *locked = rows <= 0 || col_bool(r, 0, 1); /* an account gone is as good as locked */
    PQclear(r);
    return rows < 0 ? rows : taken ? 1 : DB_NONE;
}

int store_signin_reserve(struct db *db, const char *code, const char *user_id, int threshold)
{
    return store_signin_try_reserve(db, code, user_id, threshold, NULL);
}

int store_attempts_release(struct db *db, const char *code, const char *user_id,
                           const char *checked_hash)
{
    return db_command(db, STMT_ATTEMPTS_RELEASE, DB_TEXTS(code, user_id, checked_hash));
}

int store_signin_unreserve(struct db *db, const char *code, const char *user_id)
{
    return db_command(db, STMT_SIGNIN_UNRESERVE, DB_TEXTS(code, user_id));
}

int store_signin_failed(struct db *db, const char *code, const char *user_id, int threshold,
                        bool *now_locked)
{
    PGresult *r;
    int rows = by_threshold(db, STMT_SIGNIN_FAILED, code, user_id, threshold, &r);
    if (rows >= 0)
        *now_locked = rows > 0 && col_bool(r, 0, 0);
    PQclear(r);
    return rows;
}

int store_signin_succeeded(struct db *db, const char *code, const char *user_id,
                           const char *checked_hash, const char *rehashed)
{
    return db_command(db, STMT_SIGNIN_SUCCEEDED, DB_TEXTS(code, user_id, checked_hash, rehashed));
}

int store_session_insert(struct db *db, const char *code, const char *digest, const char *user_id,
                         bool cookie, const char *csrf_digest, int lifetime_seconds,
                         const char *source, char expires[32])
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, digest);
    param_text(&p, user_id);
    param_text(&p, cookie ? "cookie" : "token");
    param_text(&p, csrf_digest);
    param_int(&p, lifetime_seconds);
    param_text(&p, source);
    return db_row_texts(db, STMT_SESSION_INSERT, &p, &(struct col_out){expires, 32}, 1);
}

static int read_session(const PGresult *r, void *p)
{
    struct session_view *out = p;
    memset(out, 0, sizeof *out);
    col_copy(out->user_id, sizeof out->user_id, r, 0, 0);
    out->cookie = strcmp(col_text(r, 0, 1), "cookie") == 0;
    out->csrf_ok = col_bool(r, 0, 2);
    col_copy(out->role, sizeof out->role, r, 0, 3);
    out->password_is_initial = col_bool(r, 0, 4);
    out->password_age_seconds = col_int64(r, 0, 5);
    out->name = col_strdup(r, 0, 6);
    col_copy(out->institution_kind, sizeof out->institution_kind, r, 0, 7);
    out->institution_not_started = col_bool(r, 0, 8);
    out->institution_name = col_strdup(r, 0, 9);
    out->name_kana = col_strdup(r, 0, 10);
    col_copy(out->expires_at, sizeof out->expires_at, r, 0, 11);
    col_copy(out->idle_expires_at, sizeof out->idle_expires_at, r, 0, 12);
    if (!out->name || !out->institution_name || !out->name_kana) {
        session_view_free(out);
        return DB_HARD;
    }
    return 1;
}

int store_session_lookup(struct db *db, const char *code, const char *digest, int idle_seconds,
                         const char *csrf_digest, struct session_view *out)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, digest);
    param_int(&p, idle_seconds);
    param_text(&p, csrf_digest);
    return db_row(db, STMT_SESSION_LOOKUP, &p, read_session, out);
}

void session_view_free(struct session_view *v)
{
    free(v->name);
    free(v->name_kana);
    free(v->institution_name);
    v->name = v->name_kana = v->institution_name = NULL;
}

int store_session_delete(struct db *db, const char *code, const char *digest)
{
    return db_command(db, STMT_SESSION_DELETE, DB_TEXTS(code, digest));
}

int store_password_state(struct db *db, const char *code, const char *user_id, int history,
                         struct password_state *out)
{
    if (history < 0 || history > PASSWORD_HISTORY_MAX)
        history = PASSWORD_HISTORY_MAX;
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, user_id);
    param_int(&p, history);
    PGresult *r;
    memset(out, 0, sizeof *out);
    int rows = db_query(db, STMT_PASSWORD_STATE, &p, &r);
    if (rows < 0)
        return rows;
    for (int i = 0; i < rows; i++) {
        char *h = col_strdup(r, i, 1);
        if (!h) {
            PQclear(r);
            password_state_free(out);
            return DB_HARD;
        }
        if (col_int(r, i, 0) == 0) {
            out->current = h;
            out->current_is_initial = col_bool(r, i, 3);
            out->current_age_seconds = col_int64(r, i, 4);
        } else if (out->nprevious < history)
            out->previous[out->nprevious++] = h;
        else
            free(h);
    }
    PQclear(r);
    return out->current ? 1 : DB_NONE;
}

void password_state_free(struct password_state *s)
{
    free(s->current);
    for (int i = 0; i < s->nprevious; i++)
        free(s->previous[i]);
    memset(s, 0, sizeof *s);
}

int store_password_set(struct db *db, const char *code, const char *user_id, const char *old_hash,
                       const char *new_hash)
{
    return db_command(db, STMT_PASSWORD_SET, DB_TEXTS(code, user_id, old_hash, new_hash));
}

int store_password_history_insert(struct db *db, const char *code, const char *user_id,
                                  const char *hash)
{
    return db_command(db, STMT_PASSWORD_HISTORY_INSERT, DB_TEXTS(code, user_id, hash));
}

int store_sessions_delete_all(struct db *db, const char *code, const char *user_id)
{
    return db_command(db, STMT_SESSIONS_DELETE_ALL, DB_TEXTS(code, user_id));
}
