#include "http/defer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "http/reply.h"
#include "util/hash_pool.h"
#include "util/log.h"

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
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct deferred *head, *tail;
static int queued, limit;
static bool stopping;
static pthread_t *workers;
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

static void *worker_main(void *arg)
{
    /* Worker i hashes through channel i of the hashing helper (one channel per worker). */
    hash_pool_attach((int)(intptr_t)arg);
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!head && !stopping)
            pthread_cond_wait(&wake, &lock);
        struct deferred *d = head;
        if (!d) { /* stopping and nothing left */
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        head = d->next;
        if (!head)
            tail = NULL;
        queued--;
        pthread_mutex_unlock(&lock);
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
    limit = queue_limit;
    stopping = false;
    for (nworkers = 0; nworkers < threads; nworkers++)
        if (pthread_create(&workers[nworkers], NULL, worker_main, (void *)(intptr_t)nworkers) !=
            0) {
            defer_pool_stop();
            return -1;
        }
    return 0;
}

void defer_pool_stop(void)
{
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nworkers; i++)
        pthread_join(workers[i], NULL);
    free(workers);
    workers = NULL;
    nworkers = 0;
}

enum MHD_Result http_defer(struct request *req, defer_work_fn work, defer_done_fn done,
                           defer_abandon_fn abandon, void *ctx, void (*free_ctx)(void *ctx))
{
    struct deferred *d = calloc(1, sizeof *d);
    pthread_mutex_lock(&lock);
    bool accepted = d && !stopping && nworkers > 0 && queued < limit;
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
        pthread_cond_signal(&wake);
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
