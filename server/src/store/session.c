#include "store/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static void copy_field(char *dst, size_t size, const PGresult *r, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, 0, col));
}

static bool flag(const PGresult *r, int col)
{
    return !PQgetisnull(r, 0, col) && PQgetvalue(r, 0, col)[0] == 't';
}

int store_signin_account(struct db *db, const char *code, const char *user_id,
                         struct signin_account *out)
{
    const char *p[] = {code, user_id};
    PGresult *r;
    int rows = db_exec(db, STMT_SIGNIN_ACCOUNT, 2, p, &r);
    if (rows <= 0) {
        if (rows == 0)
            PQclear(r);
        return rows;
    }
    copy_field(out->role, sizeof out->role, r, 0);
    out->password_hash = strdup(PQgetvalue(r, 0, 1));
    out->password_is_initial = flag(r, 2);
    out->may_sign_in = flag(r, 3);
    out->locked = flag(r, 4);
    out->password_age_seconds = db_int64(r, 0, 5);
    copy_field(out->institution_kind, sizeof out->institution_kind, r, 6);
    PQclear(r);
    return out->password_hash ? 1 : DB_HARD;
}

int store_signin_reserve(struct db *db, const char *code, const char *user_id, int threshold)
{
    char t[16];
    snprintf(t, sizeof t, "%d", threshold);
    const char *p[] = {code, user_id, t};
    return db_exec_command(db, STMT_SIGNIN_RESERVE, 3, p);
}

int store_attempts_release(struct db *db, const char *code, const char *user_id,
                           const char *checked_hash)
{
    const char *p[] = {code, user_id, checked_hash};
    return db_exec_command(db, STMT_ATTEMPTS_RELEASE, 3, p);
}

int store_signin_unreserve(struct db *db, const char *code, const char *user_id)
{
    const char *p[] = {code, user_id};
    return db_exec_command(db, STMT_SIGNIN_UNRESERVE, 2, p);
}

int store_signin_failed(struct db *db, const char *code, const char *user_id, int threshold,
                        bool *now_locked)
{
    char t[16];
    snprintf(t, sizeof t, "%d", threshold);
    const char *p[] = {code, user_id, t};
    PGresult *r;
    int rows = db_exec(db, STMT_SIGNIN_FAILED, 3, p, &r);
    if (rows < 0)
        return rows;
    *now_locked = rows > 0 && flag(r, 0);
    PQclear(r);
    return rows;
}

int store_signin_succeeded(struct db *db, const char *code, const char *user_id,
                           const char *checked_hash, const char *rehashed)
{
    const char *p[] = {code, user_id, checked_hash, rehashed};
    return db_exec_command(db, STMT_SIGNIN_SUCCEEDED, 4, p);
}

int store_session_insert(struct db *db, const char *code, const char *digest, const char *user_id,
                         bool cookie, const char *csrf_digest, int lifetime_seconds,
                         const char *source, char expires[32])
{
    char life[16];
    snprintf(life, sizeof life, "%d", lifetime_seconds);
    const char *p[] = {code,        digest, user_id, cookie ? "cookie" : "token",
                       csrf_digest, life,   source};
    PGresult *r;
    int rows = db_exec(db, STMT_SESSION_INSERT, 7, p, &r);
    if (rows < 0)
        return rows;
    if (rows > 0)
        snprintf(expires, 32, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rows;
}

int store_session_lookup(struct db *db, const char *code, const char *digest, int idle_seconds,
                         const char *csrf_digest, struct session_view *out)
{
    char idle[16];
    snprintf(idle, sizeof idle, "%d", idle_seconds);
    const char *p[] = {code, digest, idle, csrf_digest};
    PGresult *r;
    int rows = db_exec(db, STMT_SESSION_LOOKUP, 4, p, &r);
    if (rows <= 0) {
        if (rows == 0)
            PQclear(r);
        return rows;
    }
    memset(out, 0, sizeof *out);
    copy_field(out->user_id, sizeof out->user_id, r, 0);
    out->cookie = strcmp(PQgetvalue(r, 0, 1), "cookie") == 0;
    out->csrf_ok = flag(r, 2);
    copy_field(out->role, sizeof out->role, r, 3);
    out->password_is_initial = flag(r, 4);
    out->password_age_seconds = db_int64(r, 0, 5);
    out->name = strdup(PQgetvalue(r, 0, 6));
    copy_field(out->institution_kind, sizeof out->institution_kind, r, 7);
    out->institution_not_started = flag(r, 8);
    out->institution_name = strdup(PQgetvalue(r, 0, 9));
    out->name_kana = strdup(PQgetvalue(r, 0, 10));
    copy_field(out->expires_at, sizeof out->expires_at, r, 11);
    copy_field(out->idle_expires_at, sizeof out->idle_expires_at, r, 12);
    PQclear(r);
    if (!out->name || !out->institution_name || !out->name_kana) {
        session_view_free(out);
        return DB_HARD;
    }
    return 1;
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
    const char *p[] = {code, digest};
    return db_exec_command(db, STMT_SESSION_DELETE, 2, p);
}

int store_password_state(struct db *db, const char *code, const char *user_id, int history,
                         struct password_state *out)
{
    if (history < 0 || history > PASSWORD_HISTORY_MAX)
        history = PASSWORD_HISTORY_MAX;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", history);
    const char *p[] = {code, user_id, limit};
    PGresult *r;
    memset(out, 0, sizeof *out);
    int rows = db_exec(db, STMT_PASSWORD_STATE, 3, p, &r);
    if (rows < 0)
        return rows;
    for (int i = 0; i < rows; i++) {
        char *h = strdup(PQgetvalue(r, i, 1));
        if (!h) {
            PQclear(r);
            password_state_free(out);
            return DB_HARD;
        }
        if (db_int(r, i, 0) == 0) {
            out->current = h;
            out->current_is_initial = PQgetvalue(r, i, 3)[0] == 't';
            out->current_age_seconds = db_int64(r, i, 4);
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
    const char *p[] = {code, user_id, old_hash, new_hash};
    return db_exec_command(db, STMT_PASSWORD_SET, 4, p);
}

int store_password_history_insert(struct db *db, const char *code, const char *user_id,
                                  const char *hash)
{
    const char *p[] = {code, user_id, hash};
    return db_exec_command(db, STMT_PASSWORD_HISTORY_INSERT, 3, p);
}

int store_sessions_delete_all(struct db *db, const char *code, const char *user_id)
{
    const char *p[] = {code, user_id};
    return db_exec_command(db, STMT_SESSIONS_DELETE_ALL, 2, p);
}
