/* Matching a method and path against the static route table. Pure: no I/O. */
#ifndef ONSHI_ROUTER_H
#define ONSHI_ROUTER_H

#include <stddef.h>

#include "http/request.h"

enum match_result { MATCH_FOUND, MATCH_WRONG_METHOD, MATCH_NONE };

/* On MATCH_FOUND fills m; on MATCH_WRONG_METHOD writes the Allow header value (e.g.
 * "GET, HEAD, POST") into allow (allowlen ≥ 64). HEAD is served by GET routes. */
enum match_result router_match(const struct route *routes, size_t n, const char *method,
                               const char *path, struct route_match *m, char *allow,
                               size_t allowlen);

#endif
