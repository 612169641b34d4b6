/* router_match and request_param against a small route table of the tests' own. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "http/router.h"

static enum MHD_Result handler(struct request *req)
{
    (void)req;
    return MHD_YES;
}

enum {
    R_HEALTH,
    R_INST_LIST,
    R_INST_CREATE,
    R_INST_GET,
    R_INST_PUT,
    R_INST_DELETE,
    R_INST_USER,
    R_FILE_BY_NAME,
    R_FILE_LATEST_GET,
    R_FILE_LATEST_POST,
    R_LOGIN,
    R_ROOT,
    R_FALLBACK,
    R__COUNT
};

static const struct route routes[R__COUNT] = {
    [R_HEALTH] = {"GET", "/api/health", handler, ROUTE_PUBLIC, CAP_NONE, NULL},
    [R_INST_LIST] = {"GET", "/api/institutions", handler, 0, CAP_ACCOUNTS, NULL},
    [R_INST_CREATE] = {"POST", "/api/institutions", handler, ROUTE_JSON, CAP_ACCOUNTS, NULL},
    [R_INST_GET] = {"GET", "/api/institutions/{code}", handler, 0, CAP_ACCOUNTS, NULL},
    [R_INST_PUT] = {"PUT", "/api/institutions/{code}", handler, ROUTE_JSON, CAP_ACCOUNTS, NULL},
    [R_INST_DELETE] = {"DELETE", "/api/institutions/{code}", handler, 0, CAP_ACCOUNTS, NULL},
    [R_INST_USER] = {"GET", "/api/institutions/{code}/users/{id}", handler, 0, CAP_ACCOUNTS, NULL},
    [R_FILE_BY_NAME] = {"GET", "/api/files/{name}", handler, 0, CAP_ACCOUNTS, NULL},
    [R_FILE_LATEST_GET] = {"GET", "/api/files/latest", handler, 0, CAP_ACCOUNTS, NULL},
    [R_FILE_LATEST_POST] = {"POST", "/api/files/latest", handler, ROUTE_UPLOAD, CAP_ACCOUNTS, NULL},
    [R_LOGIN] = {"POST", "/api/login", handler, ROUTE_PUBLIC | ROUTE_JSON, CAP_NONE, NULL},
    [R_ROOT] = {"GET", "/health", handler, ROUTE_PUBLIC, CAP_NONE, NULL},
    [R_FALLBACK] = {"GET", "/{*rest}", handler, ROUTE_PUBLIC | ROUTE_FALLBACK, CAP_NONE, NULL},
};

/* Large (struct route_match holds a path-sized buffer): keep it off the stack. */
static struct request g_req;
static char allow[128];

static enum match_result match(const char *method, const char *path)
{
    memset(&g_req, 0, sizeof g_req);
    memset(allow, 'x', sizeof allow); /* the router must reset it */
    return router_match(routes, R__COUNT, method, path, &g_req.match, allow, sizeof allow);
}

static size_t count_occurrences(const char *haystack, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = haystack; (p = strstr(p, needle)); p += len)
        n++;
    return n;
}

static void router_matches_literal_path(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/health"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_HEALTH);
    assert_int_equal(g_req.match.nparams, 0);

    assert_int_equal(match("GET", "/api/institutions"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_INST_LIST);
    assert_int_equal(match("POST", "/api/institutions"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_INST_CREATE);
}

static void router_literal_match_is_exact_and_case_sensitive(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/healthz"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/Health"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/heal"), MATCH_NONE);
    assert_int_equal(match("get", "/api/health"), MATCH_WRONG_METHOD);
}

static void router_captures_param_readable_with_request_param(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/institutions/0112345678"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_INST_GET);
    assert_int_equal(g_req.match.nparams, 1);
    assert_string_equal(request_param(&g_req, "code"), "0112345678");
    assert_null(request_param(&g_req, "id"));
    assert_null(request_param(&g_req, "cod"));
    assert_null(request_param(&g_req, "codes"));
}

static void router_captures_two_params_cut_at_their_slash(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/institutions/1312345678/users/alice"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_INST_USER);
    assert_int_equal(g_req.match.nparams, 2);
    assert_string_equal(request_param(&g_req, "code"), "1312345678");
    assert_string_equal(request_param(&g_req, "id"), "alice");
    assert_null(request_param(&g_req, "users"));
}

static void router_param_keeps_non_ascii_and_percent_bytes_verbatim(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/files/%E6%BC%A2.csv"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FILE_BY_NAME);
    assert_string_equal(request_param(&g_req, "name"), "%E6%BC%A2.csv");

    assert_int_equal(match("GET", "/api/files/漢字.csv"), MATCH_FOUND);
    assert_string_equal(request_param(&g_req, "name"), "漢字.csv");
}

static void router_first_matching_route_wins(void **state)
{
    (void)state;
    /* "/api/files/{name}" comes before "/api/files/latest" in the table. */
    assert_int_equal(match("GET", "/api/files/latest"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FILE_BY_NAME);
    assert_string_equal(request_param(&g_req, "name"), "latest");
    /* A POST skips the GET routes and finds the literal POST route. */
    assert_int_equal(match("POST", "/api/files/latest"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FILE_LATEST_POST);
}

static void router_rest_param_takes_remaining_path(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/js/app/main.js"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
    assert_int_equal(g_req.match.nparams, 1);
    assert_string_equal(request_param(&g_req, "rest"), "js/app/main.js");

    assert_int_equal(match("GET", "/index.html"), MATCH_FOUND);
    assert_string_equal(request_param(&g_req, "rest"), "index.html");

    /* A trailing slash stays part of the rest. */
    assert_int_equal(match("GET", "/docs/"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
    assert_string_equal(request_param(&g_req, "rest"), "docs/");
}

static void router_rest_param_of_root_is_empty_string(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
    const char *rest = request_param(&g_req, "rest");
    assert_non_null(rest);
    assert_string_equal(rest, "");
}

static void router_fallback_never_matches_api_paths(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/unknown"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/institutions/0112345678/unknown"), MATCH_NONE);
    assert_int_equal(match("HEAD", "/api/nothing/here"), MATCH_NONE);
    /* Not a 405 either: the fallback's GET must not leak into an Allow header. */
    assert_int_equal(match("POST", "/api/unknown"), MATCH_NONE);
    assert_string_equal(allow, "");
    assert_int_equal(match("DELETE", "/api"), MATCH_NONE);
}

static void router_fallback_matches_paths_that_only_start_with_api_letters(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/apidocs"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
    assert_string_equal(request_param(&g_req, "rest"), "apidocs");

    assert_int_equal(match("GET", "/apis/x"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
    assert_string_equal(request_param(&g_req, "rest"), "apis/x");
}

static void router_returns_404_when_no_pattern_matches(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/institution"), MATCH_NONE);
    assert_string_equal(allow, "");
    assert_int_equal(match("PATCH", "/api/nothing"), MATCH_NONE);
    assert_string_equal(allow, "");
    assert_int_equal(match("GET", "/api/institutions/0112345678/users"), MATCH_NONE);
}

static void router_returns_405_with_allow_listing_get_and_head(void **state)
{
    (void)state;
    assert_int_equal(match("POST", "/api/health"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "GET, HEAD");

    assert_int_equal(match("DELETE", "/api/institutions"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "GET, HEAD, POST");

    assert_int_equal(match("PATCH", "/api/institutions/0112345678"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "GET, HEAD, PUT, DELETE");

    /* The static-file fallback is GET-only too. */
    assert_int_equal(match("POST", "/index.html"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "GET, HEAD");
}

static void router_returns_405_with_allow_of_non_get_route_only(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/login"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "POST");
    assert_int_equal(match("HEAD", "/api/login"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "POST");
}

static void router_allow_lists_each_method_once(void **state)
{
    (void)state;
    /* Two GET routes and one POST route match "/api/files/latest". */
    assert_int_equal(match("DELETE", "/api/files/latest"), MATCH_WRONG_METHOD);
    assert_string_equal(allow, "GET, HEAD, POST");
    assert_int_equal(count_occurrences(allow, "GET"), 1);
    assert_int_equal(count_occurrences(allow, "HEAD"), 1);
    assert_int_equal(count_occurrences(allow, "POST"), 1);
}

static void router_allow_truncates_to_buffer_without_overflow(void **state)
{
    (void)state;
    struct route_match m;
    char small[8];
    memset(small, 'x', sizeof small);
    assert_int_equal(router_match(routes, R__COUNT, "PATCH", "/api/institutions/0112345678", &m,
                                  small, sizeof small),
                     MATCH_WRONG_METHOD);
    assert_true(strlen(small) < sizeof small);
    assert_memory_equal(small, "GET, HE", strlen(small));
}

static void router_serves_head_with_get_routes(void **state)
{
    (void)state;
    assert_int_equal(match("HEAD", "/api/health"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_HEALTH);

    assert_int_equal(match("HEAD", "/api/institutions/0112345678"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_INST_GET);
    assert_string_equal(request_param(&g_req, "code"), "0112345678");

    assert_int_equal(match("HEAD", "/"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
}

static void router_empty_param_segment_does_not_match(void **state)
{
    (void)state;
    /* "/api/institutions/" must not reach the {code} routes (nor the fallback: it is /api/). */
    assert_int_equal(match("GET", "/api/institutions/"), MATCH_NONE);
    assert_int_equal(match("PUT", "/api/institutions/"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/institutions//users/alice"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/institutions/0112345678/users/"), MATCH_NONE);
}

static void router_trailing_slash_does_not_match(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api/health/"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/institutions/0112345678/"), MATCH_NONE);
    assert_int_equal(match("POST", "/api/login/"), MATCH_NONE);
    assert_int_equal(match("GET", "/health/"), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK); /* outside /api/: a static path */
}

static void router_doubled_slash_does_not_match_literal_route(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/api//health"), MATCH_NONE);
    assert_int_equal(match("GET", "/api/institutions//"), MATCH_NONE);
}

static char long_path[ROUTE_MAX_PATH + 2];

static void router_path_longer_than_max_is_none(void **state)
{
    (void)state;
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    long_path[ROUTE_MAX_PATH + 1] = '\0'; /* ROUTE_MAX_PATH + 1 characters */
    assert_int_equal(match("GET", long_path), MATCH_NONE);
    assert_string_equal(allow, "");

    long_path[ROUTE_MAX_PATH] = '\0'; /* exactly ROUTE_MAX_PATH characters: still routable */
    assert_int_equal(match("GET", long_path), MATCH_FOUND);
    assert_int_equal(g_req.match.index, R_FALLBACK);
    assert_int_equal(strlen(request_param(&g_req, "rest")), ROUTE_MAX_PATH - 1);
}

static void router_path_not_starting_with_slash_is_none(void **state)
{
    (void)state;
    assert_int_equal(match("GET", ""), MATCH_NONE);
    assert_int_equal(match("GET", "api/health"), MATCH_NONE);
    assert_int_equal(match("GET", "index.html"), MATCH_NONE);
    assert_int_equal(match("GET", "*"), MATCH_NONE);
    assert_int_equal(match("POST", "api/login"), MATCH_NONE);
    assert_string_equal(allow, "");
}

static void router_pattern_with_more_params_than_max_never_matches(void **state)
{
    (void)state;
    static const struct route many[] = {
        {"GET", "/four/{a}/{b}/{c}/{d}", handler, 0, CAP_NONE, NULL},
        {"GET", "/five/{a}/{b}/{c}/{d}/{e}", handler, 0, CAP_NONE, NULL},
        {"GET", "/rest/{a}/{b}/{c}/{d}/{*e}", handler, 0, CAP_NONE, NULL},
    };
    assert_int_equal(ROUTE_MAX_PARAMS, 4);
    memset(&g_req, 0, sizeof g_req);
    assert_int_equal(
        router_match(many, 3, "GET", "/four/1/2/3/4", &g_req.match, allow, sizeof allow),
        MATCH_FOUND);
    assert_int_equal(g_req.match.nparams, 4);
    assert_string_equal(request_param(&g_req, "a"), "1");
    assert_string_equal(request_param(&g_req, "d"), "4");
    assert_int_equal(
        router_match(many, 3, "GET", "/five/1/2/3/4/5", &g_req.match, allow, sizeof allow),
        MATCH_NONE);
    assert_int_equal(
        router_match(many, 3, "GET", "/rest/1/2/3/4/5/6", &g_req.match, allow, sizeof allow),
        MATCH_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(router_matches_literal_path),
        cmocka_unit_test(router_literal_match_is_exact_and_case_sensitive),
        cmocka_unit_test(router_captures_param_readable_with_request_param),
        cmocka_unit_test(router_captures_two_params_cut_at_their_slash),
        cmocka_unit_test(router_param_keeps_non_ascii_and_percent_bytes_verbatim),
        cmocka_unit_test(router_first_matching_route_wins),
        cmocka_unit_test(router_rest_param_takes_remaining_path),
        cmocka_unit_test(router_rest_param_of_root_is_empty_string),
        cmocka_unit_test(router_fallback_never_matches_api_paths),
        cmocka_unit_test(router_fallback_matches_paths_that_only_start_with_api_letters),
        cmocka_unit_test(router_returns_404_when_no_pattern_matches),
        cmocka_unit_test(router_returns_405_with_allow_listing_get_and_head),
        cmocka_unit_test(router_returns_405_with_allow_of_non_get_route_only),
        cmocka_unit_test(router_allow_lists_each_method_once),
        cmocka_unit_test(router_allow_truncates_to_buffer_without_overflow),
        cmocka_unit_test(router_serves_head_with_get_routes),
        cmocka_unit_test(router_empty_param_segment_does_not_match),
        cmocka_unit_test(router_trailing_slash_does_not_match),
        cmocka_unit_test(router_doubled_slash_does_not_match_literal_route),
        cmocka_unit_test(router_path_longer_than_max_is_none),
        cmocka_unit_test(router_path_not_starting_with_slash_is_none),
        cmocka_unit_test(router_pattern_with_more_params_than_max_never_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
