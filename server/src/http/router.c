#include "http/router.h"

#include <stdbool.h>
#include <string.h>

/* Matches path against pattern, recording parameters into m (whose buf already holds a copy
 * of the path with '/' separators intact). */
static bool match_pattern(const char *pattern, struct route_match *m)
{
    const char *p = pattern;
    char *s = m->buf;
    m->nparams = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pend = strchr(p, '/');
        size_t plen = pend ? (size_t)(pend - p) : strlen(p);
        char *send = strchr(s, '/');
        size_t slen = send ? (size_t)(send - s) : strlen(s);
        if (plen >= 3 && p[0] == '{' && p[1] == '*') {
            /* Rest-of-path parameter: must be last in the pattern. */
            if (m->nparams == ROUTE_MAX_PARAMS)
                return false;
            m->names[m->nparams] = p;
            m->values[m->nparams++] = s;
            return true;
        }
        if (plen >= 2 && p[0] == '{') {
            if (slen == 0 || m->nparams == ROUTE_MAX_PARAMS)
                return false;
            m->names[m->nparams] = p;
            m->values[m->nparams++] = s;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return false;
    return true;
}

/* Parameters point into buf; cut them at their '/' once the whole pattern matched. */
static void terminate_params(const struct route *r, struct route_match *m)
{
    for (int i = 0; i < m->nparams; i++) {
        if (strncmp(m->names[i], "{*", 2) == 0)
            continue;
        char *slash = strchr((char *)m->values[i], '/');
        if (slash)
            *slash = '\0';
    }
    (void)r;
}

static bool is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void add_allow(char *allow, size_t allowlen, const char *method)
{
    /* Keep each method once. */
    const char *p = allow;
    size_t mlen = strlen(method);
    while ((p = strstr(p, method))) {
        if ((p == allow || p[-1] == ' ') && (p[mlen] == ',' || p[mlen] == '\0'))
            return;
        p += mlen;
    }
    if (*allow)
        strncat(allow, ", ", allowlen - strlen(allow) - 1);
    strncat(allow, method, allowlen - strlen(allow) - 1);
}

enum match_result router_match(const struct route *routes, size_t n, const char *method,
                               const char *path, struct route_match *m, char *allow,
                               size_t allowlen)
{
    allow[0] = '\0';
    size_t len = strlen(path);
    if (len == 0 || len > ROUTE_MAX_PATH || path[0] != '/')
        return MATCH_NONE;
    bool api = is_api_path(path);
    int found = -1;
    for (size_t i = 0; i < n; i++) {
        if ((routes[i].flags & ROUTE_FALLBACK) && api)
            continue;
        memcpy(m->buf, path, len + 1);
        if (!match_pattern(routes[i].pattern, m))
            continue;
        if (method_matches(routes[i].method, method)) {
            found = (int)i;
            break;
        }
        if (strcmp(routes[i].method, "GET") == 0)
            add_allow(allow, allowlen, "GET, HEAD");
        else
            add_allow(allow, allowlen, routes[i].method);
    }
    if (found >= 0) {
        m->index = found;
        terminate_params(&routes[found], m);
        return MATCH_FOUND;
    }
    return allow[0] ? MATCH_WRONG_METHOD : MATCH_NONE;
}

bool request_is_head(const struct request *req)
{
    return strcmp(req->method, "HEAD") == 0;
}

const char *request_param(const struct request *req, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < req->match.nparams; i++) {
        const char *n = req->match.names[i] + 1;
        if (*n == '*')
            n++;
        if (strncmp(n, name, len) == 0 && n[len] == '}')
            return req->match.values[i];
    }
    return NULL;
}
