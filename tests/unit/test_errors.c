/* The error registry compiled from server/errors.csv. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdbool.h>
#include <string.h>

#include "core/text.h"
#include "util/errors.h"

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF), kept local so this
 * test needs only onshi_util. */

static bool has_non_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80)
            return true;
    return false;
}

/* Lowercase words of [a-z0-9_] joined by single dots, at least two words. */
static bool is_dotted_code(const char *s)
{
    bool dot = false;
    if (!*s || *s == '.' || s[strlen(s) - 1] == '.')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (p[1] == '.')
                return false;
            dot = true;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            return false;
        }
    }
    return dot;
}

static void errors_table_has_one_entry_per_code(void **state)
{
    (void)state;
    assert_true(ERR__COUNT > 0);
    assert_int_equal(sizeof error_table / sizeof error_table[0], ERR__COUNT);
    for (int i = 0; i < ERR__COUNT; i++)
        if (!error_table[i].code || !error_table[i].message || !error_table[i].hint)
            fail_msg("error_table[%d] is missing a field", i);
}

static void errors_codes_are_nonempty_lowercase_dotted(void **state)
{
    (void)state;
    for (int i = 0; i < ERR__COUNT; i++) {
        const char *code = error_table[i].code;
        assert_non_null(code);
        if (!is_dotted_code(code))
            fail_msg("error_table[%d]: code '%s' is not lowercase dotted", i, code);
    }
}

static void errors_statuses_are_400_to_599(void **state)
{
    (void)state;
    for (int i = 0; i < ERR__COUNT; i++) {
        int status = error_table[i].http_status;
        if (status < 400 || status > 599)
            fail_msg("%s: status %d", error_table[i].code, status);
    }
}

static void errors_messages_are_nonempty_utf8_japanese(void **state)
{
    (void)state;
    for (int i = 0; i < ERR__COUNT; i++) {
        const char *msg = error_table[i].message;
        assert_non_null(msg);
        if (!*msg)
            fail_msg("%s: empty message", error_table[i].code);
        if (!utf8_valid(msg, strlen(msg)))
            fail_msg("%s: message is not valid UTF-8", error_table[i].code);
        if (!has_non_ascii(msg))
            fail_msg("%s: message '%s' has no Japanese", error_table[i].code, msg);
    }
}

static void errors_hints_are_nonempty(void **state)
{
    (void)state;
    for (int i = 0; i < ERR__COUNT; i++) {
        const char *hint = error_table[i].hint;
        assert_non_null(hint);
        if (!*hint)
            fail_msg("%s: empty hint", error_table[i].code);
        if (!utf8_valid(hint, strlen(hint)))
            fail_msg("%s: hint is not valid UTF-8", error_table[i].code);
    }
}

static void errors_codes_are_unique(void **state)
{
    (void)state;
    for (int i = 0; i < ERR__COUNT; i++)
        for (int j = i + 1; j < ERR__COUNT; j++)
            if (strcmp(error_table[i].code, error_table[j].code) == 0)
                fail_msg("code '%s' at %d and %d", error_table[i].code, i, j);
}

static void errors_enum_names_index_their_own_rows(void **state)
{
    (void)state;
    assert_string_equal(error_table[ERR_REQUEST_NOT_FOUND].code, "request.not_found");
    assert_int_equal(error_table[ERR_REQUEST_NOT_FOUND].http_status, 404);
    assert_string_equal(error_table[ERR_REQUEST_METHOD_NOT_ALLOWED].code,
                        "request.method_not_allowed");
    assert_int_equal(error_table[ERR_REQUEST_METHOD_NOT_ALLOWED].http_status, 405);
    assert_string_equal(error_table[ERR_REQUEST_BODY_TOO_LARGE].code, "request.body_too_large");
    assert_int_equal(error_table[ERR_REQUEST_BODY_TOO_LARGE].http_status, 413);
    assert_string_equal(error_table[ERR_REQUEST_FIELD_RANGE].code, "request.field_range");
    assert_int_equal(error_table[ERR_REQUEST_FIELD_RANGE].http_status, 400);
    assert_string_equal(error_table[ERR_AUTH_REQUIRED].code, "auth.required");
    assert_int_equal(error_table[ERR_AUTH_REQUIRED].http_status, 401);
    assert_string_equal(error_table[ERR_SERVER_INTERNAL].code, "server.internal");
    assert_int_equal(error_table[ERR_SERVER_INTERNAL].http_status, 500);
    assert_string_equal(error_table[ERR_INSTITUTION_CODE_TABLE_NUMBER].code,
                        "institution.code.table_number");
    assert_string_equal(error_table[ERR_INSTITUTION_EXISTS].code, "institution.exists");
    assert_int_equal(error_table[ERR_INSTITUTION_EXISTS].http_status, 409);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors_table_has_one_entry_per_code),
        cmocka_unit_test(errors_codes_are_nonempty_lowercase_dotted),
        cmocka_unit_test(errors_statuses_are_400_to_599),
        cmocka_unit_test(errors_messages_are_nonempty_utf8_japanese),
        cmocka_unit_test(errors_hints_are_nonempty),
        cmocka_unit_test(errors_codes_are_unique),
        cmocka_unit_test(errors_enum_names_index_their_own_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
