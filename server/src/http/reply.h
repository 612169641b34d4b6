/* Queueing responses. Every function takes ownership of what it is given (json, data,
 * response) and returns what MHD_queue_response returned; handlers return that value. */
#ifndef ONSHI_REPLY_H
#define ONSHI_REPLY_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "util/errors.h"

enum MHD_Result reply_json_steal(struct request *req, unsigned status, json_t *body);
/* {"error": {"code", "message", "field"?}} with the registry's status. */
enum MHD_Result reply_error(struct request *req, enum err_code code, const char *field);
/* As reply_error, with "details" (stolen; may be NULL). */
enum MHD_Result reply_error_details(struct request *req, enum err_code code, const char *field,
                                    json_t *details);
/* As reply_error, with one extra response header (Allow, Connection: close). */
enum MHD_Result reply_error_with_header(struct request *req, enum err_code code, const char *header,
                                        const char *value);
/* data is malloc'd and taken over. */
enum MHD_Result reply_buffer(struct request *req, unsigned status, const char *content_type,
                             char *data, size_t len);
/* A store function's failure (a negative enum db_status) as its one answer: DB_SOFT is retry
 * later (503 server.unavailable), DB_UNKNOWN a commit whose outcome nobody knows (503
 * server.outcome_unknown), anything else a bug (500 server.internal; the store logged which
 * statement). Domain outcomes (DB_CONFLICT, DB_ABORT) are the caller's to map first. */
enum MHD_Result reply_db_failure(struct request *req, int status);
enum err_code db_failure_code(int status); /* the code reply_db_failure answers with */
/* Browsers reach this service over HTTPS: onshid serves TLS itself or public_base_url is
 * https:// (a proxy terminates it). Cookies get Secure, answers HSTS. */
bool http_is_secure(void);
/* Adds the common headers, queues and destroys r. */
enum MHD_Result reply_response(struct request *req, unsigned status, struct MHD_Response *r);

#endif
