/* The dispatcher over real HTTP: a real libmicrohttpd server on a free port with a test route
 * table, spoken to through a socket. Covers the JSON body rules (400/415/413), the declarative
 * input errors, the missing authentication hook (401), path parameters, 404 and 405. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/defer.h"
#include "http/input.h"
#include "http/reply.h"
#include "http/server.h"
#include "util/config.h"
#include "util/log.h"

struct echo_input {
    const char *name;
    struct in_int count;
};

static const struct input_field echo_fields[] = {
    IN_TEXT("name", true, 1, 20, struct echo_input, name),
    IN_NUMBER("count", false, 0, 100, struct echo_input, count),
};

static enum MHD_Result echo(struct request *req)
{
    struct echo_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, echo_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    return reply_json_steal(
        req, MHD_HTTP_OK,
        json_pack("{s:s, s:i}", "name", in.name, "count", in.count.set ? (int)in.count.value : -1));
}

static enum MHD_Result item(struct request *req)
{
    return reply_json_steal(req, MHD_HTTP_OK, json_pack("{s:s}", "id", request_param(req, "id")));
}

/* Deferred work: sleeps on a worker, then answers from the HTTP thread. */
struct slow_ctx {
    pthread_t worker;
};

static void slow_work(void *p)
{
    struct slow_ctx *c = p;
    c->worker = pthread_self();
    struct timespec t = {0, 300 * 1000 * 1000};
    nanosleep(&t, NULL);
}

static enum MHD_Result slow_done(struct request *req, void *p)
{
    struct slow_ctx *c = p;
    return reply_json_steal(
        req, MHD_HTTP_OK,
        json_pack("{s:b}", "off_thread", !pthread_equal(c->worker, pthread_self())));
}

static enum MHD_Result slow(struct request *req)
{
    struct slow_ctx *c = calloc(1, sizeof *c);
    return http_defer(req, slow_work, slow_done, NULL, c, free);
}

static const struct route routes[] = {
    {"GET", "/slow", slow, ROUTE_PUBLIC, CAP_NONE, NULL},
    {"POST", "/echo", echo, ROUTE_PUBLIC | ROUTE_JSON, CAP_NONE, NULL},
    {"GET", "/items/{id}", item, ROUTE_PUBLIC, CAP_NONE, NULL},
    {"DELETE", "/items/{id}", item, ROUTE_PUBLIC, CAP_NONE, NULL},
    {"GET", "/private", item, 0, CAP_ACCOUNTS, NULL},
    {"POST", "/private", echo, ROUTE_JSON, CAP_ACCOUNTS, NULL},
};

struct reply {
    int status;
    char allow[64];
    json_t *body;
};

static int port;

extern char **environ;

static int group_setup(void **state)
{
    (void)state;
    /* The configuration below must not depend on the caller's ONSHI_* variables. */
    for (char **e = environ; *e;) {
        char name[128];
        if (strncmp(*e, "ONSHI_", 6) == 0 && sscanf(*e, "%127[^=]", name) == 1)
            unsetenv(name);
        else
            e++;
    }
    struct config cfg;
    char err[256];
    if (config_load(NULL, &cfg, err, sizeof err) != 0)
        return -1;
    cfg.body_limit = 1024;
    config_publish(&cfg);
    log_set_level(LOG_ERROR);
    struct http_server_options o = {.routes = routes,
                                    .nroutes = sizeof routes / sizeof routes[0],
                                    .listen_address = "127.0.0.1",
                                    .port = 0,
                                    .threads = 1,
                                    .connection_limit = 16,
                                    .connection_timeout = 5,
                                    .connection_memory_limit = 65536,
                                    .defer_threads = 1,
                                    .defer_queue_limit = 1};
    if (http_server_start(&o, err, sizeof err) != 0)
        return -1;
    port = http_server_port();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    http_server_stop();
    config_shutdown();
    return 0;
}

static int open_request(const char *method, const char *path, const char *ctype, const char *body,
                        size_t len);
static struct reply read_reply(int fd);

/* Sends head + body, reads the whole response (the request asks to close). */
static struct reply send_request(const char *method, const char *path, const char *ctype,
                                 const char *body, size_t len)
{
    return read_reply(open_request(method, path, ctype, body, len));
}

static int open_request(const char *method, const char *path, const char *ctype, const char *body,
                        size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[512];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s%s%sContent-Length: "
                     "%zu\r\n\r\n",
                     method, path, ctype ? "Content-Type: " : "", ctype ? ctype : "",
                     ctype ? "\r\n" : "", len);
    assert_int_equal(write(fd, head, (size_t)n), n);
    if (len)
        assert_int_equal(write(fd, body, len), (ssize_t)len);
    return fd;
}

static struct reply read_reply(int fd)
{
    struct reply r = {0};
    static char buf[65536];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof buf - 1 && (k = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)k;
    buf[got] = '\0';
    close(fd);
    if (strncmp(buf, "HTTP/1.1 ", 9) == 0)
        r.status = (int)strtol(buf + 9, NULL, 10);
    const char *allow = strstr(buf, "Allow: ");
    if (allow)
        sscanf(allow, "Allow: %63[^\r]", r.allow);
    const char *payload = strstr(buf, "\r\n\r\n");
    if (payload)
        r.body = json_loads(payload + 4, 0, NULL);
    return r;
}

static struct reply post_json(const char *body)
{
    return send_request("POST", "/echo", "application/json", body, strlen(body));
}

static void assert_error(struct reply r, int status, const char *code, const char *field)
{
    assert_int_equal(r.status, status);
    assert_non_null(r.body);
    json_t *err = json_object_get(r.body, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), code);
    assert_non_null(json_string_value(json_object_get(err, "message")));
    if (field)
        assert_string_equal(json_string_value(json_object_get(err, "field")), field);
    else
        assert_null(json_object_get(err, "field"));
    json_decref(r.body);
}

static void valid_json_reaches_the_handler(void **state)
{
    (void)state;
    struct reply r = post_json("{\"name\":\"受付\",\"count\":3}");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.body, "name")), "受付");
    assert_int_equal(json_integer_value(json_object_get(r.body, "count")), 3);
    json_decref(r.body);
}

static void malformed_json_is_400_invalid_json(void **state)
{
    (void)state;
    assert_error(post_json("{\"name\": "), 400, "request.invalid_json", NULL);
    assert_error(post_json(""), 400, "request.invalid_json", NULL);
    assert_error(post_json("{\"name\":\"a\",\"name\":\"b\"}"), 400, "request.invalid_json", NULL);
}

static void invalid_utf8_is_400_bad_encoding(void **state)
{
    (void)state;
    /* "名" in Shift_JIS (0x96 0xBC) is not UTF-8. */
    assert_error(post_json("{\"name\":\"\x96\xbc\"}"), 400, "request.bad_encoding", NULL);
}

static void json_that_is_not_an_object_is_400(void **state)
{
    (void)state;
    assert_error(post_json("[1,2]"), 400, "request.not_object", NULL);
}

static void wrong_content_type_is_415(void **state)
{
    (void)state;
    const char *b = "{\"name\":\"a\"}";
    assert_error(send_request("POST", "/echo", "text/plain", b, strlen(b)), 415,
                 "request.unsupported_media_type", NULL);
    assert_error(send_request("POST", "/echo", NULL, b, strlen(b)), 415,
                 "request.unsupported_media_type", NULL);
}

static void field_errors_name_the_field(void **state)
{
    (void)state;
    assert_error(post_json("{\"name\":\"a\",\"extra\":1}"), 400, "request.unknown_field", "extra");
    assert_error(post_json("{\"count\":1}"), 400, "request.field_missing", "name");
    assert_error(post_json("{\"name\":5}"), 400, "request.field_type", "name");
    assert_error(post_json("{\"name\":\"a\",\"count\":101}"), 400, "request.field_range", "count");
}

static void body_over_the_limit_is_413(void **state)
{
    (void)state;
    char big[2048];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"name\":\"a\"}", 12); // NOLINT(bugprone-not-null-terminated-result): a prefix
    assert_error(send_request("POST", "/echo", "application/json", big, sizeof big), 413,
                 "request.body_too_large", NULL);
}

static void non_public_route_without_auth_hook_is_401(void **state)
{
    (void)state;
    assert_error(send_request("GET", "/private", NULL, NULL, 0), 401, "auth.required", NULL);
}

static void authentication_is_checked_before_the_body_is_read(void **state)
{
    (void)state;
    /* Declared far over the limit: an unauthenticated client gets 401, not 413. */
    char big[4096];
    memset(big, ' ', sizeof big);
    assert_error(send_request("POST", "/private", "application/json", big, sizeof big), 401,
                 "auth.required", NULL);
}

static void path_parameters_reach_the_handler(void **state)
{
    (void)state;
    struct reply r = send_request("GET", "/items/A0123", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.body, "id")), "A0123");
    json_decref(r.body);
}

static void unknown_route_is_404_and_wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    assert_error(send_request("GET", "/items", NULL, NULL, 0), 404, "request.not_found", NULL);
    struct reply r = send_request("PUT", "/items/1", NULL, NULL, 0);
    assert_string_equal(r.allow, "GET, HEAD, DELETE");
    assert_error(r, 405, "request.method_not_allowed", NULL);
}

static void deferred_work_runs_on_a_worker_and_is_answered_from_the_http_thread(void **state)
{
    (void)state;
    struct reply r = send_request("GET", "/slow", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.body, "off_thread")));
    json_decref(r.body);
}

static void the_http_thread_serves_others_while_deferred_work_runs(void **state)
{
    (void)state;
    /* One HTTP thread: if the slow work ran on it, the fast request would wait behind it. */
    int slow_fd = open_request("GET", "/slow", NULL, NULL, 0);
    struct timespec settle = {0, 50 * 1000 * 1000};
    nanosleep(&settle, NULL);
    struct reply fast = send_request("GET", "/items/x", NULL, NULL, 0);
    assert_int_equal(fast.status, 200);
    json_decref(fast.body);
    struct pollfd p = {slow_fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 0), 0); /* the slow reply has not come yet */
    struct reply r = read_reply(slow_fd);
    assert_int_equal(r.status, 200);
    json_decref(r.body);
}

static void a_full_work_queue_answers_503_busy(void **state)
{
    (void)state;
    /* One worker, one waiting place: of four at once, some must be turned away. */
    int fds[4];
    for (int i = 0; i < 4; i++)
        fds[i] = open_request("GET", "/slow", NULL, NULL, 0);
    int ok = 0, busy = 0;
    for (int i = 0; i < 4; i++) {
        struct reply r = read_reply(fds[i]);
        if (r.status == 200)
            ok++;
        else if (r.status == 503 && strcmp(json_string_value(json_object_get(
                                               json_object_get(r.body, "error"), "code")),
                                           "server.busy") == 0)
            busy++;
        json_decref(r.body);
    }
    assert_true(ok >= 1);
    assert_true(busy >= 1);
    assert_int_equal(ok + busy, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_json_reaches_the_handler),
        cmocka_unit_test(malformed_json_is_400_invalid_json),
        cmocka_unit_test(invalid_utf8_is_400_bad_encoding),
        cmocka_unit_test(json_that_is_not_an_object_is_400),
        cmocka_unit_test(wrong_content_type_is_415),
        cmocka_unit_test(field_errors_name_the_field),
        cmocka_unit_test(body_over_the_limit_is_413),
        cmocka_unit_test(non_public_route_without_auth_hook_is_401),
        cmocka_unit_test(authentication_is_checked_before_the_body_is_read),
        cmocka_unit_test(path_parameters_reach_the_handler),
        cmocka_unit_test(unknown_route_is_404_and_wrong_method_is_405_with_allow),
        cmocka_unit_test(deferred_work_runs_on_a_worker_and_is_answered_from_the_http_thread),
        cmocka_unit_test(the_http_thread_serves_others_while_deferred_work_runs),
        cmocka_unit_test(a_full_work_queue_answers_503_busy),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
