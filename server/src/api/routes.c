#include "api/routes.h"

#include "api/account_sheet.h"
#include "api/accounts.h"
#include "api/audit.h"
#include "api/ops.h"
#include "api/password.h"
#include "api/session.h"

/* Order matters only where patterns overlap: the first match wins. Static files come last. */
const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC, NULL},
    {"GET", "/readyz", api_readyz, ROUTE_PUBLIC, NULL},
    {"GET", "/metrics", api_metrics, ROUTE_PUBLIC, NULL},
    {"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC | ROUTE_JSON, NULL},
    {"GET", "/api/v1/session", api_session_get, ROUTE_ANY_PASSWORD, "session"},
    {"DELETE", "/api/v1/session", api_session_delete, ROUTE_ANY_PASSWORD, "session"},
    {"PUT", "/api/v1/session/password", api_password_change, ROUTE_ANY_PASSWORD | ROUTE_JSON,
     "session"},
    {"POST", "/api/v1/tokens", api_token_create, ROUTE_PUBLIC | ROUTE_JSON, NULL},
    {"DELETE", "/api/v1/tokens/current", api_token_delete, ROUTE_ANY_PASSWORD, "session"},
    {"GET", "/api/v1/accounts", api_account_list, 0, "accounts"},
    {"POST", "/api/v1/accounts", api_account_create, ROUTE_JSON, "accounts"},
    {"GET", "/api/v1/accounts/{user_id}", api_account_get, 0, "accounts"},
    {"PATCH", "/api/v1/accounts/{user_id}", api_account_update, ROUTE_JSON, "accounts"},
    {"DELETE", "/api/v1/accounts/{user_id}", api_account_delete, 0, "accounts"},
    {"GET", "/api/v1/audit-events", api_audit_list, 0, "audit"},
    {"POST", "/api/v1/accounts/{user_id}/password-reset", api_account_password_reset, 0,
     "accounts"},
    {"POST", "/api/v1/account-sheets", api_account_sheet_create, ROUTE_JSON, "accounts"},
    {"GET", "/{*path}", api_static, ROUTE_PUBLIC | ROUTE_FALLBACK, NULL},
};
const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
