/* Authentication for every non-public route: a browser session cookie (with X-CSRF-Token on
 * unsafe methods) or an `Authorization: Bearer` token, looked up in the database. */
#ifndef ONSHI_API_AUTH_H
#define ONSHI_API_AUTH_H

#include "http/server.h"
#include "store/session.h"

#define SESSION_COOKIE "onshi_session"

enum auth_result api_authenticate(struct request *req);

/* Whether an account in this state must change its password before anything else. */
bool auth_must_change_password(enum role r, bool is_initial, long long age_seconds);

#endif
