/* POST /api/v1/session (sign-in), GET /api/v1/session, DELETE /api/v1/session. */
#ifndef ONSHI_API_SESSION_H
#define ONSHI_API_SESSION_H

#include "http/request.h"

enum MHD_Result api_session_create(struct request *req);
enum MHD_Result api_session_get(struct request *req);
enum MHD_Result api_session_delete(struct request *req);

#endif
