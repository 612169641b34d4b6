/* Work that blocks (password hashing: 25–50 ms of CPU) runs here, off the HTTP threads:
 * the handler suspends its connection and queues the work; a worker runs it; the connection
 * resumes and `done` builds the reply on the HTTP thread again (where the database
 * connection is). The queue is bounded: when it is full the request gets 503 server.busy.
 * Work whose client has left by the time a worker takes it is not run (a crowd that gave up
 * waiting must not keep the queue full for those still there); `abandon` then releases what
 * the request had taken, as it does when the client leaves before `done` could answer. */
#ifndef ONSHI_DEFER_H
#define ONSHI_DEFER_H

#include <microhttpd.h>

#include "http/request.h"

typedef void (*defer_work_fn)(void *ctx);                                 /* worker thread */
typedef enum MHD_Result (*defer_done_fn)(struct request *req, void *ctx); /* HTTP thread */
typedef void (*defer_abandon_fn)(void *ctx); /* HTTP thread: the client left unanswered */

int defer_pool_start(int threads, int queue_limit);
/* Runs what is queued, resumes every connection, joins the workers. Call before
 * MHD_stop_daemon: MHD must not be stopped with suspended connections. */
void defer_pool_stop(void);
/* The pool's size and queue bound, as started (0 before). */
int defer_pool_workers(void);
int defer_pool_queue_limit(void);

/* From a handler: queues `work` and suspends the request; `done` later answers it, or
 * `abandon` (may be NULL) runs instead when the client left first; `free_ctx` (may be NULL)
 * releases ctx afterwards in any case. */
enum MHD_Result http_defer(struct request *req, defer_work_fn work, defer_done_fn done,
                           defer_abandon_fn abandon, void *ctx, void (*free_ctx)(void *ctx));
/* Deferred work not run because its client had left, since start (metrics, tests). */
unsigned long defer_abandoned_count(void);

/* Dispatcher side: true if req has finished deferred work waiting for its `done`. */
int defer_take_done(struct request *req, enum MHD_Result *result);
/* Dispatcher side, on request completion: releases what the request still holds. */
void defer_release(struct request *req);

#endif
