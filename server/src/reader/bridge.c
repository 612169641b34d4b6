#include "reader/bridge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/worker.h"

static const char pnp_name[] = "\\\\?PnP?\\Notification";

void bridge_init(struct bridge *b, const struct pcsc_ops *ops, struct bridge_events ev,
                 int read_timeout_ms)
{
    memset(b, 0, sizeof *b);
    b->ops = ops;
    b->ev = ev;
    b->read_timeout_ms = read_timeout_ms;
    b->backoff_ms = 250;
    pthread_mutex_init(&b->lock, NULL);
}

static void service(struct bridge *b, bool up)
{
    if (b->service_reported && b->service_up == up)
        return;
    b->service_reported = true;
    b->service_up = up;
    b->ev.service(b->ev.ctx, up);
}

/* The service went away: forget the context, report, and back off (250 ms doubling to 2 s). */
static int lost(struct bridge *b)
{
    pthread_mutex_lock(&b->lock);
    if (b->have_ctx)
        b->ops->release(b->ops->self, b->ctx);
    b->have_ctx = false;
    pthread_mutex_unlock(&b->lock);
    for (size_t i = 0; i < b->n; i++)
        b->ev.state(b->ev.ctx, b->names[i], "unavailable");
    b->n = 0;
    b->listed = false;
    service(b, false);
    int wait = b->backoff_ms;
    b->backoff_ms = b->backoff_ms * 2 > 2000 ? 2000 : b->backoff_ms * 2;
    return wait;
}

static int relist(struct bridge *b)
{
    DWORD len = 0;
    char *buf = NULL;
    /* The size first, then the names: however many and however long they are. */
    LONG rc = b->ops->list(b->ops->self, b->ctx, NULL, &len);
    if (rc == SCARD_S_SUCCESS && !(buf = malloc(len ? len : 1)))
        return -1;
    if (rc == SCARD_S_SUCCESS)
        rc = b->ops->list(b->ops->self, b->ctx, buf, &len);
    char names[BRIDGE_MAX_READERS][BRIDGE_NAME_MAX] = {{0}};
    DWORD states[BRIDGE_MAX_READERS] = {0};
    size_t n = 0;
    if (rc == SCARD_S_SUCCESS) {
        for (const char *p = buf; p < buf + len && *p; p += strnlen(p, buf + len - p) + 1) {
            if (strnlen(p, buf + len - p) >= BRIDGE_NAME_MAX || n == BRIDGE_MAX_READERS) {
                b->skipped++; /* reported by the caller: a reader this bridge cannot follow */
                continue;
            }
            strcpy(names[n], p);
            states[n] = SCARD_STATE_UNAWARE; /* ask for its state now */
            for (size_t i = 0; i < b->n; i++)
                if (strcmp(b->names[i], p) == 0)
                    states[n] = b->states[i]; /* known: keep following it */
            n++;
        }
    } else if (rc != SCARD_E_NO_READERS_AVAILABLE) {
        free(buf);
        return -1;
    }
    free(buf);
    for (size_t i = 0; i < b->n; i++) { /* the ones that went away */
        bool still = false;
        for (size_t k = 0; k < n; k++)
            still |= strcmp(b->names[i], names[k]) == 0;
        /* Gone; said already when its last state was unknown or unavailable. */
        if (!still && !(b->states[i] & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)))
            b->ev.state(b->ev.ctx, b->names[i], "unavailable");
    }
    bool same = n == b->n;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(names[i], b->names[i]) == 0;
    memcpy(b->names, names, sizeof names);
    memcpy(b->states, states, sizeof states);
    b->n = n;
    if (!same || !b->listed) /* only news: the PnP entry also fires without a change */
        b->ev.readers(b->ev.ctx, b->names, b->n);
    b->listed = true;
    return 0;
}

/* Reading a card happens on a thread of its own with a context of its own: a card that
 * never answers blocks that thread (until it is removed), not the bridge. */
struct card_job {
    const struct pcsc_ops *ops;
    char reader[BRIDGE_NAME_MAX];
    enum jpki_result result;
    char serial[JPKI_DECIMAL_MAX + 1];
    bool done, abandoned, cancelled;
    pthread_mutex_t m;
    pthread_cond_t c;
};

struct link {
    const struct pcsc_ops *ops;
    SCARDHANDLE card;
    DWORD protocol;
};

static int link_transmit(void *ctx, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap,
                         size_t *resp_len)
{
    struct link *l = ctx;
    DWORD rl = (DWORD)cap;
    if (l->ops->transmit(l->ops->self, l->card, l->protocol, apdu, len, resp, &rl) !=
        SCARD_S_SUCCESS)
        return -1;
    *resp_len = rl;
    return 0;
}

static void *card_thread(void *p)
{
    struct card_job *j = p;
    worker_set_name("onshi-card");
    SCARDCONTEXT ctx;
    enum jpki_result r = JPKI_NO_ANSWER;
    char serial[JPKI_DECIMAL_MAX + 1] = "";
    if (j->ops->establish(j->ops->self, &ctx) == SCARD_S_SUCCESS) {
        struct link l = {j->ops, 0, 0};
        if (j->ops->connect(j->ops->self, ctx, j->reader, &l.card, &l.protocol) ==
            SCARD_S_SUCCESS) {
            r = jpki_read_serial(link_transmit, &l, serial);
            j->ops->disconnect(j->ops->self, l.card);
        }
        j->ops->release(j->ops->self, ctx);
    }
    pthread_mutex_lock(&j->m);
    j->result = r;
    memcpy(j->serial, serial, sizeof serial);
    j->done = true;
    bool abandoned = j->abandoned;
    pthread_cond_signal(&j->c);
    pthread_mutex_unlock(&j->m);
    if (abandoned) { /* nobody waits any more: the job is ours to free */
        pthread_mutex_destroy(&j->m);
        pthread_cond_destroy(&j->c);
        free(j);
    }
    return NULL;
}

static enum jpki_result read_card(struct bridge *b, const char *reader, char *serial)
{
    struct card_job *j = calloc(1, sizeof *j);
    if (!j)
        return JPKI_NO_ANSWER;
    j->ops = b->ops;
    strcpy(j->reader, reader);
    pthread_mutex_init(&j->m, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a clock step changes no timeout */
    pthread_cond_init(&j->c, &ca);
    pthread_condattr_destroy(&ca);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int started = pthread_create(&t, &attr, card_thread, j);
    pthread_attr_destroy(&attr);
    if (started != 0) {
        free(j);
        return JPKI_NO_ANSWER;
    }
    pthread_mutex_lock(&b->lock);
    bool stopping = b->stopping;
    if (!stopping)
        b->job = j;
    pthread_mutex_unlock(&b->lock);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += b->read_timeout_ms / 1000;
    until.tv_nsec += (long)(b->read_timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&j->m);
    j->cancelled |= stopping; /* already stopping: do not wait at all */
    while (!j->done && !j->cancelled && pthread_cond_timedwait(&j->c, &j->m, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&j->m);
    /* Unpublished first (bridge_cancel takes b->lock, then the job's lock), then decided:
     * a job given up is the card thread's to free, and nobody else may touch it after. */
    pthread_mutex_lock(&b->lock);
    b->job = NULL;
    pthread_mutex_lock(&j->m);
    bool done = j->done;
    enum jpki_result r = done ? j->result : JPKI_NO_ANSWER;
    if (done)
        strcpy(serial, j->serial);
    else
        j->abandoned = true;
    pthread_mutex_unlock(&j->m);
    pthread_mutex_unlock(&b->lock);
    if (done) {
        pthread_mutex_destroy(&j->m);
        pthread_cond_destroy(&j->c);
        free(j);
    }
    return r;
}

static bool stopping(struct bridge *b)
{
    pthread_mutex_lock(&b->lock);
    bool s = b->stopping;
    pthread_mutex_unlock(&b->lock);
    return s;
}

/* After a read without an answer: whether the card is still there (a look that does not
 * wait). When it is gone, its new state is taken as known. */
static bool card_gone(struct bridge *b, size_t i)
{
    SCARD_READERSTATE one = {0};
    one.szReader = b->names[i];
    one.dwCurrentState = b->states[i];
    if (b->ops->wait(b->ops->self, b->ctx, 0, &one, 1) != SCARD_S_SUCCESS ||
        !(one.dwEventState & SCARD_STATE_CHANGED) || (one.dwEventState & SCARD_STATE_PRESENT))
        return false;
    b->states[i] = one.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
    return true;
}

static void handle_reader(struct bridge *b, size_t i, DWORD event)
{
    DWORD before = b->states[i];
    b->states[i] = event & ~(DWORD)SCARD_STATE_CHANGED;
    bool was = before & SCARD_STATE_PRESENT, now = event & SCARD_STATE_PRESENT;
    /* The high word counts insertions and removals: a card taken out and another put in
     * between two looks is present before and after, with a different count. */
    bool swapped = was && now && before != SCARD_STATE_UNAWARE && (before >> 16) != (event >> 16);
    const char *name = b->names[i];
    if (event & (SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN)) {
        b->ev.state(b->ev.ctx, name, "unavailable");
        b->relist = true; /* another reader may have taken its place: the count alone hides it */
    } else if (now && (!was || swapped)) {
        if (event & SCARD_STATE_MUTE) {
            b->ev.state(b->ev.ctx, name, "mute");
            b->ev.card(b->ev.ctx, name, JPKI_NO_ANSWER, "");
            return;
        }
        b->ev.state(b->ev.ctx, name, "card_present");
        char serial[JPKI_DECIMAL_MAX + 1] = "";
        enum jpki_result r = read_card(b, name, serial);
        if (stopping(b))
            return; /* given up for the shutdown: nothing more is reported */
        if (r == JPKI_NO_ANSWER && card_gone(b, i)) {
            r = JPKI_REMOVED; /* taken out halfway, not a mute card */
            b->ev.state(b->ev.ctx, name, "empty");
        } else if (r == JPKI_NO_ANSWER)
            b->ev.state(b->ev.ctx, name, "mute");
        b->ev.card(b->ev.ctx, name, r, serial);
    } else if (!now && (was || before == SCARD_STATE_UNAWARE)) {
        b->ev.state(b->ev.ctx, name, "empty");
    }
}

int bridge_step(struct bridge *b, DWORD wait_ms)
{
    if (stopping(b))
        return 0;
    if (!b->have_ctx) {
        SCARDCONTEXT ctx;
        if (b->ops->establish(b->ops->self, &ctx) != SCARD_S_SUCCESS)
            return lost(b);
        pthread_mutex_lock(&b->lock);
        b->ctx = ctx;
        b->have_ctx = true;
        pthread_mutex_unlock(&b->lock);
        b->relist = true;
        b->pnp_state = SCARD_STATE_UNAWARE;
    }
    if (b->relist) {
        if (relist(b) != 0)
            return lost(b);
        b->relist = false;
        service(b, true);
        b->backoff_ms = 250;
    }
    SCARD_READERSTATE rs[BRIDGE_MAX_READERS + 1];
    memset(rs, 0, sizeof rs);
    rs[0].szReader = pnp_name;
    rs[0].dwCurrentState = b->pnp_state;
    for (size_t i = 0; i < b->n; i++) {
        rs[i + 1].szReader = b->names[i];
        rs[i + 1].dwCurrentState = b->states[i];
    }
    LONG rc = b->ops->wait(b->ops->self, b->ctx, wait_ms, rs, (DWORD)(b->n + 1));
    if (rc == SCARD_E_TIMEOUT || rc == SCARD_E_CANCELLED)
        return 0;
    if (rc != SCARD_S_SUCCESS)
        return lost(b); /* pcscd stopped (SCARD_F_COMM_ERROR, SCARD_E_NO_SERVICE, …) */
    if (rs[0].dwEventState & SCARD_STATE_CHANGED) {
        b->pnp_state = rs[0].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        b->relist = true;
    }
    for (size_t i = 0; i < b->n && !stopping(b); i++)
        if (rs[i + 1].dwEventState & SCARD_STATE_CHANGED)
            handle_reader(b, i, rs[i + 1].dwEventState);
    return 0;
}

void bridge_cancel(struct bridge *b)
{
    pthread_mutex_lock(&b->lock);
    b->stopping = true;
    if (b->have_ctx)
        b->ops->cancel(b->ops->self, b->ctx);
    if (b->job) { /* the read waited for is given up now, not at its timeout */
        pthread_mutex_lock(&b->job->m);
        b->job->cancelled = true;
        pthread_cond_signal(&b->job->c);
        pthread_mutex_unlock(&b->job->m);
    }
    pthread_mutex_unlock(&b->lock);
}

void bridge_close(struct bridge *b)
{
    pthread_mutex_lock(&b->lock);
    if (b->have_ctx)
        b->ops->release(b->ops->self, b->ctx);
    b->have_ctx = false;
    pthread_mutex_unlock(&b->lock); /* kept: bridge_cancel may still come from another thread */
}
