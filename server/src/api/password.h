/* PUT /api/v1/session/password: the signed-in account changes its own password. */
#ifndef ONSHI_API_PASSWORD_H
#define ONSHI_API_PASSWORD_H

#include "http/request.h"

enum MHD_Result api_password_change(struct request *req);

#endif
