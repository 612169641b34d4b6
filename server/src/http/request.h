/* A request as the dispatcher hands it to a handler, and the route table's row type. */
#ifndef ONSHI_REQUEST_H
#define ONSHI_REQUEST_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "core/account.h"
#include "util/strbuf.h"

struct guard_slot;

struct request;
struct deferred;
typedef enum MHD_Result (*route_handler)(struct request *req);

enum route_flags {
    ROUTE_PUBLIC = 1 << 0,       /* no session or token needed */
    ROUTE_JSON = 1 << 1,         /* body is a JSON object, parsed before the handler runs */
    ROUTE_UPLOAD = 1 << 2,       /* body is a file (upload_limit instead of body_limit) */
    ROUTE_FALLBACK = 1 << 3,     /* static files: never matches below /api/ */
    ROUTE_ANY_PASSWORD = 1 << 4, /* open even while the password must be changed */
    ROUTE_BODY = 1 << 5,         /* body kept as it came (req->body), for the handler to read */
    ROUTE_ESSENTIAL = 1 << 6,    /* served on reserve connections too (health checks) */
    ROUTE_REVOKES = 1 << 7,      /* may end sessions or change what they carry: clears this onshid's
                                    session cache before the answer leaves (store/session_cache.h) */
};

/* A body read as it arrives instead of kept whole (ROUTE_UPLOAD routes that set one):
 * `open` makes the state on the first chunk, after authentication; `chunk` gets every
 * piece libmicrohttpd hands over (false: stop reading, the handler reports why); `close`
 * releases the state after the reply. The handler finds the state in req->upload_state
 * (NULL for an empty body). */
struct upload_sink {
    void *(*open)(struct request *req);
    bool (*chunk)(void *state, const char *data, size_t len);
    void (*close)(void *state);
};

struct route {
    const char *method;
    const char *pattern; /* literal segments, {name} for one segment, {*name} for the rest */
    route_handler handler;
    unsigned flags;
    enum capability capability; /* checked by the authentication hook; CAP_NONE if public */
    const struct upload_sink *upload;
};

enum { ROUTE_MAX_PARAMS = 4, ROUTE_MAX_PATH = 2048 };

struct route_match {
    int index;
    int nparams;
    const char *names[ROUTE_MAX_PARAMS];
    const char *values[ROUTE_MAX_PARAMS]; /* point into buf */
    char buf[ROUTE_MAX_PATH + 1];
};

/* Who is calling, filled in by the authentication hook. */
struct principal {
    char institution[11];
    char user_id[17];
    enum role account_role; /* parsed once, by the authentication hook */
    char digest[67];        /* of the session or token secret (bytea parameter) */
    bool cookie;            /* browser session, not a bearer token */
    bool must_change_password;
    bool password_is_initial;        /* must_change_password because of an initial password */
    enum institution_kind inst_kind; /* parsed once, by the authentication hook */
    bool institution_not_started;    /* before the institution's 利用開始日 */
    /* Of the session lookup, for GET /session; malloc'd, freed with the request. */
    char *name, *name_kana, *institution_name;
    char expires_at[32];      /* RFC 3339 UTC */
    char idle_expires_at[32]; /* cookie sessions only, else empty: X-Session-Idle-Expires */
    int idle_timeout;         /* seconds, as the lookup applied it */
};

struct request {
    struct MHD_Connection *conn;
    const struct route *route; /* NULL when no route matched */
    struct route_match match;
    const char *method;
    const char *path;
    struct strbuf body;
    void *upload_state;  /* of route->upload */
    bool upload_stopped; /* its chunk callback said stop */
    bool body_too_large;
    size_t body_seen; /* bytes of body received, kept or not */
    json_t *json;     /* the parsed body of ROUTE_JSON routes; owned by the request */
    unsigned status;
    struct timespec started;
    struct guard_slot *guard;    /* its connection's bounds (http/guard.h), or NULL */
    struct deferred *deferred;   /* work queued by http_defer, until its reply runs */
    _Atomic bool deferred_ready; /* set by the worker before it resumes the connection */
    bool authenticated;
    struct principal principal;
    char institution[16]; /* set by authentication, for the request log */
    char account[24];
};

/* The value of a {name} path parameter, or NULL. */
const char *request_param(const struct request *req, const char *name);

/* HEAD runs a GET route to describe its answer: the route must not record anything for it
 * (a view, a download). */
bool request_is_head(const struct request *req);

#endif
