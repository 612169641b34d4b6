/* Our own listening socket and accept thread. libmicrohttpd's pool threads accept for
 * themselves, and one that wakes first takes every waiting connection: with blocking
 * database calls that leaves some threads idle while others serialize several clients.
 * Accepting here and handing each connection to MHD_add_connection spreads them over the
 * pool (MHD picks the worker from the socket number). */
#ifndef ONSHI_LISTENER_H
#define ONSHI_LISTENER_H

#include <microhttpd.h>
#include <stddef.h>

/* Binds and listens; returns the socket or -1 with a message. */
int listener_open(const char *address, int port, char *err, size_t errlen);
/* The port the socket is bound to. */
int listener_port(int fd);
/* Starts the accept thread feeding `daemon`, admitting connections through http/guard.h
 * (at most `limit` open at once plus its reserve; the ones refused are answered 503
 * server.busy and closed here: libmicrohttpd 0.9.75 deadlocks its workers at shutdown once
 * its own limit has tripped, so that one is set above ours and never reached) and sweeping
 * those past their bounds. guard_init must have run. The thread owns fd from now on. */
int listener_start(int fd, struct MHD_Daemon *daemon, int limit);
/* Stops accepting: joins the thread and closes the socket. Idempotent. */
void listener_stop(void);

#endif
