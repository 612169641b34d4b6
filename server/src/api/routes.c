#include "api/routes.h"

#include "api/ops.h"

/* Order matters only where patterns overlap: the first match wins. Static files come last. */
const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC, NULL},
    {"GET", "/readyz", api_readyz, ROUTE_PUBLIC, NULL},
    {"GET", "/metrics", api_metrics, ROUTE_PUBLIC, NULL},
    {"GET", "/{*path}", api_static, ROUTE_PUBLIC | ROUTE_FALLBACK, NULL},
};
const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
