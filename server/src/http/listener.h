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
/* Starts the accept thread feeding `daemon`; the thread owns fd from now on. */
int listener_start(int fd, struct MHD_Daemon *daemon);
/* Stops accepting: joins the thread and closes the socket. Idempotent. */
void listener_stop(void);

#endif
