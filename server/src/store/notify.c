#include "store/notify.h"

int notify_listen(struct notify_listener *l)
{
    PGconn *conn = db_conn(l->db);
    int pid = conn ? PQbackendPID(conn) : 0;
    if (pid != 0 && pid == l->backend_pid)
        return 0;
    int rc = pid ? l->listen(l->db) : DB_SOFT;
    if (rc < 0) {
        l->backend_pid = 0;
        return rc;
    }
    l->backend_pid = pid;
    return 1;
}

/* Reads what the server sent and hands over the notifications among it: their count, or -1
 * when the connection failed. */
static int take(struct notify_listener *l, PGconn *conn, notify_fn fn, void *ctx)
{
    if (!conn || !PQconsumeInput(conn)) {
        l->backend_pid = 0;
        return -1;
    }
    int n = 0;
    PGnotify *note;
    while ((note = PQnotifies(conn))) {
        n++;
        if (fn)
            fn(ctx, note->relname, note->extra);
        PQfreemem(note);
    }
    return n;
}

int notify_wait(struct notify_listener *l, struct worker *w, int timeout_ms, notify_fn fn,
                void *ctx)
{
    PGconn *conn = db_conn(l->db);
    /* Notifications that came with an earlier result are read already: the socket shows
     * nothing for them. */
    int n = take(l, conn, fn, ctx);
    if (n != 0)
        return n;
    if (l->awake)
        l->awake(false);
    worker_wait(w, timeout_ms, PQsocket(conn));
    if (l->awake)
        l->awake(true);
    return take(l, conn, fn, ctx);
}
