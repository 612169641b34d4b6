/* Sealed files (AES-256-GCM): round trip, bound to their label, tampering detected, the key
 * file's format checked. */
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

#include "util/sealed.h"

static char key_path[] = "/tmp/onshi-sealed-XXXXXX";

static int write_key(const char *text)
{
    FILE *f = fopen(key_path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    char err[256];
    return sealed_key_load(key_path, err, sizeof err);
}

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(key_path);
    if (fd < 0)
        return -1;
    close(fd);
    return write_key("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
}

static int teardown(void **state)
{
    (void)state;
    sealed_key_forget();
    unlink(key_path);
    return 0;
}

static bool contains(const unsigned char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return true;
    return false;
}

static void round_trip_and_label_binding(void **state)
{
    (void)state;
    const char *text = "行番号,初期パスワード\r\n1,abc\r\n";
    unsigned char *box;
    size_t len;
    assert_int_equal(seal("20261124_H0000001", text, strlen(text), &box, &len), 0);
    assert_false(contains(box, len, "abc")); /* not in the clear */
    char *plain;
    size_t plen;
    assert_int_equal(unseal("20261124_H0000001", box, len, &plain, &plen), 0);
    assert_int_equal(plen, strlen(text));
    assert_string_equal(plain, text);
    free(plain);
    /* Another job's label, or one flipped bit: refused. */
    assert_int_equal(unseal("20261124_H0000002", box, len, &plain, &plen), -1);
    box[len / 2] ^= 1;
    assert_int_equal(unseal("20261124_H0000001", box, len, &plain, &plen), -1);
    assert_null(plain);
    assert_int_equal(unseal("x", box, 5, &plain, &plen), -1);
    free(box);
}

static void key_files_must_hold_64_hex_digits(void **state)
{
    (void)state;
    assert_int_equal(write_key("0011"), -1);
    assert_int_equal(write_key("zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
                     -1);
    char err[256];
    assert_int_equal(sealed_key_load("/nonexistent/key", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/key"));
    assert_int_equal(write_key("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_and_label_binding),
        cmocka_unit_test(key_files_must_hold_64_hex_digits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
