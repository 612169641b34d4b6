#include "http/defer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/reply.h"
#include "util/hash_pool.h"
#include "util/log.h"
#include "util/worker.h"

struct deferred {
    struct deferred *next;
    struct request *req;
    defer_work_fn work;
    defer_done_fn done;
    defer_abandon_fn abandon;
    void *ctx;
    void (*free_ctx)(void *ctx);
    bool skipped; /* the client had left: work not run */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct deferred *head, *tail;
static int queued, limit;
static bool closed; /* stopping: no more work is taken */
/* Counts the queued items (a semaphore eventfd): a worker that reads one owns one item, and
 * waits for it beside its stop flag. */
static int ready_fd = -1;
static struct worker *workers;
static int nworkers;
static atomic_ulong abandoned;

/* Whether the client closed its side: a suspended connection is not watched by
 * libmicrohttpd, so its socket is asked directly (a peek: nothing is consumed). */
static bool client_gone(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return false;
    char c;
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* A line a second at most, however large the crowd. */
static void report_abandoned(unsigned long total)
{
    static atomic_llong last_s;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long long last = atomic_load(&last_s);
    if (t.tv_sec > last && atomic_compare_exchange_strong(&last_s, &last, (long long)t.tv_sec))
        log_msg(LOG_WARN, "dropped %lu queued checks whose clients had left (since start)", total);
}

unsigned long defer_abandoned_count(void)
{
    return atomic_load(&abandoned);
}

/* The next item, when a count could be taken for it; NULL when the queue is empty. */
static struct deferred *take(void)
{
    uint64_t one;
    if (read(ready_fd, &one, sizeof one) != (ssize_t)sizeof one)
        return NULL;
    pthread_mutex_lock(&lock);
    struct deferred *d = head; /* there is one: it was queued before its count */
    head = d->next;
    if (!head)
        tail = NULL;
    queued--;
    pthread_mutex_unlock(&lock);
    return d;
}

/* Runs what is queued, also once stop is asked (every suspended connection must resume). */
static void worker_main(struct worker *w, void *arg)
{
    /* Worker i hashes through channel i of the hashing helper (one channel per worker). */
    hash_pool_attach((int)(intptr_t)arg);
    for (;;) {
        struct deferred *d = take();
        if (!d) {
            if (worker_stopping(w))
                return;
            worker_wait(w, -1, ready_fd);
            continue;
        }
        if (client_gone(d->req->conn)) {
            d->skipped = true;
            report_abandoned(atomic_fetch_add(&abandoned, 1) + 1);
        } else {
            d->work(d->ctx);
        }
        /* The request owns d from here; its HTTP thread calls `done`. */
        d->req->deferred_ready = true;
        MHD_resume_connection(d->req->conn);
    }
}

int defer_pool_start(int threads, int queue_limit)
{
    if (threads < 1 || !(workers = calloc((size_t)threads, sizeof *workers)))
        return -1;
    ready_fd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    if (ready_fd < 0) {
        defer_pool_stop();
        return -1;
    }
    limit = queue_limit;
    closed = false;
    for (nworkers = 0; nworkers < threads; nworkers++) {
        if (worker_start(&workers[nworkers], worker_main, (void *)(intptr_t)nworkers,
                         "onshi-defer-%d", nworkers + 1) != 0) {
            defer_pool_stop();
            return -1;
        }
    }
    return 0;
}

int defer_pool_workers(void)
{
    return nworkers;
}

int defer_pool_queue_limit(void)
{
    return limit;
}

void defer_pool_stop(void)
{
    pthread_mutex_lock(&lock);
    closed = true;
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nworkers; i++)
        worker_request_stop(&workers[i]);
    for (int i = 0; i < nworkers; i++)
        worker_join(&workers[i]);
    free(workers);
    workers = NULL;
    nworkers = 0;
    if (ready_fd >= 0)
        close(ready_fd);
    ready_fd = -1;
}

enum MHD_Result http_defer(struct request *req, defer_work_fn work, defer_done_fn done,
                           defer_abandon_fn abandon, void *ctx, void (*free_ctx)(void *ctx))
{
    struct deferred *d = calloc(1, sizeof *d);
    pthread_mutex_lock(&lock);
    bool accepted = d && !closed && nworkers > 0 && queued < limit;
    if (accepted) {
        *d = (struct deferred){NULL, req, work, done, abandon, ctx, free_ctx, false};
        req->deferred = d;
        req->deferred_ready = false;
        /* Suspend before a worker can resume: both happen under the lock's ordering. */
        MHD_suspend_connection(req->conn);
        if (tail)
            tail->next = d;
        else
            head = d;
        tail = d;
        queued++;
        /* Counted under the lock: a stopping worker that finds no count finds no item. */
        uint64_t one = 1;
        ssize_t n = write(ready_fd, &one, sizeof one);
        (void)n; /* cannot fail below 2^64 - 1 */
    }
    pthread_mutex_unlock(&lock);
    if (accepted)
        return MHD_YES;
    free(d);
    if (free_ctx)
        free_ctx(ctx);
    log_msg(LOG_WARN, "work queue full (%d waiting): answering 503", limit);
    return reply_error(req, ERR_SERVER_BUSY, NULL);
}

int defer_take_done(struct request *req, enum MHD_Result *result)
{
    struct deferred *d = req->deferred;
    if (!d || !req->deferred_ready)
        return 0;
    req->deferred = NULL;
    if (d->skipped) {
        /* Nobody is there to read an answer; close rather than serve the next request. */
        if (d->abandon)
            d->abandon(d->ctx);
        *result =
            reply_error_with_header(req, ERR_SERVER_BUSY, MHD_HTTP_HEADER_CONNECTION, "close");
    } else {
        *result = d->done(req, d->ctx);
    }
    if (d->free_ctx)
        d->free_ctx(d->ctx);
    free(d);
    return 1;
}

void defer_release(struct request *req)
{
    struct deferred *d = req->deferred;
    if (!d)
        return;
    /* Only reached for work whose reply never ran (connection closed). */
    req->deferred = NULL;
    if (d->abandon)
        d->abandon(d->ctx);
    if (d->free_ctx)
        d->free_ctx(d->ctx);
    free(d);
}
