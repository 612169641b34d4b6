/* Keeps every client connection within its bounds, so that slow or greedy clients cannot shut
 * others out (libmicrohttpd's connection_timeout counts idle time only: a client sending one
 * header byte every few seconds is never idle):
 * - a connection waiting for a request (new, or kept alive after one) must deliver the
 *   request's head within header_timeout;
 * - a body must arrive at body_min_rate bytes a second on average, after header_timeout of
 *   grace;
 * - one client address (IPv4 address, IPv6 /64) holds at most connections_per_address
 *   connections, trusted_proxy excepted (its clients are its own to limit);
 * - beyond connection_limit, or beyond its address's share, a connection may still be taken
 *   into a reserve of connection_reserve (each address a quarter of it at most): a request
 *   on it is served only for /healthz, /readyz or a signed-in caller, others get 503.
 * The listener admits and sweeps; libmicrohttpd's threads report each connection's phases.
 * Over-time connections are shut down (shutdown(2), not close: the socket stays
 * libmicrohttpd's), which it sees as the client leaving. */
#ifndef ONSHI_HTTP_GUARD_H
#define ONSHI_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct guard_slot;

enum guard_verdict {
    GUARD_ADMIT,
    GUARD_RESERVE,        /* admitted into the reserve */
    GUARD_REFUSE_ADDRESS, /* its address's connections and reserve share are taken */
    GUARD_REFUSE_LIMIT,   /* connection_limit and the reserve are taken */
};

/* Sizes the table for `limit` connections plus `reserve`. 0 or -1 (out of memory). */
int guard_init(int limit, int reserve);
void guard_free(void);

/* The listener, for a connection just accepted: counts it in (unless refused). `exempt`:
 * no per-address limit (the trusted proxy). */
enum guard_verdict guard_admit(int fd, const struct sockaddr *sa, bool exempt);
/* The listener could not hand the connection over: counts it out. */
void guard_forget(int fd);

/* libmicrohttpd started serving the connection on fd: its slot, for the calls below (NULL if
 * the listener did not admit it). */
struct guard_slot *guard_attach(int fd);
/* A request's head is complete; its body (if any) follows. */
void guard_head_done(struct guard_slot *s);
/* n bytes of the request's body arrived. */
void guard_body(struct guard_slot *s, size_t n);
/* The body is complete: the handler and the answer take their own time. */
void guard_busy(struct guard_slot *s);
/* The request ended; the connection waits for the next one. */
void guard_request_done(struct guard_slot *s);
/* Whether the connection was admitted into the reserve. */
bool guard_in_reserve(const struct guard_slot *s);
/* libmicrohttpd closed the connection: counts it out. */
void guard_release(struct guard_slot *s);

/* Shuts down connections past their bounds; returns how many. The listener calls it a few
 * times a second. */
int guard_sweep(void);
/* Connections counted in now. */
int guard_open(void);

#endif
