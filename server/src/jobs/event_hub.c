/* strptime */
#define _XOPEN_SOURCE 700 // NOLINT(bugprone-reserved-identifier,cert-dcl37-c): a feature-test macro
#include "jobs/event_hub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/account.h"
#include "store/bulk.h"
#include "store/events.h"
#include "store/notify.h"
#include "store/readers.h"
#include "store/session_cache.h"
#include "util/config.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/worker.h"

enum {
    RETRY_MS = 5000,           /* the `retry:` a browser waits before reconnecting */
    OUT_LIMIT = 1024 * 1024,   /* queued bytes beyond which a stream is too slow: ended */
    SERVICE_CHECK_SECONDS = 5, /* a bridge whose heartbeat stopped is down after 10 s */
    TICK_MS = 250,             /* deadlines and heartbeats are looked at this often */
    MAX_SESSION_CHECKS = 256,  /* per pass; the rest wait for the next tick */
};

struct stream {
    struct stream *prev, *next; /* newest first */
    unsigned long long id;
    struct MHD_Connection *conn;
    char institution[11], user_id[17], digest[67];
    enum role role;
    enum role tier;     /* the bulk jobs it is told of: ROLE_MASTER's or ROLE_ADMIN's */
    bool bulk, readers; /* capabilities that decide which events it gets */
    long long deadline; /* epoch seconds: check the session again then */
    struct strbuf out;  /* queued, not yet handed to libmicrohttpd */
    size_t sent;        /* of out */
    bool suspended;     /* by the content callback: only the hub resumes it */
    bool closing;       /* end once out is sent */
    int service_up;     /* the reader_service state last sent: -1 none */
};

/* One lock for the list and every stream in it. libmicrohttpd's resume is called after it
 * is released (the connection cannot go away while it is suspended). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *streams;
static int nstreams;
static unsigned long long last_id;

static struct worker worker;
static atomic_bool running, reload_asked;
static struct db_options options;
static void (*present_job)(json_t *job);

/* --- queueing (lock held) ------------------------------------------------------------ */

struct wakeups {
    struct MHD_Connection **conn;
    size_t n, cap;
};

static void wakeups_add(struct wakeups *w, struct MHD_Connection *c)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, so one pointer's size
        w->conn = realloc(w->conn, w->cap * sizeof *w->conn);
        if (!w->conn)
            abort(); /* as strbuf: no meaningful recovery from out-of-memory here */
    }
    w->conn[w->n++] = c;
}

/* After the lock is released. */
static void wakeups_run(struct wakeups *w)
{
    for (size_t i = 0; i < w->n; i++)
        MHD_resume_connection(w->conn[i]);
    free(w->conn);
    *w = (struct wakeups){0};
}

static void wake_locked(struct stream *s, struct wakeups *w)
{
    if (s->suspended) {
        s->suspended = false;
        wakeups_add(w, s->conn);
    }
}

static void queue_locked(struct stream *s, const char *text, size_t len, struct wakeups *w)
{
    if (s->closing)
        return;
    if (s->out.len - s->sent + len > OUT_LIMIT)
        s->closing = true; /* it reconnects and reads its snapshot again */
    else
        sb_append(&s->out, text, len);
    wake_locked(s, w);
}

static void end_locked(struct stream *s, const char *reason, struct wakeups *w)
{
    if (reason) {
        char text[96];
        int n = snprintf(text, sizeof text, "event: session_end\ndata: {\"reason\":\"%s\"}\n\n",
                         reason);
        queue_locked(s, text, (size_t)n, w);
    }
    s->closing = true;
    wake_locked(s, w);
}

/* --- the stream as libmicrohttpd sees it (HTTP threads) ------------------------------- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    pthread_mutex_lock(&lock);
    size_t left = s->out.len - s->sent;
    if (left) {
        size_t n = left < max ? left : max;
        memcpy(buf, s->out.data + s->sent, n);
        s->sent += n;
        if (s->sent == s->out.len) {
            sb_free(&s->out); /* an idle stream holds no buffer */
            s->sent = 0;
        }
        pthread_mutex_unlock(&lock);
        return (ssize_t)n;
    }
    if (s->closing) {
        pthread_mutex_unlock(&lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* Suspended before the flag is set, both under the lock: the hub never resumes a
     * connection that is not suspended. */
    MHD_suspend_connection(s->conn);
    s->suspended = true;
    pthread_mutex_unlock(&lock);
    return 0;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    pthread_mutex_lock(&lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    nstreams--;
    pthread_mutex_unlock(&lock);
    sb_free(&s->out);
    free(s);
}

static long long parse_utc(const char *t)
{
    struct tm tm = {0};
    const char *end = t && t[0] ? strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    return end && !*end ? (long long)timegm(&tm) : 0;
}

/* The first time the session must be checked again: its idle end or its lifetime. */
static long long first_deadline(const struct principal *p)
{
    long long idle = parse_utc(p->idle_expires_at), life = parse_utc(p->expires_at);
    long long d = idle && (!life || idle < life) ? idle : life;
    return d ? d : (long long)time(NULL) + 60;
}

static bool may_use(const struct principal *p, enum capability c)
{
    return role_may_use(p->account_role, c, config_is_verification(), p->institution_not_started);
}

enum event_open event_hub_open(struct request *req, struct MHD_Response **out)
{
    const struct principal *p = &req->principal;
    const struct config *c = config_current();
    *out = NULL;
    if (!atomic_load(&running))
        return EVENT_OPEN_FAILED;
    struct stream *s = calloc(1, sizeof *s);
    if (!s)
        return EVENT_OPEN_FAILED;
    snprintf(s->institution, sizeof s->institution, "%s", p->institution);
    snprintf(s->user_id, sizeof s->user_id, "%s", p->user_id);
    s->role = p->account_role;
    snprintf(s->digest, sizeof s->digest, "%s", p->digest);
    s->tier = p->account_role == ROLE_MASTER ? ROLE_MASTER : ROLE_ADMIN;
    s->bulk = may_use(p, CAP_BULK);
    s->readers = may_use(p, CAP_READERS);
    s->deadline = first_deadline(p);
    s->service_up = -1;
    s->conn = req->conn;
    sb_printf(&s->out, "retry: %d\nevent: ready\ndata: {\"heartbeat_seconds\":%d}\n\n", RETRY_MS,
              c->event_heartbeat_seconds);

    pthread_mutex_lock(&lock);
    int same = 0;
    for (struct stream *o = streams; o; o = o->next)
        same += !o->closing && strcmp(o->digest, s->digest) == 0 &&
                strcmp(o->institution, s->institution) == 0;
    /* The session's own limit first: it is the one the user can do something about. */
    enum event_open rc = same >= c->event_streams_per_session ? EVENT_OPEN_SESSION_LIMIT
                         : nstreams >= c->event_streams_max   ? EVENT_OPEN_CAPACITY
                                                              : EVENT_OPEN_OK;
    if (rc == EVENT_OPEN_OK) {
        s->id = ++last_id;
        s->next = streams;
        if (streams)
            streams->prev = s;
        streams = s;
        nstreams++;
    }
    pthread_mutex_unlock(&lock);
    if (rc != EVENT_OPEN_OK) {
        sb_free(&s->out);
        free(s);
        return rc;
    }
    /* From here the response owns the stream: stream_free unlinks it. */
    /* The block size is what libmicrohttpd allocates (and zeroes) for the response; events are
     * copied straight into the connection's write buffer, so a small one is enough. */
    *out = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, &stream_read, s, &stream_free);
    if (!*out) {
        stream_free(s);
        return EVENT_OPEN_FAILED;
    }
    /* Heartbeats keep it busy; a client that stops reading is dropped after three. */
    int timeout = 3 * c->event_heartbeat_seconds;
    MHD_set_connection_option(
        req->conn, MHD_CONNECTION_OPTION_TIMEOUT,
        (unsigned)(timeout > c->connection_timeout ? timeout : c->connection_timeout));
    return EVENT_OPEN_OK;
}

int event_hub_streams(void)
{
    pthread_mutex_lock(&lock);
    int n = nstreams;
    pthread_mutex_unlock(&lock);
    return n;
}

void event_hub_close_all(void)
{
    struct wakeups w = {0};
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next)
        end_locked(s, NULL, &w);
    pthread_mutex_unlock(&lock);
    wakeups_run(&w);
}

void event_hub_reload(void)
{
    atomic_store(&reload_asked, true);
    worker_wake(&worker);
}

/* --- fan-out (hub thread) ------------------------------------------------------------ */

enum want { WANT_BULK, WANT_READERS };

static bool wants(const struct stream *s, const char *code, enum want want, enum role tier)
{
    if (s->closing || strcmp(s->institution, code) != 0)
        return false;
    if (want == WANT_BULK)
        return s->bulk && s->tier == tier;
    return s->readers;
}

static bool anyone_wants(const char *code, enum want want, enum role tier)
{
    pthread_mutex_lock(&lock);
    bool any = false;
    for (struct stream *s = streams; s && !any; s = s->next)
        any = wants(s, code, want, tier);
    pthread_mutex_unlock(&lock);
    return any;
}

/* `event: kind` with `data` (one line: compact JSON) to every stream that wants it; for a
 * service state (`service_up` ≥ 0), only to those not told it yet. */
static void broadcast(const char *code, enum want want, enum role tier, const char *kind,
                      json_t *data, int service_up)
{
    char *text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return;
    struct strbuf ev = {0};
    sb_printf(&ev, "event: %s\ndata: %s\n\n", kind, text);
    free(text);
    struct wakeups w = {0};
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next) {
        if (!wants(s, code, want, tier) || (service_up >= 0 && s->service_up == service_up))
            continue;
        if (service_up >= 0)
            s->service_up = service_up;
        queue_locked(s, ev.data, ev.len, &w);
    }
    pthread_mutex_unlock(&lock);
    wakeups_run(&w);
    sb_free(&ev);
}

static void everyone(const char *text)
{
    struct wakeups w = {0};
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next)
        queue_locked(s, text, strlen(text), &w);
    pthread_mutex_unlock(&lock);
    wakeups_run(&w);
}

/* `job`: the job as the commit left it (schema/0010); read from the table when absent. */
static void on_bulk_job(struct db *db, const char *code, enum role tier, const char *number,
                        json_t *job)
{
    if (!anyone_wants(code, WANT_BULK, tier))
        return;
    json_t *items = json_array();
    if (json_is_object(job))
        json_array_append(items, job);
    else if (store_bulk_list(db, code, role_id(tier), number, items) <= 0)
        json_array_clear(items);
    json_t *found = json_array_get(items, 0);
    if (found) {
        present_job(found);
        broadcast(code, WANT_BULK, tier, "bulk_job", found, -1);
    }
    json_decref(items);
}

static void on_reader(struct db *db, const char *code, const char *name)
{
    if (!anyone_wants(code, WANT_READERS, ROLE__COUNT))
        return;
    json_t *list = NULL;
    if (store_readers_list(db, code, config_current()->reader_visual_seconds, &list) > 0) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(list, "items"), i, item)
        {
            if (strcmp(json_string_value(json_object_get(item, "name")), name) == 0)
                broadcast(code, WANT_READERS, ROLE__COUNT, "reader", item, -1);
        }
    }
    json_decref(list);
}

/* The service's state to every readers stream of `code` that has not been told it yet. */
static void service_state(const char *code, bool up, const char *seen_at, void *ctx)
{
    (void)ctx;
    json_t *data = json_pack("{s:b, s:s?}", "up", up, "seen_at", seen_at);
    broadcast(code, WANT_READERS, ROLE__COUNT, "reader_service", data, up);
    json_decref(data);
}

/* For one institution (code) or for every institution with a readers stream (NULL): the
 * heartbeat of a bridge that died stops without any notification. */
static void check_services(struct db *db, const char *code)
{
    struct strbuf codes = {0};
    sb_puts(&codes, "{");
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next)
        if (s->readers && !s->closing && (!code || strcmp(s->institution, code) == 0) &&
            !strstr(codes.data, s->institution)) /* codes are 10 digits: no false match */
            sb_printf(&codes, "%s\"%s\"", codes.len > 1 ? "," : "", s->institution);
    pthread_mutex_unlock(&lock);
    sb_puts(&codes, "}");
    if (codes.len > 2)
        store_reader_services_state(db, codes.data, &service_state, NULL);
    sb_free(&codes);
}

struct to_check {
    unsigned long long id;
    char institution[11], digest[67];
    enum role role;
};

/* Checks again, without touching them, the sessions of the streams that match: of one
 * account (user_id not NULL) or whose deadline has come. */
static void check_sessions(struct db *db, const char *code, const char *user_id)
{
    struct to_check list[MAX_SESSION_CHECKS];
    int n = 0;
    long long now = (long long)time(NULL);
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s && n < MAX_SESSION_CHECKS; s = s->next) {
        bool match = user_id ? strcmp(s->institution, code) == 0 && strcmp(s->user_id, user_id) == 0
                             : s->deadline <= now;
        if (!match || s->closing)
            continue;
        list[n].id = s->id;
        memcpy(list[n].institution, s->institution, sizeof list[n].institution);
        memcpy(list[n].digest, s->digest, sizeof list[n].digest);
        list[n].role = s->role;
        n++;
    }
    pthread_mutex_unlock(&lock);
    int idle = config_current()->session_idle_timeout;
    for (int i = 0; i < n; i++) {
        struct session_check c;
        int rc = store_session_check(db, list[i].institution, list[i].digest, idle, &c);
        if (rc < 0)
            return; /* the database is away: the deadlines stay due, checked next tick */
        enum role now_role;
        bool same_role = role_parse(c.role, &now_role) && now_role == list[i].role;
        const char *reason = rc == 0             ? "ended"
                             : !c.account_usable ? "disabled"
                             : !c.alive          ? "expired"
                             : !same_role        ? "changed"
                                                 : NULL;
        struct wakeups w = {0};
        pthread_mutex_lock(&lock);
        for (struct stream *s = streams; s; s = s->next) {
            if (s->id != list[i].id)
                continue;
            if (reason)
                end_locked(s, reason, &w);
            else /* used meanwhile by other requests: its new end */
                s->deadline = c.deadline > now ? c.deadline : now + 1;
            break;
        }
        pthread_mutex_unlock(&lock);
        wakeups_run(&w);
    }
}

/* After a reload: the newest streams beyond lowered limits end, and every session's deadline
 * is due (the idle timeout may have changed). */
static void apply_limits(void)
{
    const struct config *c = config_current();
    struct wakeups w = {0};
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next)
        s->deadline = 0;
    int open = 0;
    for (struct stream *s = streams; s; s = s->next)
        open += !s->closing;
    for (struct stream *s = streams; s; s = s->next) {
        if (s->closing)
            continue;
        int same = 0;
        for (struct stream *o = s->next; o; o = o->next)
            same += !o->closing && strcmp(o->digest, s->digest) == 0;
        if (open > c->event_streams_max || same >= c->event_streams_per_session) {
            end_locked(s, NULL, &w);
            open--;
        }
    }
    pthread_mutex_unlock(&lock);
    wakeups_run(&w);
}

static void dispatch(void *ctx, const char *channel, const char *payload)
{
    (void)channel; /* the hub listens to onshi_events only */
    struct db *db = ctx;
    json_t *j = json_loads(payload, 0, NULL);
    const char *kind = json_string_value(json_object_get(j, "kind"));
    const char *code = json_string_value(json_object_get(j, "institution"));
    if (kind && code) {
        if (strcmp(kind, "bulk_job") == 0) {
            enum role tier;
            const char *number = json_string_value(json_object_get(j, "reception_number"));
            if (role_parse(json_string_value(json_object_get(j, "tier")), &tier) && number)
                on_bulk_job(db, code, tier, number, json_object_get(j, "job"));
        } else if (strcmp(kind, "reader") == 0) {
            const char *name = json_string_value(json_object_get(j, "name"));
            if (name)
                on_reader(db, code, name);
        } else if (strcmp(kind, "reader_service") == 0) {
            check_services(db, code);
        } else if (strcmp(kind, "account") == 0) {
            session_cache_clear(); /* first: the streams' checks below take a round trip */
            const char *user = json_string_value(json_object_get(j, "user_id"));
            if (user)
                check_sessions(db, code, user);
        } else if (strcmp(kind, "institution") == 0) {
            session_cache_clear();
        }
    }
    json_decref(j);
}

/* --- the thread ---------------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void hub_main(struct worker *w, void *arg)
{
    (void)arg;
    char err[256];
    struct notify_listener listener = {NULL, store_events_listen, 0, session_cache_hub_awake};
    bool listened_before = false;
    long long next_heartbeat = now_ms() + config_current()->event_heartbeat_seconds * 1000LL;
    long long next_service = now_ms() + SERVICE_CHECK_SECONDS * 1000LL;
    while (!worker_stopping(w)) {
        if (!listener.db && !(listener.db = db_open(&options, err, sizeof err))) {
            session_cache_listening(false);
            log_msg(LOG_WARN, "event hub: %s", err);
            worker_wait(w, 1000, -1);
            continue;
        }
        struct db *db = listener.db;
        if (db_ensure(db) != 0) {
            session_cache_listening(false);
            worker_wait(w, TICK_MS, -1);
            continue;
        }
        int listened = notify_listen(&listener);
        if (listened < 0) {
            session_cache_listening(false);
            worker_wait(w, 1000, -1);
            continue;
        }
        /* Nothing notified before this LISTEN reaches us: the cache starts again. */
        if (listened)
            session_cache_clear();
        session_cache_watch(PQsocket(db_conn(db)));
        session_cache_listening(true);
        /* Whatever happened while nobody listened is lost: every stream reads again. */
        if (listened && listened_before) {
            log_msg(LOG_NOTICE, "event hub: listening again; streams asked to resync");
            everyone("event: resync\ndata: {}\n\n");
        }
        listened_before = true;
        /* A reload wakes the wait (event_hub_reload). */
        if (notify_wait(&listener, w, TICK_MS, dispatch, db) < 0) {
            session_cache_listening(false);
            continue; /* db_ensure reconnects it, and it listens again */
        }
        if (atomic_exchange(&reload_asked, false))
            apply_limits(); /* and every session is checked again: the timeouts may differ */
        check_sessions(db, NULL, NULL);
        long long t = now_ms();
        if (t >= next_heartbeat) {
            everyone(": heartbeat\n\n");
            next_heartbeat = t + config_current()->event_heartbeat_seconds * 1000LL;
        }
        if (t >= next_service) {
            check_services(db, NULL);
            next_service = t + SERVICE_CHECK_SECONDS * 1000LL;
        }
    }
    session_cache_listening(false);
    db_close(listener.db);
}

int event_hub_start(const struct db_options *opt, void (*present_bulk_job)(json_t *job))
{
    options = *opt;
    present_job = present_bulk_job;
    if (worker_start(&worker, hub_main, NULL, "onshi-events") != 0)
        return -1;
    atomic_store(&running, true);
    return 0;
}

void event_hub_stop(void)
{
    if (!atomic_exchange(&running, false))
        return;
    worker_stop(&worker);
    if (nstreams)
        log_msg(LOG_ERROR, "event hub stopped with %d streams open", nstreams);
}
