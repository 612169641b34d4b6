#include "api/session.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/password.h"
#include "core/account.h"
#include "core/menu.h"
#include "core/settings.h"
#include "http/defer.h"
#include "http/input.h"
#include "http/peer.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/readers.h"
#include "store/session.h"
#include "store/settings.h"
#include "util/config.h"
#include "util/log.h"
#include "util/password_hash.h"
#include "util/rate_limit.h"
#include "util/secret.h"

struct signin_input {
    const char *institution_code;
    const char *user_id;
    const char *password;
};

static const struct input_field signin_fields[] = {
    IN_TEXT("institution_code", true, 10, 10, struct signin_input, institution_code),
    IN_TEXT("user_id", true, 1, 16, struct signin_input, user_id),
    IN_TEXT("password", true, 1, 128, struct signin_input, password),
};

/* What the worker needs and what it found; lives until the reply is sent. */
struct signin {
    char code[11];
    char user_id[17];
    char *password;
    bool token;            /* POST /tokens: a bearer token instead of a cookie session */
    int found;             /* 1 account, 0 none, <0 database error */
    bool reserved;         /* holds one of the lockout attempts, not yet counted or given back */
    bool waiting;          /* every attempt was taken by checks in flight: waiting for one */
    long long deadline_ms; /* waiting: refused as without waiting from then on */
    unsigned long seen_generation; /* waiting: ends of checks seen before the last try */
    struct signin_account account;
    struct argon2_params params; /* of the configuration when the request arrived */
    bool password_ok;
    char *rehashed; /* the password hashed with `params`, when the stored hash used others */
};

static long long monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waiting for a free attempt ------------------------------------------------------------
 *
 * All of an account's attempts can be taken by checks in flight without anything being wrong
 * (several receipt computers signing in with one WebAPI account at the same moment). A
 * sign-in that finds them so waits for one, up to signin_queue_timeout, instead of being
 * refused, and stalls nothing else meanwhile:
 * - no HTTP thread ever waits: the attempts are tried there (one short statement, like any
 *   handler's), in start_signin and in signin_done, and the wait itself is deferred work;
 * - a waiting turn holds a deferred-pool worker WAIT_TURN_MS at most (less when a check of the
 *   account ends here first); signin_done then tries again and, still nothing free, queues the
 *   next turn behind whatever was queued meanwhile, so other sign-ins, password changes and
 *   PDFs get through between turns, and a worker a waiter took is free again within a turn;
 * - at most WAITERS_PER_WORKER waiters per worker, and half the work queue, wait at once (the
 *   rest are refused as without waiting): they cannot fill the queue nor put more than that
 *   many turns before another request.
 * The end of a check here wakes the account's waiters through a small table of wake-up
 * channels hashed by institution and user ID (a collision only costs an early try); checks on
 * other nodes are seen at the next turn. A waiter holds no attempt, so a client that leaves
 * while waiting has nothing to give back (the pool drops its next turn); one that leaves once
 * it got one gives it back in signin_abandon. */
enum { WAIT_TURN_MS = 50, WAITERS_PER_WORKER = 8, WAKE_CHANNELS = 64 };

struct wake_channel {
    pthread_mutex_t lock;
    pthread_cond_t ended;     /* a check of an account of this channel ended */
    unsigned long generation; /* how many have */
};
static struct wake_channel channels[WAKE_CHANNELS];
static pthread_once_t channels_once = PTHREAD_ONCE_INIT;
static atomic_int waiters;

static void channels_init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    for (int i = 0; i < WAKE_CHANNELS; i++) {
        pthread_mutex_init(&channels[i].lock, NULL);
        pthread_cond_init(&channels[i].ended, &a);
    }
    pthread_condattr_destroy(&a);
}

static uint32_t fnv1a(uint32_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static struct wake_channel *channel_of(const struct signin *s)
{
    pthread_once(&channels_once, channels_init);
    uint32_t h = fnv1a(fnv1a(2166136261u, s->code), "|");
    return &channels[fnv1a(h, s->user_id) % WAKE_CHANNELS];
}

static unsigned long generation_of(const struct signin *s)
{
    struct wake_channel *c = channel_of(s);
    pthread_mutex_lock(&c->lock);
    unsigned long g = c->generation;
    pthread_mutex_unlock(&c->lock);
    return g;
}

/* The attempt s held is counted, given back or reset: the account's waiters try again. */
static void attempt_settled(struct signin *s)
{
    if (!s->reserved)
        return;
    s->reserved = false;
    struct wake_channel *c = channel_of(s);
    pthread_mutex_lock(&c->lock);
    c->generation++;
    pthread_cond_broadcast(&c->ended);
    pthread_mutex_unlock(&c->lock);
}

/* HTTP thread: takes an attempt for s (1), or says why not (DB_NONE, *locked). */
static int try_reserve(struct db *db, struct signin *s, bool *locked)
{
    /* Read before trying, so that a check ending after a failed try cuts the next wait. */
    s->seen_generation = generation_of(s);
    return store_signin_try_reserve(db, s->code, s->user_id, config_current()->lockout_threshold,
                                    locked);
}

/* A line a second at most, however many are refused. */
static void report_waiters_full(int limit)
{
    static atomic_llong last_s;
    long long now = monotonic_ms() / 1000, last = atomic_load(&last_s);
    if (now > last && atomic_compare_exchange_strong(&last_s, &last, now))
        log_msg(LOG_WARN,
                "%d sign-ins already wait for a free lockout attempt: refusing more at once",
                limit);
}

/* Makes s a waiter when signin_queue_timeout allows and there is room. */
static void start_waiting(struct signin *s)
{
    const struct config *c = config_current();
    if (c->signin_queue_timeout <= 0)
        return;
    int limit = WAITERS_PER_WORKER * defer_pool_workers();
    if (limit > defer_pool_queue_limit() / 2)
        limit = defer_pool_queue_limit() / 2;
    int n = atomic_load(&waiters);
    do {
        if (n >= limit) {
            report_waiters_full(limit);
            return;
        }
    } while (!atomic_compare_exchange_weak(&waiters, &n, n + 1));
    s->waiting = true;
    s->deadline_ms = monotonic_ms() + c->signin_queue_timeout * 1000LL;
    log_msg(LOG_DEBUG, "sign-in of %s/%s waits for a free lockout attempt", s->code, s->user_id);
}

static void stop_waiting(struct signin *s)
{
    if (s->waiting) {
        s->waiting = false;
        atomic_fetch_sub(&waiters, 1);
    }
}

/* Worker thread: one waiting turn, until a check of the account ends here (after the last
 * try), WAIT_TURN_MS or the deadline. */
static void wait_turn(const struct signin *s)
{
    struct wake_channel *c = channel_of(s);
    long long until = monotonic_ms() + WAIT_TURN_MS;
    if (until > s->deadline_ms)
        until = s->deadline_ms;
    struct timespec at = {.tv_sec = (time_t)(until / 1000),
                          .tv_nsec = (long)(until % 1000) * 1000000};
    pthread_mutex_lock(&c->lock);
    while (c->generation == s->seen_generation)
        if (pthread_cond_timedwait(&c->ended, &c->lock, &at) != 0)
            break; /* ETIMEDOUT */
    pthread_mutex_unlock(&c->lock);
}

static void signin_free(void *p)
{
    struct signin *s = p;
    stop_waiting(s);
    /* Neither answered nor abandoned: the work queue was full (503). The attempt goes back. */
    if (s->reserved) {
        store_signin_unreserve(db_thread(), s->code, s->user_id);
        attempt_settled(s);
    }
    if (s->password) {
        memset(s->password, 0, strlen(s->password));
        free(s->password);
    }
    if (s->found > 0)
        free(s->account.password_hash);
    free(s->rehashed);
    free(s);
}

/* Worker thread: exactly one argon2id-sized computation whatever the case, so the answer
 * takes about as long for an unknown ID as for a wrong password. */
static void signin_work(void *p)
{
    struct signin *s = p;
    if (s->waiting) {
        wait_turn(s);
        return;
    }
    bool checked = s->found > 0 && s->reserved;
    if (checked)
        s->password_ok = password_verify(s->password, s->account.password_hash);
    /* Initial passwords use the fast hash: add the argon2id-sized pause to them too. */
    if (!checked || !password_hash_is_argon2id(s->account.password_hash))
        password_verify_dummy(&s->params);
    /* Raised (or lowered) parameters reach a stored hash the only time its password is
     * known: now. A failure to hash only postpones it to the next sign-in. */
    if (s->password_ok && password_needs_rehash(s->account.password_hash, &s->params))
        s->rehashed = password_hash_chosen(s->password, &s->params);
}

static int audit(struct db *db, const struct signin *s, const char *action, const char *reason,
                 const char *source)
{
    json_t *d = reason ? json_pack("{s:s}", "reason", reason) : json_object();
    int rc = store_audit_insert(db, s->code, "account", s->user_id, action, s->user_id, source, d);
    json_decref(d);
    return rc;
}

int session_issue(struct db *db, const char *code, const char *user_id, bool cookie,
                  const char *source, struct issued *out)
{
    char digest[DIGEST_PARAM_LEN + 1], csrf_digest[DIGEST_PARAM_LEN + 1];
    out->csrf[0] = '\0';
    if (secret_new_token(code, out->token) != 0 || secret_digest_param(out->token, digest) != 0)
        return DB_HARD;
    /* Bearer tokens are not sent by browsers on their own: they need no CSRF token. */
    if (cookie &&
        (secret_new_text(out->csrf) != 0 || secret_digest_param(out->csrf, csrf_digest) != 0))
        return DB_HARD;
    const struct config *c = config_current();
    return store_session_insert(db, code, digest, user_id, cookie, cookie ? csrf_digest : NULL,
                                cookie ? c->session_lifetime : c->token_lifetime, source,
                                out->expires);
}

enum MHD_Result reply_with_session_cookie(struct request *req, json_t *body,
                                          const struct issued *is)
{
    const struct config *c = config_current();
    char cookie[256];
    bool secure = http_is_secure();
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             SESSION_COOKIE, is->token, c->session_lifetime, secure ? "; Secure" : "");
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    struct MHD_Response *r =
        text ? MHD_create_response_from_buffer_with_free_callback(strlen(text), text, &free) : NULL;
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return reply_response(req, MHD_HTTP_OK, r);
}

struct success {
    struct signin *s;
    const char *source;
    struct issued issued;
};

static int success_tx(struct db *db, void *p)
{
    struct success *x = p;
    int rc = store_signin_succeeded(db, x->s->code, x->s->user_id, x->s->account.password_hash,
                                    x->s->rehashed);
    if (rc <= 0)
        return rc;
    bool cookie = !x->s->token;
    if ((rc = session_issue(db, x->s->code, x->s->user_id, cookie, x->source, &x->issued)) < 0)
        return rc;
    rc = audit(db, x->s, cookie ? "signin.succeeded" : "token.issued",
               x->s->rehashed ? "password_rehashed" : NULL, x->source);
    return rc < 0 ? rc : 1;
}

struct failure {
    struct signin *s;
    const char *reason;
    const char *source;
};

/* Made-up user IDs cost an audit row each only up to signin_unknown_audit_limit a minute per
 * institution; the rest are counted and logged (a line a minute at most). */
static bool audit_unknown_allowed(const char *code)
{
    static atomic_ulong unaudited;
    static atomic_llong last_report_ms;
    char key[32];
    int retry;
    snprintf(key, sizeof key, "unknown-id|%s", code);
    long long now = monotonic_ms();
    if (rate_limit_allow(key, config_current()->signin_unknown_audit_limit, now, &retry))
        return true;
    unsigned long n = atomic_fetch_add(&unaudited, 1) + 1;
    long long last = atomic_load(&last_report_ms);
    if (now - last >= 60000 && atomic_compare_exchange_strong(&last_report_ms, &last, now))
        log_msg(LOG_WARN,
                "%lu failed sign-ins with unknown user IDs not audited since start "
                "(signin_unknown_audit_limit %d a minute per institution; latest at %s)",
                n, config_current()->signin_unknown_audit_limit, code);
    return false;
}

static int failure_tx(struct db *db, void *p)
{
    struct failure *f = p;
    bool locked = false;
    char *name = NULL;
    int exists = store_institution_name(db, f->s->code, &name);
    free(name);
    if (exists <= 0)
        return exists; /* no such institution: nowhere to audit */
    if (strcmp(f->reason, "unknown_user") == 0 && !audit_unknown_allowed(f->s->code))
        return 1;
    if (strcmp(f->reason, "wrong_password") == 0) {
        int rc = store_signin_failed(db, f->s->code, f->s->user_id,
                                     config_current()->lockout_threshold, &locked);
        if (rc < 0)
            return rc;
    } else if (f->s->reserved && f->s->password_ok) {
        /* The owner, refused for another reason (disabled, out of period, initial password
         * expired): the attempt goes back, or the account would be found locked later. */
        int rc = store_attempts_release(db, f->s->code, f->s->user_id, f->s->account.password_hash);
        if (rc < 0)
            return rc;
    }
    int rc = audit(db, f->s, "signin.failed", f->reason, f->source);
    if (rc >= 0 && locked)
        rc = audit(db, f->s, "account.locked", "failed_sign_ins", f->source);
    return rc < 0 ? rc : 1;
}

static enum MHD_Result refuse(struct request *req, struct signin *s, const char *reason,
                              enum err_code code)
{
    char source[64];
    request_client_address(req, source, sizeof source);
    if (s->found >= 0) {
        struct failure f = {s, reason, source};
        db_tx(db_thread(), "session.failure", DB_READ_COMMITTED, failure_tx, &f);
    }
    return reply_error(req, code, NULL);
}

/* The kinds r holds a relation to, as a JSON array of ids. */
static json_t *roles_where(enum role r, bool (*rel)(enum role, enum role))
{
    json_t *out = json_array();
    for (int t = 0; t < ROLE__COUNT; t++)
        if (rel(r, (enum role)t))
            json_array_append_new(out, json_string(role_id((enum role)t)));
    return out;
}

/* The account as the console needs it: why a password change is required (initial or
 * expired), and which kinds it registers, updates and deletes (registers_roles), whose
 * passwords it initialises, and which its account list shows: the console offers only
 * these and never keeps a copy of the rules. */
static json_t *account_json(const char *code, const char *user_id, enum role r, bool must_change,
                            bool is_initial)
{
    const char *state = !must_change ? "active" : is_initial ? "initial" : "expired";
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:o, s:o}", "institution_code", code,
                     "user_id", user_id, "role", role_id(r), "role_label", role_label(r),
                     "password_change_required", must_change, "password_state", state,
                     "registers_roles", roles_where(r, role_manages), "initialises_roles",
                     roles_where(r, role_initialises_password), "lists_roles",
                     roles_where(r, role_finds));
}

/* The answer to a sign-in whose check (or dummy) ran. */
static enum MHD_Result answer(struct request *req, struct signin *s)
{
    if (s->found < 0)
        return reply_db_failure(req, s->found);
    if (s->found == 0)
        return refuse(req, s, "unknown_user", ERR_AUTH_FAILED);
    const struct signin_account *a = &s->account;
    if (!s->reserved)
        return refuse(req, s, "locked", ERR_AUTH_FAILED);
    if (!s->password_ok)
        return refuse(req, s, "wrong_password", ERR_AUTH_FAILED);
    if (!a->may_sign_in)
        return refuse(req, s, "not_allowed", ERR_AUTH_FAILED);
    const struct config *c = config_current();
    if (a->password_is_initial &&
        a->password_age_seconds > (long long)c->initial_password_days * 86400)
        return refuse(req, s, "initial_password_expired", ERR_PASSWORD_INITIAL_EXPIRED);

    char source[64];
    request_client_address(req, source, sizeof source);
    struct success x = {.s = s, .source = source};
    struct db *db = db_thread();
    int rc = db_tx(db, "session.success", DB_READ_COMMITTED, success_tx, &x);
    if (rc == DB_NONE) /* locked, or the password changed, while it was being checked */
        return refuse(req, s, "changed_during_check", ERR_AUTH_FAILED);
    if (rc < 0)
        return reply_db_failure(req, rc);
    enum role role;
    if (!role_parse(a->role, &role))
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    bool must_change =
        auth_must_change_password(role, a->password_is_initial, a->password_age_seconds);
    json_t *account = account_json(s->code, s->user_id, role, must_change, a->password_is_initial);
    snprintf(req->institution, sizeof req->institution, "%s", s->code);
    snprintf(req->account, sizeof req->account, "%s", s->user_id);
    if (s->token)
        return reply_json_steal(req, MHD_HTTP_OK,
                                json_pack("{s:s, s:s, s:i, s:o}", "access_token", x.issued.token,
                                          "token_type", "Bearer", "expires_in", c->token_lifetime,
                                          "account", account));
    return reply_with_session_cookie(req,
                                     json_pack("{s:o, s:s, s:s}", "account", account, "csrf_token",
                                               x.issued.csrf, "expires_at", x.issued.expires),
                                     &x.issued);
}

static enum MHD_Result signin_done(struct request *req, void *p);
static void signin_abandon(void *p);

/* Queues s's next step behind what was queued meanwhile. The pool frees the context of the
 * step that ended once the reply callback returns, so the state moves to a new one. */
static enum MHD_Result queue_next(struct request *req, struct signin *s)
{
    struct signin *next = malloc(sizeof *next);
    if (!next)
        return MHD_NO; /* s keeps it all: signin_free gives back what it holds */
    *next = *s;
    memset(s, 0, sizeof *s);
    return http_defer(req, signin_work, signin_done, signin_abandon, next, signin_free);
}

/* After a waiting turn: the check once an attempt is free; refused unchecked once the account
 * is locked or the wait is over (as without waiting); otherwise the next turn. */
static enum MHD_Result after_wait_turn(struct request *req, struct signin *s)
{
    bool locked = true;
    int rc = try_reserve(db_thread(), s, &locked);
    if (rc < 0) {
        stop_waiting(s);
        return reply_db_failure(req, rc);
    }
    if (rc > 0) {
        stop_waiting(s);
        s->reserved = true;
        return queue_next(req, s);
    }
    if (locked || monotonic_ms() >= s->deadline_ms) {
        stop_waiting(s);
        return refuse(req, s, "locked", ERR_AUTH_FAILED);
    }
    return queue_next(req, s);
}

static enum MHD_Result signin_done(struct request *req, void *p)
{
    struct signin *s = p;
    if (s->waiting)
        return after_wait_turn(req, s);
    enum MHD_Result ret = answer(req, s);
    attempt_settled(s); /* counted, given back or reset by the answer's transaction */
    return ret;
}

/* The client left before it was answered: the attempt its check took goes back (nothing was
 * learnt from it), and nothing is audited. */
static void signin_abandon(void *p)
{
    struct signin *s = p;
    if (s->found > 0 && s->reserved)
        store_signin_unreserve(db_thread(), s->code, s->user_id);
    attempt_settled(s);
}

/* signin_rate_limit per client address, before any work: 429 with Retry-After. */
static bool signin_rate_ok(struct request *req, enum MHD_Result *ret)
{
    char address[64], key[RATE_LIMIT_KEY_MAX], bucket[RATE_LIMIT_KEY_MAX + 8];
    int retry = 0;
    request_client_address(req, address, sizeof address);
    rate_limit_key(address, key);
    snprintf(bucket, sizeof bucket, "signin|%s", key); /* apart from the visit pages' budget */
    if (rate_limit_allow(bucket, config_current()->signin_rate_limit, monotonic_ms(), &retry))
        return true;
    char value[16];
    snprintf(value, sizeof value, "%d", retry);
    *ret = reply_error_with_header(req, ERR_AUTH_RATE_LIMITED, MHD_HTTP_HEADER_RETRY_AFTER, value);
    return false;
}

static enum MHD_Result start_signin(struct request *req, bool token)
{
    enum MHD_Result limited;
    if (!signin_rate_ok(req, &limited))
        return limited;
    struct signin_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, signin_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    struct signin *s = calloc(1, sizeof *s);
    if (!s || !(s->password = strdup(in.password))) {
        free(s);
        return MHD_NO;
    }
    s->token = token;
    s->params = argon2_params_configured(config_current());
    snprintf(s->code, sizeof s->code, "%s", in.institution_code);
    snprintf(s->user_id, sizeof s->user_id, "%s", in.user_id);
    struct db *db = db_thread();
    s->found = store_signin_account(db, s->code, s->user_id, &s->account);
    if (s->found > 0) {
        bool locked = true;
        int rc = try_reserve(db, s, &locked);
        if (rc < 0) {
            free(s->account.password_hash);
            s->account.password_hash = NULL;
            s->found = rc;
        }
        s->reserved = rc > 0;
        /* Not locked, only every attempt in use by checks in flight: wait for one (above).
         * Otherwise (locked, or no waiting) the dummy check runs and the answer refuses. */
        if (rc == DB_NONE && !locked)
            start_waiting(s);
    }
    return http_defer(req, signin_work, signin_done, signin_abandon, s, signin_free);
}

enum MHD_Result api_session_create(struct request *req)
{
    return start_signin(req, false);
}

enum MHD_Result api_token_create(struct request *req)
{
    return start_signin(req, true);
}

/* 顔認証付きカードリーダー管理 appears only where the institution has readers: this onshid
 * bridges them, or some bridge has reported for it or seen one (in the database, so every
 * onshid agrees). */
static bool readers_here(const struct principal *p)
{
    const char *bridged = config_current()->reader_bridge_institution;
    if (bridged && strcmp(bridged, p->institution) == 0)
        return true;
    return store_readers_present(db_thread(), p->institution) > 0;
}

static bool setting_on(const struct settings_row *row, const char *id)
{
    return strcmp(setting_in_force(id, settings_row_stored(row, id)), "use") == 0;
}

/* 訪問診療等・オンライン診療等 (manual ch. 5) appears for admins while either function is on in
 * the settings, read now: a change shows at once in every onshid. */
static bool visits_on(const struct principal *p)
{
    struct settings_row row;
    struct db *db = db_thread();
    if (p->account_role != ROLE_ADMIN || p->must_change_password || p->institution_not_started ||
        store_settings_get(db, p->institution, &row) <= 0)
        return false;
    bool on = setting_on(&row, "home_visit") || setting_on(&row, "online_care");
    settings_row_free(&row);
    return on;
}

/* What the account may use right now, as CAP_BITs. */
static unsigned capabilities(const struct principal *p)
{
    unsigned caps = 0;
    for (enum capability c = CAP_NONE + 1; c < CAP__COUNT; c++) {
        if (!role_may_use(p->account_role, c, config_is_verification(), p->institution_not_started))
            continue;
        if (p->must_change_password && c != CAP_SESSION)
            continue; /* only the password change until then */
        if (c == CAP_VISIT && !visits_on(p))
            continue;
        if (c == CAP_READERS && !readers_here(p))
            continue;
        caps |= CAP_BIT(c);
    }
    return caps;
}

/* The ids in enum order, except "visit" last (where clients have always found it). */
static json_t *capabilities_json(unsigned caps)
{
    json_t *out = json_array();
    for (enum capability c = CAP_NONE + 1; c < CAP__COUNT; c++)
        if (c != CAP_VISIT && (caps & CAP_BIT(c)))
            json_array_append_new(out, json_string(capability_id(c)));
    if (caps & CAP_BIT(CAP_VISIT))
        json_array_append_new(out, json_string(capability_id(CAP_VISIT)));
    return out;
}

/* The manual's menu items behind those capabilities, in its order and words, so that every
 * client draws the same menu. */
static json_t *menu_json(unsigned caps, bool registers)
{
    json_t *menu = json_array();
    for (size_t i = 0; i < menu_items_count; i++) {
        const struct menu_item *m = &menu_items[i];
        if ((caps & CAP_BIT(m->capability)) && (!m->needs_registering || registers))
            json_array_append_new(menu, json_pack("{s:s, s:s, s:s, s:s}", "id", m->id, "group",
                                                  m->group, "label", m->label, "capability",
                                                  capability_id(m->capability)));
    }
    return menu;
}

enum MHD_Result api_session_get(struct request *req)
{
    const struct principal *p = &req->principal;
    unsigned caps = capabilities(p);
    json_t *account = account_json(p->institution, p->user_id, p->account_role,
                                   p->must_change_password, p->password_is_initial);
    json_t *menu =
        menu_json(caps, json_array_size(json_object_get(account, "registers_roles")) > 0);
    json_object_set_new(account, "name", json_string(p->name ? p->name : ""));
    json_object_set_new(account, "name_kana", json_string(p->name_kana ? p->name_kana : ""));
    /* Bearer tokens have no idle timeout. */
    bool idle = p->idle_expires_at[0] != '\0';
    json_t *session =
        json_pack("{s:s, s:o, s:o}", "expires_at", p->expires_at, "idle_expires_at",
                  idle ? json_string(p->idle_expires_at) : json_null(), "idle_timeout_seconds",
                  idle ? json_integer(p->idle_timeout) : json_null());
    struct password_policy pp = password_policy_configured(); /* as api/password.c checks */
    return reply_json_steal(
        req, MHD_HTTP_OK,
        json_pack("{s:o, s:o, s:o, s:{s:s, s:s, s:s, s:b, s:s}, s:o, s:{s:i, s:i, s:i, s:i}}",
                  "account", account, "capabilities", capabilities_json(caps), "menu", menu,
                  "institution", "institution_code", p->institution, "name",
                  p->institution_name ? p->institution_name : "", "kind",
                  institution_kind_id(p->inst_kind), "not_started", p->institution_not_started,
                  "environment", config_current()->environment, "session", session,
                  "password_policy", "min_length", pp.min_length, "max_length", pp.max_length,
                  "min_classes", pp.min_classes, "history", pp.history));
}

enum MHD_Result api_session_delete(struct request *req)
{
    struct principal *p = &req->principal;
    struct db *db = db_thread();
    int rc = store_session_delete(db, p->institution, p->digest);
    if (rc < 0)
        return reply_db_failure(req, rc);
    p->idle_expires_at[0] = '\0'; /* the session is gone: nothing left to time out */
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             SESSION_COOKIE, http_is_secure() ? "; Secure" : "");
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return reply_response(req, MHD_HTTP_NO_CONTENT, r);
}

enum MHD_Result api_token_delete(struct request *req)
{
    const struct principal *p = &req->principal;
    struct db *db = db_thread();
    int rc = store_session_delete(db, p->institution, p->digest);
    if (rc < 0)
        return reply_db_failure(req, rc);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    return r ? reply_response(req, MHD_HTTP_NO_CONTENT, r) : MHD_NO;
}
