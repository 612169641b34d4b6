/* config_load (defaults, file, environment), config_merge_reload and the published snapshot. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/config.h"

extern char **environ;

static char tmp_path[4096];
static char err[512];

static void remove_config(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
    tmp_path[0] = '\0';
}

/* Writes `content` to a new temporary file; the path is in tmp_path until remove_config(). */
static const char *write_config(const char *content)
{
    remove_config();
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_path, sizeof tmp_path, "%s/onshi-config-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp_path);
    if (fd < 0)
        fail_msg("mkstemp failed for %s", tmp_path);
    size_t len = strlen(content);
    if (write(fd, content, len) != (ssize_t)len)
        fail_msg("write failed");
    close(fd);
    return tmp_path;
}

/* Loads `content`; expects failure and returns the message. */
static const char *load_fails(const char *content)
{
    struct config c;
    memset(err, 0, sizeof err);
    int rc = config_load(write_config(content), &c, err, sizeof err);
    remove_config();
    if (rc == 0) {
        config_free(&c);
        fail_msg("config accepted:\n%s", content);
    }
    assert_int_equal(rc, -1);
    assert_true(err[0] != '\0');
    return err;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("'%s' does not contain '%s'", haystack, needle);
}

/* No ONSHI_* variable from the caller's environment may reach config_load. */
static int clear_onshi_environment(void **state)
{
    (void)state;
    for (;;) {
        char name[256] = "";
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "ONSHI_", 6) == 0) {
                const char *eq = strchr(*e, '=');
                size_t n = eq ? (size_t)(eq - *e) : strlen(*e);
                if (n >= sizeof name)
                    n = sizeof name - 1;
                memcpy(name, *e, n);
                name[n] = '\0';
                break;
            }
        if (!name[0])
            return 0;
        if (unsetenv(name) != 0)
            return -1;
    }
}

static int teardown_test(void **state)
{
    (void)state;
    remove_config();
    unsetenv("ONSHI_PORT");
    unsetenv("ONSHI_LOG_LEVEL");
    unsetenv("ONSHI_COLOUR");
    unsetenv("ONSHI_PUBLIC_BASE_URL");
    return 0;
}

static void config_uses_defaults_without_file(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_load(NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.listen_address, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    assert_string_equal(c.database_url, "dbname=onshi");
    assert_int_equal(c.http_threads, 0);
    assert_int_equal(c.connection_limit, 1024);
    assert_int_equal(c.connection_timeout, 30);
    assert_int_equal(c.connection_memory_limit, 12288);
    assert_int_equal(c.body_limit, 65536);
    assert_int_equal(c.upload_limit, 6291456);
    assert_string_equal(c.environment, "production");
    assert_string_equal(c.public_base_url, "http://localhost:8080");
    assert_string_equal(c.log_level, "info");
    assert_non_null(c.static_dir);
    assert_true(c.static_dir[0] != '\0');
    assert_int_equal(c.db_retry_limit, 3);
    assert_int_equal(c.db_connect_timeout, 5);
    assert_int_equal(c.shutdown_grace, 10);
    config_free(&c);
}

static void config_reads_values_from_file(void **state)
{
    (void)state;
    struct config c;
    const char *path = write_config("listen_address = 0.0.0.0\n"
                                    "port = 9000\n"
                                    "database_url = host=db dbname=onshi_test\n"
                                    "http_threads=8\n"
                                    "body_limit = 2048\n"
                                    "upload_limit = 268435456\n"
                                    "environment = verification\n"
                                    "public_base_url = https://onshi.example.jp\n"
                                    "log_level = debug\n"
                                    "static_dir = /srv/onshi/webui\n"
                                    "db_retry_limit = 0\n"
                                    "shutdown_grace = 600\n");
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    assert_string_equal(c.listen_address, "0.0.0.0");
    assert_int_equal(c.port, 9000);
    assert_string_equal(c.database_url, "host=db dbname=onshi_test");
    assert_int_equal(c.http_threads, 8);
    assert_int_equal(c.body_limit, 2048);
    assert_int_equal(c.upload_limit, 268435456);
    assert_string_equal(c.environment, "verification");
    assert_string_equal(c.public_base_url, "https://onshi.example.jp");
    assert_string_equal(c.log_level, "debug");
    assert_string_equal(c.static_dir, "/srv/onshi/webui");
    assert_int_equal(c.db_retry_limit, 0);
    assert_int_equal(c.shutdown_grace, 600);
    /* Keys the file leaves out keep their defaults. */
    assert_int_equal(c.connection_limit, 1024);
    assert_int_equal(c.db_connect_timeout, 5);
    config_free(&c);
}

static void config_strips_double_quotes_around_values(void **state)
{
    (void)state;
    struct config c;
    const char *path = write_config("listen_address = \"::1\"\n"
                                    "database_url = \"host=db  dbname=onshi \"\n"
                                    "port = \"8443\"\n"
                                    "static_dir = \"/srv/with space\"\n");
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    assert_string_equal(c.listen_address, "::1");
    assert_string_equal(c.database_url, "host=db  dbname=onshi ");
    assert_int_equal(c.port, 8443);
    assert_string_equal(c.static_dir, "/srv/with space");
    config_free(&c);
}

static void config_skips_comments_and_blank_lines(void **state)
{
    (void)state;
    struct config c;
    const char *path = write_config("# onshid configuration\n"
                                    "\n"
                                    "   \n"
                                    "\t# indented comment\n"
                                    "# port = 1\n"
                                    "port = 7000\r\n"
                                    "\r\n"
                                    "   log_level   =   warn   \n"
                                    "# trailing comment");
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    assert_int_equal(c.port, 7000);
    assert_string_equal(c.log_level, "warn");
    config_free(&c);
}

static void config_empty_file_gives_defaults(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_load(write_config(""), &c, err, sizeof err), 0);
    assert_int_equal(c.port, 8080);
    config_free(&c);
}

static void config_missing_file_is_error_naming_path(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_load("/nonexistent/onshid.conf", &c, err, sizeof err), -1);
    assert_contains(err, "/nonexistent/onshid.conf");
}

static void config_unknown_key_is_error_naming_key_and_line(void **state)
{
    (void)state;
    const char *msg = load_fails("# comment\n"
                                 "port = 9000\n"
                                 "colour = blue\n"
                                 "log_level = debug\n");
    assert_contains(msg, "colour");
    assert_contains(msg, ":3");
    /* Keys are case-sensitive. */
    msg = load_fails("Port = 9000\n");
    assert_contains(msg, "Port");
    assert_contains(msg, ":1");
}

static void config_line_without_equals_is_error_naming_line(void **state)
{
    (void)state;
    const char *msg = load_fails("port = 9000\n\nlog_level debug\n");
    assert_contains(msg, ":3");
}

static void config_duplicate_key_is_error(void **state)
{
    (void)state;
    const char *msg = load_fails("port = 9000\nlog_level = warn\nport = 9000\n");
    assert_contains(msg, "port");
    assert_contains(msg, ":3");
}

static void config_out_of_range_int_is_error_naming_key(void **state)
{
    (void)state;
    assert_contains(load_fails("port = 65536\n"), "port");
    assert_contains(load_fails("port = -1\n"), "port");
    assert_contains(load_fails("http_threads = -1\n"), "http_threads");
    assert_contains(load_fails("http_threads = 257\n"), "http_threads");
    assert_contains(load_fails("body_limit = 1023\n"), "body_limit");
    assert_contains(load_fails("body_limit = 99999999999999999999999\n"), "body_limit");
    assert_contains(load_fails("shutdown_grace = 601\n"), "shutdown_grace");

    /* Both ends of a range are inclusive. */
    struct config c;
    assert_int_equal(config_load(write_config("port = 65535\nhttp_threads = 256\n"
                                              "body_limit = 1024\n"),
                                 &c, err, sizeof err),
                     0);
    assert_int_equal(c.port, 65535);
    assert_int_equal(c.http_threads, 256);
    assert_int_equal(c.body_limit, 1024);
    config_free(&c);
}

/* The password policy (issue 16 §8): the manual's rules by default; values that no password
 * could meet are refused at load (and so by --check-config and SIGHUP). */
static void config_password_policy_defaults_and_impossible_combinations(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_load(NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.password_min_length, 8);
    assert_int_equal(c.password_max_length, 64);
    assert_int_equal(c.password_min_classes, 3);
    assert_int_equal(c.password_history, 3);
    config_free(&c);
    assert_contains(load_fails("password_min_length = 70\n"),
                    "password_min_length (70) is above password_max_length (64)");
    assert_contains(load_fails("password_min_length = 2\npassword_max_length = 3\n"
                               "password_min_classes = 4\n"),
                    "password_min_classes (4) cannot be met within password_max_length (3)");
    assert_contains(load_fails("password_min_classes = 5\n"), "password_min_classes");
    assert_contains(load_fails("password_history = 0\n"), "password_history");
    assert_contains(load_fails("password_history = 25\n"), "password_history");
    assert_contains(load_fails("password_max_length = 129\n"), "password_max_length");
    /* The edges that can still be met are accepted. */
    assert_int_equal(config_load(write_config("password_min_length = 4\npassword_max_length = 4\n"
                                              "password_min_classes = 4\npassword_history = 24\n"),
                                 &c, err, sizeof err),
                     0);
    assert_int_equal(c.password_history, 24);
    config_free(&c);
}

static void config_non_numeric_int_is_error_naming_key(void **state)
{
    (void)state;
    assert_contains(load_fails("port = abc\n"), "port");
    assert_contains(load_fails("port = 80x\n"), "port");
    assert_contains(load_fails("port = 8.5\n"), "port");
    assert_contains(load_fails("port =\n"), "port");
    assert_contains(load_fails("port = \"\"\n"), "port");
    assert_contains(load_fails("connection_timeout = 1e3\n"), "connection_timeout");
    assert_contains(load_fails("upload_limit = 5MiB\n"), "upload_limit");
}

static void config_enum_value_outside_list_is_error_naming_key(void **state)
{
    (void)state;
    assert_contains(load_fails("log_level = verbose\n"), "log_level");
    assert_contains(load_fails("log_level = INFO\n"), "log_level");
    assert_contains(load_fails("environment = staging\n"), "environment");
    assert_contains(load_fails("environment =\n"), "environment");
}

static void config_url_without_http_scheme_or_with_trailing_slash_is_rejected(void **state)
{
    (void)state;
    assert_contains(load_fails("public_base_url = ftp://example.jp\n"), "public_base_url");
    assert_contains(load_fails("public_base_url = example.jp\n"), "public_base_url");
    assert_contains(load_fails("public_base_url = https://example.jp/\n"), "public_base_url");
    assert_contains(load_fails("public_base_url = http://example.jp/onshi/\n"), "public_base_url");
    assert_contains(load_fails("public_base_url = \"\"\n"), "public_base_url");
    assert_contains(load_fails("public_base_url = \"http://exa mple.jp\"\n"), "public_base_url");

    struct config c;
    assert_int_equal(config_load(write_config("public_base_url = http://example.jp:8080/onshi\n"),
                                 &c, err, sizeof err),
                     0);
    assert_string_equal(c.public_base_url, "http://example.jp:8080/onshi");
    config_free(&c);
}

static void config_empty_string_value_is_rejected(void **state)
{
    (void)state;
    assert_contains(load_fails("listen_address =\n"), "listen_address");
    assert_contains(load_fails("database_url = \"\"\n"), "database_url");
}

static void config_environment_variable_overrides_file(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(setenv("ONSHI_PORT", "9100", 1), 0);
    assert_int_equal(setenv("ONSHI_LOG_LEVEL", "error", 1), 0);
    const char *path = write_config("port = 9000\nlog_level = debug\nbody_limit = 4096\n");
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    assert_int_equal(c.port, 9100);
    assert_string_equal(c.log_level, "error");
    assert_int_equal(c.body_limit, 4096); /* not overridden: the file's value */
    config_free(&c);

    /* Without a file, too. */
    assert_int_equal(config_load(NULL, &c, err, sizeof err), 0);
    assert_int_equal(c.port, 9100);
    config_free(&c);
}

static void config_invalid_environment_value_is_error_naming_variable(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(setenv("ONSHI_PORT", "http", 1), 0);
    assert_int_equal(config_load(NULL, &c, err, sizeof err), -1);
    assert_contains(err, "ONSHI_PORT");
    assert_int_equal(setenv("ONSHI_PORT", "80", 1), 0);
    assert_int_equal(setenv("ONSHI_PUBLIC_BASE_URL", "http://x/", 1), 0);
    assert_int_equal(config_load(NULL, &c, err, sizeof err), -1);
    assert_contains(err, "ONSHI_PUBLIC_BASE_URL");
}

static void config_unknown_onshi_variable_is_error_naming_it(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(setenv("ONSHI_COLOUR", "blue", 1), 0);
    assert_int_equal(config_load(NULL, &c, err, sizeof err), -1);
    assert_contains(err, "ONSHI_COLOUR");
    /* With a valid file as well: the environment is still checked. */
    assert_int_equal(config_load(write_config("port = 9000\n"), &c, err, sizeof err), -1);
    assert_contains(err, "ONSHI_COLOUR");
}

static void config_merge_reload_keeps_non_reloadable_and_takes_reloadable(void **state)
{
    (void)state;
    struct config running, fresh, merged;
    char ignored[256];
    assert_int_equal(config_load(NULL, &running, err, sizeof err), 0);
    const char *path = write_config("listen_address = 0.0.0.0\n"
                                    "port = 9000\n"
                                    "log_level = debug\n"
                                    "body_limit = 2048\n"
                                    "public_base_url = https://new.example.jp\n"
                                    "shutdown_grace = 30\n");
    assert_int_equal(config_load(path, &fresh, err, sizeof err), 0);
    memset(ignored, 'x', sizeof ignored);
    assert_int_equal(config_merge_reload(&running, &fresh, &merged, ignored, sizeof ignored), 0);

    /* Non-reloadable: the running values. */
    assert_int_equal(merged.port, 8080);
    assert_string_equal(merged.listen_address, "127.0.0.1");
    /* Reloadable: the fresh values. */
    assert_string_equal(merged.log_level, "debug");
    assert_int_equal(merged.body_limit, 2048);
    assert_string_equal(merged.public_base_url, "https://new.example.jp");
    assert_int_equal(merged.shutdown_grace, 30);
    /* Unchanged keys are simply carried over. */
    assert_string_equal(merged.database_url, "dbname=onshi");
    assert_int_equal(merged.upload_limit, 6291456);

    assert_string_equal(ignored, "listen_address, port");

    /* The merged snapshot owns its strings. */
    assert_ptr_not_equal(merged.log_level, fresh.log_level);
    assert_ptr_not_equal(merged.listen_address, running.listen_address);
    config_free(&running);
    config_free(&fresh);
    assert_string_equal(merged.log_level, "debug");
    assert_string_equal(merged.listen_address, "127.0.0.1");
    config_free(&merged);
}

static void config_merge_reload_ignores_nothing_when_only_reloadable_keys_change(void **state)
{
    (void)state;
    struct config running, fresh, merged;
    char ignored[64];
    assert_int_equal(config_load(NULL, &running, err, sizeof err), 0);
    assert_int_equal(config_load(write_config("log_level = warn\nupload_limit = 4096\n"), &fresh,
                                 err, sizeof err),
                     0);
    memset(ignored, 'x', sizeof ignored);
    assert_int_equal(config_merge_reload(&running, &fresh, &merged, ignored, sizeof ignored), 0);
    assert_string_equal(ignored, "");
    assert_string_equal(merged.log_level, "warn");
    assert_int_equal(merged.upload_limit, 4096);
    config_free(&running);
    config_free(&fresh);
    config_free(&merged);
}

static void config_merge_reload_truncates_ignored_list_to_buffer(void **state)
{
    (void)state;
    struct config running, fresh, merged;
    char ignored[12];
    assert_int_equal(config_load(NULL, &running, err, sizeof err), 0);
    assert_int_equal(config_load(write_config("listen_address = ::\nport = 1\nhttp_threads = 2\n"
                                              "environment = verification\n"),
                                 &fresh, err, sizeof err),
                     0);
    assert_int_equal(config_merge_reload(&running, &fresh, &merged, ignored, sizeof ignored), 0);
    assert_true(strlen(ignored) < sizeof ignored);
    assert_memory_equal(ignored, "listen_address", strlen(ignored));
    config_free(&running);
    config_free(&fresh);
    config_free(&merged);
}

static void config_publish_current_and_shutdown(void **state)
{
    (void)state;
    struct config first, second;
    assert_null(config_current());

    assert_int_equal(config_load(NULL, &first, err, sizeof err), 0);
    config_publish(&first);
    /* Taken over: the caller's struct no longer owns the strings. */
    assert_null(first.log_level);
    const struct config *cur1 = config_current();
    assert_non_null(cur1);
    assert_int_equal(cur1->port, 8080);
    assert_string_equal(cur1->log_level, "info");

    assert_int_equal(config_load(write_config("log_level = debug\n"), &second, err, sizeof err), 0);
    config_publish(&second);
    const struct config *cur2 = config_current();
    assert_non_null(cur2);
    assert_ptr_not_equal(cur1, cur2);
    assert_string_equal(cur2->log_level, "debug");
    /* The older snapshot stays readable until shutdown. */
    assert_string_equal(cur1->log_level, "info");

    config_shutdown();
    assert_null(config_current());
    config_shutdown(); /* idempotent */
    assert_null(config_current());
}

static void config_write_example_lists_every_key(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    config_write_example(f);
    fclose(f);
    static const char *const names[] = {
        "listen_address",
        "port",
        "database_url",
        "http_threads",
        "connection_limit",
        "connection_timeout",
        "connection_memory_limit",
        "body_limit",
        "upload_limit",
        "environment",
        "public_base_url",
        "log_level",
        "static_dir",
        "db_retry_limit",
        "db_connect_timeout",
        "shutdown_grace",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n# %s = ", names[i]);
        assert_contains(buf, line);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(config_uses_defaults_without_file, teardown_test),
        cmocka_unit_test_teardown(config_reads_values_from_file, teardown_test),
        cmocka_unit_test_teardown(config_strips_double_quotes_around_values, teardown_test),
        cmocka_unit_test_teardown(config_skips_comments_and_blank_lines, teardown_test),
        cmocka_unit_test_teardown(config_empty_file_gives_defaults, teardown_test),
        cmocka_unit_test_teardown(config_missing_file_is_error_naming_path, teardown_test),
        cmocka_unit_test_teardown(config_unknown_key_is_error_naming_key_and_line, teardown_test),
        cmocka_unit_test_teardown(config_line_without_equals_is_error_naming_line, teardown_test),
        cmocka_unit_test_teardown(config_duplicate_key_is_error, teardown_test),
        cmocka_unit_test_teardown(config_out_of_range_int_is_error_naming_key, teardown_test),
        cmocka_unit_test_teardown(config_password_policy_defaults_and_impossible_combinations,
                                  teardown_test),
        cmocka_unit_test_teardown(config_non_numeric_int_is_error_naming_key, teardown_test),
        cmocka_unit_test_teardown(config_enum_value_outside_list_is_error_naming_key,
                                  teardown_test),
        cmocka_unit_test_teardown(config_url_without_http_scheme_or_with_trailing_slash_is_rejected,
                                  teardown_test),
        cmocka_unit_test_teardown(config_empty_string_value_is_rejected, teardown_test),
        cmocka_unit_test_teardown(config_environment_variable_overrides_file, teardown_test),
        cmocka_unit_test_teardown(config_invalid_environment_value_is_error_naming_variable,
                                  teardown_test),
        cmocka_unit_test_teardown(config_unknown_onshi_variable_is_error_naming_it, teardown_test),
        cmocka_unit_test_teardown(config_merge_reload_keeps_non_reloadable_and_takes_reloadable,
                                  teardown_test),
        cmocka_unit_test_teardown(
            config_merge_reload_ignores_nothing_when_only_reloadable_keys_change, teardown_test),
        cmocka_unit_test_teardown(config_merge_reload_truncates_ignored_list_to_buffer,
                                  teardown_test),
        cmocka_unit_test_teardown(config_publish_current_and_shutdown, teardown_test),
        cmocka_unit_test_teardown(config_write_example_lists_every_key, teardown_test),
    };
    return cmocka_run_group_tests(tests, clear_onshi_environment, NULL);
}
