/* Sign-in and sessions: one query per function (statements in store/statements.c). */
#ifndef ONSHI_STORE_SESSION_H
#define ONSHI_STORE_SESSION_H

#include <stdbool.h>

struct db;

struct signin_account {
    char role[16];
    char *password_hash; /* malloc'd */
    bool password_is_initial;
    bool may_sign_in; /* enabled, not deleted, inside its usage period */
    bool locked;
    long long password_age_seconds;
    char institution_kind[16];
};

/* 1 with *out filled (free out->password_hash), DB_NONE when there is no such account. */
int store_signin_account(struct db *db, const char *code, const char *user_id,
                         struct signin_account *out);
/* Counts a failure; *now_locked tells whether this one locked the account. */
int store_signin_failed(struct db *db, const char *code, const char *user_id, int threshold,
                        bool *now_locked);
/* Resets the failure count; DB_NONE when the account got locked meanwhile. */
int store_signin_succeeded(struct db *db, const char *code, const char *user_id);
/* Writes the ISO expiry into expires (at least 21 bytes). */
int store_session_insert(struct db *db, const char *code, const char *digest, const char *user_id,
                         bool cookie, const char *csrf_digest, int lifetime_seconds,
                         const char *source, char expires[32]);

struct session_view {
    char user_id[17];
    bool cookie;
    bool csrf_ok;
    char role[16];
    bool password_is_initial;
    long long password_age_seconds;
    char *name; /* malloc'd */
    char institution_kind[16];
    bool institution_not_started;
    char *institution_name; /* malloc'd */
};

/* 1 when the session is alive (touching it at most once a minute), DB_NONE otherwise.
 * csrf_digest may be NULL. */
int store_session_lookup(struct db *db, const char *code, const char *digest, int idle_seconds,
                         const char *csrf_digest, struct session_view *out);
void session_view_free(struct session_view *v);
int store_session_delete(struct db *db, const char *code, const char *digest);

/* The current hash and up to three previous chosen ones (malloc'd; free with
 * password_state_free). 1, or DB_NONE when the account is gone. */
struct password_state {
    char *current;
    char *previous[3];
    int nprevious;
};
int store_password_state(struct db *db, const char *code, const char *user_id,
                         struct password_state *out);
void password_state_free(struct password_state *s);
/* Replaces `old_hash` by `new_hash`; DB_NONE if the password changed meanwhile. */
int store_password_set(struct db *db, const char *code, const char *user_id, const char *old_hash,
                       const char *new_hash);
int store_password_history_insert(struct db *db, const char *code, const char *user_id,
                                  const char *hash);
/* Ends every session and token of the account except the one with `keep_digest`. */
int store_sessions_delete_others(struct db *db, const char *code, const char *user_id,
                                 const char *keep_digest);

#endif
