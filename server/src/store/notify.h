/* The receiving side of LISTEN/NOTIFY for a worker thread with a connection of its own (the
 * bulk worker, the event hub): keeping the connection listening across reconnects, and
 * waiting for a notification, the worker's stop or wake-up, or a timeout in one poll. */
#ifndef ONSHI_STORE_NOTIFY_H
#define ONSHI_STORE_NOTIFY_H

#include "store/db.h"
#include "util/worker.h"

struct notify_listener {
    struct db *db;
    int (*listen)(struct db *db); /* the store function that LISTENs (store_bulk_listen, …) */
    int backend_pid;              /* the backend that listens; 0: none yet */
    /* Called with false when the thread starts waiting on the socket (every notification
     * received so far handed over) and true when it wakes; NULL: nobody asks. */
    void (*awake)(bool awake);
};

/* LISTENs when the connection is not the one that listened (a reconnected session listens
 * to nothing). 1 when it listened just now: what was notified before is lost. 0 when it was
 * listening already; a negative status when LISTEN failed. */
int notify_listen(struct notify_listener *l);

/* Called for each notification, in the order they came. */
typedef void (*notify_fn)(void *ctx, const char *channel, const char *payload);

/* Hands every notification already received to fn (NULL: they are dropped) and returns
 * their count at once when there were any; else waits up to timeout_ms for one, the worker's
 * stop or wake-up, and hands over what came. -1 when the connection failed (the listener
 * listens again after db_ensure reconnects it). */
int notify_wait(struct notify_listener *l, struct worker *w, int timeout_ms, notify_fn fn,
                void *ctx);

#endif
