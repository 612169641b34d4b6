/* Route matching (http/router.c) over onshid's own route table (its methods and patterns,
 * taken from api/routes.c when CMake configures). The first byte picks the method, the rest
 * is the path. A match names a route of that method (HEAD: GET), parameters hold no '/'
 * except the rest-of-path one and are found again by name; a wrong method's Allow lists
 * each method once. */
#include "fuzz.h"

#include "http/router.h"

static enum MHD_Result handler(struct request *req)
{
    (void)req;
    return MHD_YES;
}

static const struct route routes[] = {
#include "fuzz_routes.inc"
};
enum { NROUTES = sizeof routes / sizeof routes[0] };

static const char *const methods[] = {"GET",     "HEAD",  "POST",  "PUT", "DELETE",
                                      "OPTIONS", "PATCH", "TRACE", "get", ""};

static struct request req; /* holds a path-sized buffer: off the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *method = methods[data[0] % (sizeof methods / sizeof methods[0])];
    char *path = fuzz_cstring(data + 1, size - 1);
    char allow[64];
    memset(&req, 0, sizeof req);
    memset(allow, 'x', sizeof allow);
    req.method = method;
    enum match_result r =
        router_match(routes, NROUTES, method, path, &req.match, allow, sizeof allow);
    CHECK(memchr(allow, '\0', sizeof allow) != NULL);
    size_t len = strlen(path);
    if (r != MATCH_NONE)
        CHECK(len >= 1 && len <= ROUTE_MAX_PATH && path[0] == '/');
    if (r == MATCH_FOUND) {
        CHECK(req.match.index >= 0 && req.match.index < NROUTES);
        const struct route *rt = &routes[req.match.index];
        CHECK(strcmp(rt->method, method) == 0 ||
              (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0));
        CHECK(!(rt->flags & ROUTE_FALLBACK) || strncmp(path, "/api/", 5) != 0);
        CHECK(req.match.nparams >= 0 && req.match.nparams <= ROUTE_MAX_PARAMS);
        for (int i = 0; i < req.match.nparams; i++) {
            const char *v = req.match.values[i];
            CHECK(v >= req.match.buf && v <= req.match.buf + ROUTE_MAX_PATH);
            bool rest = strncmp(req.match.names[i], "{*", 2) == 0;
            CHECK(rest || (v[0] && !strchr(v, '/')));
            CHECK(strstr(path, v) != NULL);
            /* The name as handlers ask for it: between the braces (and the star). */
            char name[64];
            const char *n = req.match.names[i] + (rest ? 2 : 1);
            size_t nl = strcspn(n, "}");
            CHECK(nl < sizeof name);
            memcpy(name, n, nl);
            name[nl] = '\0';
            req.route = rt;
            CHECK(request_param(&req, name) != NULL);
        }
        CHECK(request_param(&req, "no-such-parameter") == NULL);
    } else if (r == MATCH_WRONG_METHOD) {
        CHECK(allow[0] != '\0');
        /* Each method once: no method appears twice in the list. */
        char copy[64];
        memcpy(copy, allow, sizeof copy);
        char *save = NULL;
        const char *seen[16];
        int nseen = 0;
        for (char *m = strtok_r(copy, ", ", &save); m; m = strtok_r(NULL, ", ", &save)) {
            for (int i = 0; i < nseen; i++)
                CHECK(strcmp(seen[i], m) != 0);
            CHECK(nseen < 16);
            seen[nseen++] = m;
        }
    } else {
        CHECK(allow[0] == '\0');
    }
    free(path);
    return 0;
}
