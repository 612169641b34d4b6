#include "http/reply.h"

#include <stdlib.h>
#include <string.h>

#include "http/tls.h"
#include "store/db.h"
#include "store/session_cache.h"
#include "util/config.h"

bool http_is_secure(void)
{
    return tls_enabled() || strncmp(config_current()->public_base_url, "https://", 8) == 0;
}

enum MHD_Result reply_response(struct request *req, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    /* Over HTTPS, here or at a proxy in front (public_base_url says which the browser sees). */
    if (http_is_secure())
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (!MHD_get_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    /* A cookie session's idle end as of this request, so the console can warn before it. */
    if (req->principal.cookie && req->principal.idle_expires_at[0])
        MHD_add_response_header(r, "X-Session-Idle-Expires", req->principal.idle_expires_at);
    req->status = status;
    /* Committed by now: this client's next request, here, must not meet the old session. */
    if (req->route && (req->route->flags & ROUTE_REVOKES))
        session_cache_clear();
    enum MHD_Result ret = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result reply_buffer(struct request *req, unsigned status, const char *content_type,
                             char *data, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, data, &free);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return reply_response(req, status, r);
}

enum MHD_Result reply_json_steal(struct request *req, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    if (!text)
        return MHD_NO;
    return reply_buffer(req, status, "application/json; charset=utf-8", text, strlen(text));
}

/* The registry's error body; details is stolen. */
static struct MHD_Response *error_response(enum err_code code, const char *field, json_t *details)
{
    const struct error_def *e = &error_table[code];
    json_t *err = json_pack("{s:s, s:s}", "code", e->code, "message", e->message);
    if (field)
        json_object_set_new(err, "field", json_string(field));
    if (details)
        json_object_set_new(err, "details", details);
    json_t *body = json_pack("{s:o}", "error", err);
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text)
        return NULL;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(strlen(text), text, &free);
    if (!r) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    return r;
}

enum MHD_Result reply_error_details(struct request *req, enum err_code code, const char *field,
                                    json_t *details)
{
    return reply_response(req, (unsigned)error_table[code].http_status,
                          error_response(code, field, details));
}

enum MHD_Result reply_error(struct request *req, enum err_code code, const char *field)
{
    return reply_error_details(req, code, field, NULL);
}

enum MHD_Result reply_error_with_header(struct request *req, enum err_code code, const char *header,
                                        const char *value)
{
    struct MHD_Response *r = error_response(code, NULL, NULL);
    if (r)
        MHD_add_response_header(r, header, value);
    return reply_response(req, (unsigned)error_table[code].http_status, r);
}

enum err_code db_failure_code(int status)
{
    return status == DB_SOFT      ? ERR_SERVER_UNAVAILABLE
           : status == DB_UNKNOWN ? ERR_SERVER_OUTCOME_UNKNOWN
                                  : ERR_SERVER_INTERNAL;
}

enum MHD_Result reply_db_failure(struct request *req, int status)
{
    return reply_error(req, db_failure_code(status), NULL);
}
