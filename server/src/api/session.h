/* Sign-in (cookie sessions and bearer tokens), the signed-in account, sign-out. */
#ifndef ONSHI_API_SESSION_H
#define ONSHI_API_SESSION_H

#include <jansson.h>
#include <stdbool.h>

#include "http/request.h"
#include "util/secret.h"

struct db;

/* A new browser session (with its CSRF token) or bearer token for an account. */
struct issued {
    char token[TOKEN_TEXT_LEN + 1];
    char csrf[SECRET_TEXT_LEN + 1]; /* empty for bearer tokens */
    char expires[32];
};
int session_issue(struct db *db, const char *code, const char *user_id, bool cookie,
                  const char *source, struct issued *out);
/* 200 with `body` (stolen) and the Set-Cookie header of an issued browser session. */
enum MHD_Result reply_with_session_cookie(struct request *req, json_t *body,
                                          const struct issued *is);

enum MHD_Result api_session_create(struct request *req);
enum MHD_Result api_session_get(struct request *req);
enum MHD_Result api_session_delete(struct request *req);
/* POST /api/v1/tokens (the same sign-in, answered with a bearer token), and
 * DELETE /api/v1/tokens/current. */
enum MHD_Result api_token_create(struct request *req);
enum MHD_Result api_token_delete(struct request *req);

#endif
