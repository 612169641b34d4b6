/* PUT /api/v1/session/password: the signed-in account changes its own password. */
#ifndef ONSHI_API_PASSWORD_H
#define ONSHI_API_PASSWORD_H

#include <jansson.h>

#include "core/password_policy.h"
#include "http/request.h"

enum MHD_Result api_password_change(struct request *req);
/* The policy in force (configuration; reloaded with it). */
struct password_policy password_policy_configured(void);
/* The policy as an error's `details`, so a refused client knows the rules. */
json_t *password_policy_details(const struct password_policy *p);

#endif
