/* The libmicrohttpd daemon and the one dispatcher every request passes through:
 * 404, 405 + Allow, 413, 415, 400 for malformed JSON, authentication, then the handler. */
#ifndef ONSHI_SERVER_H
#define ONSHI_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

enum auth_result {
    AUTH_OK,      /* the handler may run */
    AUTH_REPLIED, /* the hook already queued a response (401/403) */
    AUTH_FAILED,  /* internal failure: close the connection */
};

struct http_server_options {
    const struct route *routes;
    size_t nroutes;
    const char *listen_address;
    int port; /* 0: any free port */
    int threads;
    int connection_limit;
    int connection_timeout;
    long connection_memory_limit;
    int defer_threads;     /* workers for blocking work (http/defer.h) */
    int defer_queue_limit; /* waiting jobs before 503 server.busy */
    bool tls;              /* HTTPS with the certificate of http/tls.h (loaded first) */
    /* Called for every route without ROUTE_PUBLIC; NULL means such routes answer 401. */
    enum auth_result (*authenticate)(struct request *req);
};

int http_server_start(const struct http_server_options *opt, char *err, size_t errlen);
/* The port actually bound. */
int http_server_port(void);
/* Stops accepting connections; requests arriving on open connections get 503 and close. */
void http_server_quiesce(void);
/* Requests whose headers have arrived but whose response is not complete yet. */
int http_server_inflight(void);
void http_server_stop(void);

#endif
