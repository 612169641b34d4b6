/* Sign-in (cookie sessions and bearer tokens), the signed-in account, sign-out. */
#ifndef ONSHI_API_SESSION_H
#define ONSHI_API_SESSION_H

#include "http/request.h"

enum MHD_Result api_session_create(struct request *req);
enum MHD_Result api_session_get(struct request *req);
enum MHD_Result api_session_delete(struct request *req);
/* POST /api/v1/tokens (the same sign-in, answered with a bearer token), and
 * DELETE /api/v1/tokens/current. */
enum MHD_Result api_token_create(struct request *req);
enum MHD_Result api_token_delete(struct request *req);

#endif
