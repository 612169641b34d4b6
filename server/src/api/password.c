#include "api/password.h"

#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/password_policy.h"
#include "http/defer.h"
#include "http/input.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/session.h"
#include "util/config.h"
#include "util/password_hash.h"

struct password_policy password_policy_configured(void)
{
    const struct config *c = config_current();
    return (struct password_policy){c->password_min_length, c->password_max_length,
                                    c->password_min_classes, c->password_history};
}

json_t *password_policy_details(const struct password_policy *p)
{
    return json_pack("[{s:i, s:i, s:i, s:i}]", "min_length", p->min_length, "max_length",
                     p->max_length, "min_classes", p->min_classes, "history", p->history);
}

struct change_input {
    const char *current_password;
    const char *new_password;
};

static const struct input_field change_fields[] = {
    IN_TEXT("current_password", true, 1, 128, struct change_input, current_password),
    IN_TEXT("new_password", true, 1, 128, struct change_input, new_password),
};

enum outcome { CHANGE_OK, CHANGE_WRONG_CURRENT, CHANGE_REUSED, CHANGE_FAILED };

struct change {
    struct principal who;
    char *current;
    char *next;
    struct password_state state;
    struct password_policy policy; /* as in force when the request came */
    char *new_hash;
    enum outcome outcome;
};

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static void change_free(void *p)
{
    struct change *c = p;
    wipe_free(c->current);
    wipe_free(c->next);
    password_state_free(&c->state);
    free(c->new_hash);
    free(c);
}

/* Worker: verify the current password, compare with the last ones (password_history), hash
 * the new one. */
static void change_work(void *p)
{
    struct change *c = p;
    if (!password_verify(c->current, c->state.current)) {
        c->outcome = CHANGE_WRONG_CURRENT;
        return;
    }
    bool reused = strcmp(c->current, c->next) == 0;
    /* The current chosen password is also the newest history entry: checked above. */
    for (int i = 0; i < c->state.nprevious && !reused; i++)
        if (strcmp(c->state.previous[i], c->state.current) != 0)
            reused = password_verify(c->next, c->state.previous[i]);
    if (reused) {
        c->outcome = CHANGE_REUSED;
        return;
    }
    struct argon2_params params = argon2_params_configured(config_current());
    c->new_hash = password_hash_chosen(c->next, &params);
    c->outcome = c->new_hash ? CHANGE_OK : CHANGE_FAILED;
}

static int audit(struct db *db, const struct principal *w, const char *action, const char *reason)
{
    json_t *d = reason ? json_pack("{s:s}", "reason", reason) : json_object();
    int rc =
        store_audit_insert(db, w->institution, "account", w->user_id, action, w->user_id, NULL, d);
    json_decref(d);
    return rc;
}

struct success {
    struct change *c;
    struct issued issued;
};

/* The new password ends every session and token of the account (a stolen one included);
 * a browser gets a fresh session in the same answer. */
static int success_tx(struct db *db, void *p)
{
    struct success *x = p;
    struct change *c = x->c;
    const struct principal *w = &c->who;
    int rc = store_password_set(db, w->institution, w->user_id, c->state.current, c->new_hash);
    if (rc <= 0)
        return rc;
    if ((rc = store_password_history_insert(db, w->institution, w->user_id, c->new_hash)) < 0 ||
        (rc = store_sessions_delete_all(db, w->institution, w->user_id)) < 0 ||
        (w->cookie &&
         (rc = session_issue(db, w->institution, w->user_id, true, NULL, &x->issued)) < 0) ||
        (rc = audit(db, w, "password.changed", NULL)) < 0)
        return rc;
    return 1;
}

static int wrong_tx(struct db *db, void *p)
{
    struct change *c = p;
    bool locked = false;
    int rc = store_signin_failed(db, c->who.institution, c->who.user_id,
                                 config_current()->lockout_threshold, &locked);
    if (rc >= 0)
        rc = audit(db, &c->who, "password.change_failed", "wrong_current_password");
    if (rc >= 0 && locked)
        rc = audit(db, &c->who, "account.locked", "failed_sign_ins");
    return rc < 0 ? rc : 1;
}

static enum MHD_Result change_done(struct request *req, void *p)
{
    struct change *c = p;
    struct db *db = db_thread();
    switch (c->outcome) {
    case CHANGE_WRONG_CURRENT:
        /* A stolen session must not become a way to guess the password. */
        db_tx(db, "password.wrong", DB_READ_COMMITTED, wrong_tx, c);
        return reply_error(req, ERR_PASSWORD_CURRENT_WRONG, "current_password");
    case CHANGE_REUSED:
        /* Only a right current password gets this answer, and only while not locked. */
        if (store_attempts_release(db, c->who.institution, c->who.user_id, c->state.current) <= 0)
            return reply_error(req, ERR_PASSWORD_CURRENT_WRONG, "current_password");
        return reply_error_details(req, ERR_PASSWORD_REUSED, "new_password",
                                   password_policy_details(&c->policy));
    case CHANGE_FAILED:
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    case CHANGE_OK:
        break;
    }
    struct success x = {.c = c};
    int rc = db_tx(db, "password.success", DB_READ_COMMITTED, success_tx, &x);
    if (rc == DB_NONE) /* locked or changed by someone else meanwhile */
        return reply_error(req, ERR_PASSWORD_CURRENT_WRONG, "current_password");
    if (rc < 0)
        return reply_db_failure(req, rc);
    json_t *body =
        json_pack("{s:{s:s, s:s, s:b}}", "account", "institution_code", c->who.institution,
                  "user_id", c->who.user_id, "password_change_required", 0);
    if (!c->who.cookie) {
        /* The bearer token used here ended with the others: sign in again for a new one. */
        json_object_set_new(body, "token_revoked", json_true());
        return reply_json_steal(req, MHD_HTTP_OK, body);
    }
    json_object_set_new(body, "csrf_token", json_string(x.issued.csrf));
    json_object_set_new(body, "expires_at", json_string(x.issued.expires));
    return reply_with_session_cookie(req, body, &x.issued);
}

/* The client left unanswered: nothing changed, and the attempt the check took goes back. */
static void change_abandon(void *p)
{
    struct change *c = p;
    struct db *db = db_thread();
    if (db)
        store_signin_unreserve(db, c->who.institution, c->who.user_id);
}

enum MHD_Result api_password_change(struct request *req)
{
    struct change_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, change_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    struct password_policy policy = password_policy_configured();
    enum err_code refused;
    if (!password_policy_check(&policy, in.new_password, req->principal.user_id, &refused))
        return reply_error_details(req, refused, "new_password", password_policy_details(&policy));
    struct change *c = calloc(1, sizeof *c);
    if (!c)
        return MHD_NO;
    c->who = req->principal;
    c->policy = policy;
    c->current = strdup(in.current_password);
    c->next = strdup(in.new_password);
    struct db *db = db_thread();
    int rc =
        store_password_state(db, c->who.institution, c->who.user_id, policy.history, &c->state);
    if (!c->current || !c->next || rc <= 0) {
        change_free(c);
        return reply_error(req,
                           rc == DB_NONE ? ERR_AUTH_REQUIRED
                           : rc < 0      ? db_failure_code(rc)
                                         : ERR_SERVER_INTERNAL, /* out of memory */
                           NULL);
    }
    const struct config *cfg = config_current();
    if (c->state.current_is_initial &&
        c->state.current_age_seconds > (long long)cfg->initial_password_days * 86400) {
        change_free(c);
        return reply_error(req, ERR_PASSWORD_INITIAL_EXPIRED, NULL);
    }
    /* The check of the current password takes a lockout attempt, like a sign-in. */
    rc = store_signin_reserve(db, c->who.institution, c->who.user_id, cfg->lockout_threshold);
    if (rc <= 0) {
        change_free(c);
        return rc < 0 ? reply_db_failure(req, rc)
                      : reply_error(req, ERR_PASSWORD_CURRENT_WRONG, "current_password");
    }
    return http_defer(req, change_work, change_done, change_abandon, c, change_free);
}
