/* Sign-in and sessions: one query per function (their statements beside them in session.c). */
#ifndef ONSHI_STORE_SESSION_H
#define ONSHI_STORE_SESSION_H

#include <stdbool.h>

#include "util/config.h"

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
/* Takes one of the account's lockout_threshold attempts before a password is checked:
 * 1 taken, DB_NONE when the account is locked or all attempts are taken (refuse unchecked). */
int store_signin_reserve(struct db *db, const char *code, const char *user_id, int threshold);
/* store_signin_reserve telling, when no attempt was taken, whether the account is locked (or
 * gone) or every attempt is only taken by checks in flight (*locked false: one may free). */
int store_signin_try_reserve(struct db *db, const char *code, const char *user_id, int threshold,
                             bool *locked);
/* A correct password that did not lead to a sign-in: the attempts are given back.
 * DB_NONE when locked meanwhile or the password is no longer `checked_hash`. */
int store_attempts_release(struct db *db, const char *code, const char *user_id,
                           const char *checked_hash);
/* A reserved attempt whose check was never made or never answered (the client left): it
 * goes back. DB_NONE when locked meanwhile or none is left to give back. */
int store_signin_unreserve(struct db *db, const char *code, const char *user_id);
/* After a wrong password: locks the account when its attempts are used up (*now_locked). */
int store_signin_failed(struct db *db, const char *code, const char *user_id, int threshold,
                        bool *now_locked);
/* Gives the attempts back and, when `rehashed` is not NULL, stores it in place of
 * `checked_hash` (same password, current argon2id parameters; its set-at time is kept).
 * DB_NONE when the account got locked meanwhile or its password is no longer `checked_hash`
 * (changed while this sign-in was being checked). */
int store_signin_succeeded(struct db *db, const char *code, const char *user_id,
                           const char *checked_hash, const char *rehashed);
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
    char *name;      /* malloc'd */
    char *name_kana; /* malloc'd */
    char institution_kind[16];
    bool institution_not_started;
    char *institution_name;   /* malloc'd */
    char expires_at[32];      /* RFC 3339 UTC */
    char idle_expires_at[32]; /* cookie sessions: last seen (after this touch) + idle timeout;
                                 empty for tokens */
};

/* 1 when the session is alive (touching it at most once a minute), DB_NONE otherwise.
 * csrf_digest may be NULL. */
int store_session_lookup(struct db *db, const char *code, const char *digest, int idle_seconds,
                         const char *csrf_digest, struct session_view *out);
void session_view_free(struct session_view *v);
int store_session_delete(struct db *db, const char *code, const char *digest);

/* The current hash and the last `history` chosen ones (the current one among them if chosen;
 * history at most PASSWORD_HISTORY_MAX) (malloc'd; free with password_state_free). 1, or
 * DB_NONE when the account is gone. */
struct password_state {
    char *current;
    bool current_is_initial;
    long long current_age_seconds;
    char *previous[PASSWORD_HISTORY_MAX];
    int nprevious;
};
int store_password_state(struct db *db, const char *code, const char *user_id, int history,
                         struct password_state *out);
void password_state_free(struct password_state *s);
/* Replaces `old_hash` by `new_hash`; DB_NONE if the password changed meanwhile. */
int store_password_set(struct db *db, const char *code, const char *user_id, const char *old_hash,
                       const char *new_hash);
int store_password_history_insert(struct db *db, const char *code, const char *user_id,
                                  const char *hash);
/* Ends every session and token of the account. */
int store_sessions_delete_all(struct db *db, const char *code, const char *user_id);

#endif
