/* A named background thread with a stop flag and a wake-up descriptor (an eventfd), in the
 * shape of Redis's bio.c: every long-lived thread of onshid (the bulk worker, history
 * maintenance, the reader bridge, the event hub, the deferred-work pool) and of the hashing
 * helper is one. Its body waits with worker_wait, which returns on stop, on a wake-up, at a
 * timeout, or when a descriptor of its own (a database socket, a queue) is readable, so no
 * thread polls a flag. The struct is the caller's (a static, usually); its fields are this
 * module's. */
#ifndef ONSHI_UTIL_WORKER_H
#define ONSHI_UTIL_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

enum { WORKER_NAME_MAX = 16 }; /* the kernel's limit, the NUL included */

struct worker;
typedef void (*worker_fn)(struct worker *w, void *arg);

struct worker {
    pthread_t thread;
    atomic_bool stopping;
    int wake_fd;  /* eventfd: readable after worker_wake or worker_request_stop */
    bool running; /* started and not yet joined (the controlling thread's) */
    char name[WORKER_NAME_MAX];
    worker_fn run;
    void *arg;
};

enum worker_event {
    WORKER_STOP,    /* stop was asked: finish up and return */
    WORKER_WOKEN,   /* worker_wake */
    WORKER_TIMEOUT, /* timeout_ms passed */
    WORKER_READY,   /* extra_fd is readable (or closed, or in error) */
};

/* Starts `run(w, arg)` on a thread named by the printf-style `name` (cut to 15 bytes).
 * 0, or -1 (nothing to stop then). */
int worker_start(struct worker *w, worker_fn run, void *arg, const char *name, ...)
    __attribute__((format(printf, 4, 5)));
/* From the worker itself: whether stop was asked. */
bool worker_stopping(struct worker *w);
/* From the worker: waits up to timeout_ms (-1: no limit) for stop, a wake-up, or extra_fd
 * (-1: none) to be readable. A wake-up is consumed by the wait that reports it. */
enum worker_event worker_wait(struct worker *w, int timeout_ms, int extra_fd);
/* From any thread: makes the worker's current or next worker_wait return WORKER_WOKEN. */
void worker_wake(struct worker *w);
/* From the controlling thread: sets the stop flag and wakes the worker, without waiting;
 * for a worker blocked elsewhere too (a PC/SC wait), whose own cancel comes next. False when
 * the worker is not running (nothing to cancel then). */
bool worker_request_stop(struct worker *w);
/* Joins the thread and releases the descriptor; does nothing when the worker is not
 * running, so a subsystem's stop may be called whether or not it started. */
void worker_join(struct worker *w);
/* worker_request_stop, then worker_join. */
void worker_stop(struct worker *w);

/* Names the calling thread `name` (cut to 15 bytes): threads that are not workers (a card
 * read, which may outlive its bridge). */
void worker_set_name(const char *name);
/* Names the calling thread `prefix-N` once (later calls on the same thread do nothing), N
 * counting from 1 in the order threads first call it: for threads that others create
 * (libmicrohttpd's), named from a callback that runs on them. */
void worker_name_this_thread(const char *prefix);

#endif
