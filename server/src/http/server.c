#include "http/server.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/text.h"
#include "http/defer.h"
#include "http/framing.h"
#include "http/guard.h"
#include "http/listener.h"
#include "http/metrics.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/tls.h"
#include "store/db.h"
#include "util/config.h"
#include "util/log.h"
#include "util/worker.h"

static struct MHD_Daemon *daemon_handle;
static struct http_server_options options;
static atomic_int inflight;
static atomic_bool draining;
static int listening_port = -1;

static double elapsed_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static long body_limit_for(const struct route *r)
{
    const struct config *c = config_current();
    return (r && (r->flags & ROUTE_UPLOAD)) ? c->upload_limit : c->body_limit;
}

/* For answers given without reading the body: the connection cannot be reused. */
static enum MHD_Result reply_closing_error(struct request *req, enum err_code code)
{
    return reply_error_with_header(req, code, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* Every query argument, name and value, must be valid UTF-8 without NUL (libmicrohttpd has
 * decoded the %XX escapes) before any handler or SQL sees it. */
static enum MHD_Result argument_valid(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    bool *ok = cls;
    if (!utf8_valid(key, key_size) || (value && !utf8_valid(value, value_size))) {
        *ok = false;
        return MHD_NO;
    }
    return MHD_YES;
}

/* First call for a request, headers only: framing, routing, authentication and the declared
 * body size, so that nothing is read from a client that will be refused anyway. */
static enum MHD_Result begin(struct request *req, const char *version)
{
    char allow[128];
    if (atomic_load(&draining))
        return reply_closing_error(req, ERR_SERVER_SHUTTING_DOWN);
    if (!framing_valid(req->conn, version))
        return reply_closing_error(req, ERR_REQUEST_BAD_FRAMING);
    if (!utf8_valid(req->path, strlen(req->path)))
        return reply_closing_error(req, ERR_REQUEST_BAD_ENCODING);
    enum match_result m = router_match(options.routes, options.nroutes, req->method, req->path,
                                       &req->match, allow, sizeof allow);
    if (m == MATCH_NONE)
        return reply_error(req, ERR_REQUEST_NOT_FOUND, NULL);
    if (m == MATCH_WRONG_METHOD)
        return reply_error_with_header(req, ERR_REQUEST_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW,
                                       allow);
    const struct route *route = req->route = &options.routes[req->match.index];
    /* A connection of the reserve serves health checks and signed-in callers only. */
    bool reserve = guard_in_reserve(req->guard);
    if (reserve && (route->flags & ROUTE_PUBLIC) && !(route->flags & ROUTE_ESSENTIAL))
        return reply_closing_error(req, ERR_SERVER_BUSY);
    if (!(route->flags & ROUTE_PUBLIC)) {
        if (!options.authenticate)
            return reply_error(req, ERR_AUTH_REQUIRED, NULL);
        switch (options.authenticate(req)) {
        case AUTH_OK:
            break;
        case AUTH_REPLIED:
            /* A hook whose reply could not be queued must not let the request through. */
            return req->status ? MHD_YES : MHD_NO;
        case AUTH_FAILED:
            return MHD_NO;
        }
    }
    bool arguments_ok = true;
    MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND, argument_valid, &arguments_ok);
    if (!arguments_ok)
        return reply_closing_error(req, ERR_REQUEST_BAD_ENCODING);
    const char *length =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length) {
        char *end;
        unsigned long long n = strtoull(length, &end, 10);
        if (*end || n > (unsigned long long)body_limit_for(route))
            return reply_closing_error(req, ERR_REQUEST_BODY_TOO_LARGE);
    }
    return MHD_YES; /* the body is read next */
}

static bool is_json_content_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/* After a handler (or the reply of deferred work) returns: no transaction may stay open. */
static void check_transactions(const struct request *req)
{
    if (db_rollback_leftover(db_thread_peek())) {
        log_msg(LOG_ERROR, "handler for %s %s left a transaction open; rolled back",
                req->route->method, req->route->pattern);
        metrics_count_leftover_transaction();
    }
}

/* Last call: the whole body is in. Parse it and run the handler. */
static enum MHD_Result finish(struct request *req)
{
    guard_busy(req->guard);
    if (req->body_too_large)
        return reply_closing_error(req, ERR_REQUEST_BODY_TOO_LARGE);
    const struct route *route = req->route;
    if (route->flags & ROUTE_JSON) {
        const char *ct =
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!is_json_content_type(ct))
            return reply_error(req, ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE, NULL);
        json_error_t jerr;
        req->json = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                               JSON_REJECT_DUPLICATES, &jerr);
        if (!req->json)
            return reply_error(req,
                               json_error_code(&jerr) == json_error_invalid_utf8
                                   ? ERR_REQUEST_BAD_ENCODING
                                   : ERR_REQUEST_INVALID_JSON,
                               NULL);
        if (!json_is_object(req->json))
            return reply_error(req, ERR_REQUEST_NOT_OBJECT, NULL);
    }
    enum MHD_Result ret = route->handler(req);
    check_transactions(req);
    return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)cls;
    struct request *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &req->started);
        req->conn = conn;
        req->method = method;
        req->path = url;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        req->guard = ci ? ci->socket_context : NULL;
        guard_head_done(req->guard);
        *con_cls = req;
        atomic_fetch_add(&inflight, 1);
        return begin(req, version);
    }
    enum MHD_Result deferred_result;
    if (defer_take_done(req, &deferred_result)) {
        check_transactions(req);
        return deferred_result;
    }
    if (req->status || !req->route) {
        *upload_data_size = 0; /* already answered (e.g. 413 before the body): discard */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        guard_body(req->guard, n);
        size_t limit = (size_t)body_limit_for(req->route);
        if (req->body_seen + n > limit && !req->body_too_large) {
            req->body_too_large = true;
            sb_free(&req->body);
        }
        req->body_seen += n;
        if (req->body_too_large) {
            /* MHD cannot answer in the middle of a body, so a chunked body over the limit is
             * read and dropped, and 413 follows at its end; past twice the limit more, the
             * client is not worth waiting for and the connection is closed. */
            if (req->body_seen > 3 * limit)
                return MHD_NO;
        } else if (req->route->upload) {
            const struct upload_sink *u = req->route->upload;
            if (!req->upload_state && !(req->upload_state = u->open(req)))
                return MHD_NO;
            if (!req->upload_stopped && !u->chunk(req->upload_state, upload_data, n))
                req->upload_stopped = true; /* the rest is read and dropped */
        } else if (req->route->flags & (ROUTE_JSON | ROUTE_UPLOAD | ROUTE_BODY)) {
            /* Only routes that read a body keep it; others drop it unread. */
            if (sb_try_append(&req->body, upload_data, n) != 0)
                return MHD_NO;
        }
        return MHD_YES;
    }
    return finish(req);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct request *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;
    /* Only a request that completed leaves its connection open for the next one. */
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        guard_request_done(req->guard);
    double seconds = elapsed_since(&req->started);
    int route_index = req->route ? req->match.index : -1;
    metrics_observe(route_index, req->status, seconds);
    if (log_enabled(LOG_INFO)) {
        json_t *f =
            json_pack("{s:s, s:s, s:i, s:f}", "method", req->method, "route",
                      req->route ? req->route->pattern : "unmatched", "status", (int)req->status,
                      "duration_ms", (double)(long long)(seconds * 1e6) / 1000.0);
        json_object_set_new(f, "institution",
                            req->institution[0] ? json_string(req->institution) : json_null());
        json_object_set_new(f, "account",
                            req->account[0] ? json_string(req->account) : json_null());
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            json_object_set_new(f, "aborted", json_true());
        log_event(LOG_INFO, "request", f);
    }
    defer_release(req);
    if (req->upload_state)
        req->route->upload->close(req->upload_state);
    json_decref(req->json);
    sb_free(&req->body);
    free(req->principal.name);
    free(req->principal.name_kana);
    free(req->principal.institution_name);
    free(req);
    atomic_fetch_sub(&inflight, 1);
}

/* Every connection the listener admitted is followed by the guard until it closes. */
static void connection_notified(void *cls, struct MHD_Connection *conn, void **socket_context,
                                enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    worker_name_this_thread("onshi-http"); /* libmicrohttpd's own threads: named once each */
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? guard_attach(ci->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard_release(*socket_context);
        *socket_context = NULL;
    }
}

/* libmicrohttpd hands over a printf format: said so, clang checks the vsnprintf below. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    log_msg(LOG_WARN, "libmicrohttpd: %s", buf);
}

int http_server_start(const struct http_server_options *opt, char *err, size_t errlen)
{
    options = *opt;
    atomic_store(&draining, false);
    int fd = listener_open(opt->listen_address, opt->port, err, errlen);
    if (fd < 0)
        return -1;
    listening_port = listener_port(fd);
    int reserve = config_current()->connection_reserve;
    if (metrics_init(opt->routes, opt->nroutes) != 0 ||
        guard_init(opt->connection_limit, reserve) != 0) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return -1;
    }
    /* ITC: connections handed over by the accept thread must wake their worker. The listener
     * keeps connection_limit and the reserve; libmicrohttpd's own is set above both, never to
     * trip (listener.h).
     * One option and its value per line. */
    /* HTTPS: the certificate comes from http/tls.c at each handshake (renewed on SIGHUP).
     * A function pointer travels as a data pointer here, as libmicrohttpd's option array
     * requires (POSIX guarantees the conversion). */
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)&tls_retrieve},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem *tls = opt->tls ? tls_options : &tls_options[2];
    // clang-format off
    daemon_handle = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
            MHD_USE_NO_LISTEN_SOCKET | (opt->tls ? MHD_USE_TLS : 0),
        0, NULL, NULL, &access_handler, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, NULL,
        MHD_OPTION_ARRAY, tls,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opt->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(opt->connection_limit + reserve + 64),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opt->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)opt->connection_memory_limit,
        MHD_OPTION_NOTIFY_COMPLETED, &completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, &connection_notified, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, &framing_unescape, NULL,
        MHD_OPTION_END);
    // clang-format on
    bool pool = daemon_handle && defer_pool_start(opt->defer_threads, opt->defer_queue_limit) == 0;
    /* listener_start takes the socket over, closing it itself if it fails. */
    if (!pool || listener_start(fd, daemon_handle, opt->connection_limit) != 0) {
        if (!pool)
            close(fd);
        if (pool)
            defer_pool_stop();
        if (daemon_handle)
            MHD_stop_daemon(daemon_handle);
        daemon_handle = NULL;
        metrics_shutdown();
        guard_free();
        snprintf(err, errlen, "cannot start the HTTP server");
        return -1;
    }
    return 0;
}

int http_server_port(void)
{
    return listening_port;
}

void http_server_quiesce(void)
{
    atomic_store(&draining, true);
    listener_stop();
}

int http_server_inflight(void)
{
    return atomic_load(&inflight);
}

void http_server_stop(void)
{
    listener_stop();
    /* Every suspended connection is resumed before MHD stops (its API requires it). */
    defer_pool_stop();
    if (daemon_handle)
        MHD_stop_daemon(daemon_handle);
    daemon_handle = NULL;
    metrics_shutdown();
    guard_free();
}
