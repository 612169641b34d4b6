#include "api/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/account.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/session_cache.h"
#include "util/config.h"
#include "util/secret.h"

bool auth_must_change_password(enum role r, bool is_initial, long long age_seconds)
{
    if (is_initial)
        return true;
    const struct config *c = config_current();
    return role_is_human(r) && age_seconds > (long long)c->password_expiry_days * 86400;
}

static bool safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* The presented secret: a bearer token, else the session cookie. */
static const char *presented_token(struct request *req, bool *cookie)
{
    const char *authz =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        *cookie = false;
        return authz + 7;
    }
    *cookie = true;
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
}

enum auth_result api_authenticate(struct request *req)
{
    /* What this environment does not have is absent, whoever asks and however. */
    enum capability cap = req->route->capability;
    if (!capability_in_environment(cap, config_is_verification()))
        return reply_error(req, ERR_TEST_DATA_UNAVAILABLE, NULL) == MHD_YES ? AUTH_REPLIED
                                                                            : AUTH_FAILED;
    bool cookie;
    const char *token = presented_token(req, &cookie);
    char code[11], secret[SECRET_TEXT_LEN + 1], digest[DIGEST_PARAM_LEN + 1];
    if (!token || !secret_token_split(token, code, secret) ||
        secret_digest_param(token, digest) != 0)
        return reply_error(req, ERR_AUTH_REQUIRED, NULL) == MHD_YES ? AUTH_REPLIED : AUTH_FAILED;
    const char *csrf = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    char csrf_digest[DIGEST_PARAM_LEN + 1];
    bool have_csrf = csrf && secret_digest_param(csrf, csrf_digest) == 0;
    struct session_view v;
    int idle = config_current()->session_idle_timeout;
    /* A request that must pass the CSRF check always asks the database: the cache does not
     * keep the CSRF secret's digest. */
    bool csrf_needed = cookie && !safe_method(req->method);
    uint64_t seen = session_cache_epoch();
    int rc = 1;
    if (csrf_needed || !session_cache_get(code, digest, &v)) {
        rc = store_session_lookup(db_thread(), code, digest, idle,
                                  csrf_needed && have_csrf ? csrf_digest : NULL, &v);
        if (rc > 0)
            session_cache_put(seen, code, digest, &v);
    }
    enum err_code refusal = ERR__COUNT;
    if (rc < 0)
        refusal = db_failure_code(rc);
    else if (rc == 0 || v.cookie != cookie)
        refusal = ERR_AUTH_REQUIRED; /* a token sent as a cookie or the reverse is no session */
    if (refusal != ERR__COUNT) {
        if (rc > 0)
            session_view_free(&v);
        return reply_error(req, refusal, NULL) == MHD_YES ? AUTH_REPLIED : AUTH_FAILED;
    }
    struct principal *p = &req->principal;
    snprintf(p->institution, sizeof p->institution, "%s", code);
    snprintf(p->user_id, sizeof p->user_id, "%s", v.user_id);
    snprintf(p->digest, sizeof p->digest, "%s", digest);
    /* Parsed here once; a value the schema's checks let through but core does not know is
     * no session at all. */
    if (!role_parse(v.role, &p->account_role) ||
        !institution_kind_parse(v.institution_kind, &p->inst_kind)) {
        session_view_free(&v);
        return reply_error(req, ERR_SERVER_INTERNAL, NULL) == MHD_YES ? AUTH_REPLIED : AUTH_FAILED;
    }
    p->institution_not_started = v.institution_not_started;
    p->cookie = cookie;
    p->must_change_password =
        auth_must_change_password(p->account_role, v.password_is_initial, v.password_age_seconds);
    p->password_is_initial = v.password_is_initial;
    snprintf(p->expires_at, sizeof p->expires_at, "%s", v.expires_at);
    snprintf(p->idle_expires_at, sizeof p->idle_expires_at, "%s", v.idle_expires_at);
    p->idle_timeout = idle;
    /* Taken over by the request (freed with it). */
    p->name = v.name;
    p->name_kana = v.name_kana;
    p->institution_name = v.institution_name;
    v.name = v.name_kana = v.institution_name = NULL;
    bool csrf_ok = v.csrf_ok;
    session_view_free(&v);
    req->authenticated = true;
    snprintf(req->institution, sizeof req->institution, "%s", code);
    snprintf(req->account, sizeof req->account, "%s", p->user_id);
    if (cookie && !safe_method(req->method) && !csrf_ok)
        refusal = ERR_AUTH_CSRF;
    else if (p->must_change_password && !(req->route->flags & ROUTE_ANY_PASSWORD))
        refusal = ERR_PASSWORD_CHANGE_REQUIRED;
    else if (!role_has_capability(p->account_role, cap))
        refusal = ERR_AUTH_FORBIDDEN;
    else if (p->institution_not_started && !capability_open_before_start(cap))
        refusal = ERR_INSTITUTION_NOT_STARTED;
    if (refusal != ERR__COUNT)
        return reply_error(req, refusal, NULL) == MHD_YES ? AUTH_REPLIED : AUTH_FAILED;
    return AUTH_OK;
}
