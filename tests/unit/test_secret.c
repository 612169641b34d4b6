/* Initial passwords and their salted hash. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

enum { STORED_LEN = 8 + 32 + 1 + 64 }; /* "$sha256$" salt '$' digest */

static char passwords[2000][INITIAL_PASSWORD_LEN + 1];

static int compare_passwords(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void initial_password_is_20_characters(void **state)
{
    (void)state;
    for (int i = 0; i < 100; i++) {
        char pw[INITIAL_PASSWORD_LEN + 1];
        memset(pw, 'x', sizeof pw);
        assert_int_equal(secret_initial_password(pw), 0);
        assert_int_equal(strlen(pw), 20);
        assert_int_equal(INITIAL_PASSWORD_LEN, 20);
    }
}

static void initial_password_uses_only_alphabet_without_look_alikes(void **state)
{
    (void)state;
    assert_int_equal(strlen(alphabet), 56);
    for (int i = 0; i < 1000; i++) {
        char pw[INITIAL_PASSWORD_LEN + 1];
        assert_int_equal(secret_initial_password(pw), 0);
        for (int j = 0; j < INITIAL_PASSWORD_LEN; j++) {
            if (!strchr(alphabet, pw[j]))
                fail_msg("password '%s' has '%c' outside the alphabet", pw, pw[j]);
            if (strchr("0O1lI", pw[j]))
                fail_msg("password '%s' has the look-alike '%c'", pw, pw[j]);
        }
    }
}

static void initial_passwords_are_distinct_over_1000(void **state)
{
    (void)state;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(secret_initial_password(passwords[i]), 0);
    qsort(passwords, 1000, sizeof passwords[0], compare_passwords);
    for (int i = 1; i < 1000; i++)
        if (strcmp(passwords[i - 1], passwords[i]) == 0)
            fail_msg("password '%s' generated twice", passwords[i]);
}

static void initial_passwords_use_every_alphabet_letter_over_2000(void **state)
{
    (void)state;
    /* 40000 draws from 56 letters: each expected ~714 times, so a missing one means bias. */
    size_t counts[256] = {0};
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(secret_initial_password(passwords[i]), 0);
        for (int j = 0; j < INITIAL_PASSWORD_LEN; j++)
            counts[(unsigned char)passwords[i][j]]++;
    }
    for (const char *a = alphabet; *a; a++) {
        if (counts[(unsigned char)*a] == 0)
            fail_msg("letter '%c' never appeared", *a);
        /* Far outside any plausible deviation from 714 (σ ≈ 26). */
        if (counts[(unsigned char)*a] < 450 || counts[(unsigned char)*a] > 1000)
            fail_msg("letter '%c' appeared %zu times", *a, counts[(unsigned char)*a]);
    }
}

static void hash_initial_has_sha256_salt_digest_format(void **state)
{
    (void)state;
    char *stored = secret_hash_initial("Abc23456789defghJKLM");
    assert_non_null(stored);
    assert_int_equal(strlen(stored), STORED_LEN);
    assert_memory_equal(stored, "$sha256$", 8);
    assert_int_equal(stored[40], '$');
    for (int i = 8; i < STORED_LEN; i++)
        if (i != 40 && !strchr("0123456789abcdef", stored[i]))
            fail_msg("'%s' has a non-hex character at %d", stored, i);
    free(stored);
}

static void verify_initial_accepts_the_hashed_password(void **state)
{
    (void)state;
    char pw[INITIAL_PASSWORD_LEN + 1];
    for (int i = 0; i < 20; i++) {
        assert_int_equal(secret_initial_password(pw), 0);
        char *stored = secret_hash_initial(pw);
        assert_non_null(stored);
        assert_true(secret_verify_initial(pw, stored));
        free(stored);
    }
    char *stored = secret_hash_initial("");
    assert_non_null(stored);
    assert_true(secret_verify_initial("", stored));
    assert_false(secret_verify_initial("x", stored));
    free(stored);
}

static void verify_initial_rejects_wrong_password(void **state)
{
    (void)state;
    const char *pw = "Abc23456789defghJKLM";
    char *stored = secret_hash_initial(pw);
    assert_non_null(stored);
    assert_false(secret_verify_initial("Abc23456789defghJKLN", stored));
    assert_false(secret_verify_initial("abc23456789defghJKLM", stored));
    assert_false(secret_verify_initial("Abc23456789defghJKL", stored));
    assert_false(secret_verify_initial("Abc23456789defghJKLMx", stored));
    assert_false(secret_verify_initial("", stored));
    assert_true(secret_verify_initial(pw, stored));
    free(stored);
}

static void verify_initial_rejects_tampered_digest_or_salt(void **state)
{
    (void)state;
    const char *pw = "Abc23456789defghJKLM";
    char *stored = secret_hash_initial(pw);
    assert_non_null(stored);
    static const int positions[] = {8, 23, 39, 41, 70, STORED_LEN - 1};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        char copy[STORED_LEN + 1];
        memcpy(copy, stored, sizeof copy);
        int at = positions[i];
        copy[at] = copy[at] == '0' ? '1' : '0'; /* still a hex digit */
        if (secret_verify_initial(pw, copy))
            fail_msg("tampered hash accepted (position %d): %s", at, copy);
    }
    /* An upper-cased digest is not what was stored. */
    char upper[STORED_LEN + 1];
    memcpy(upper, stored, sizeof upper);
    bool changed = false;
    for (int i = 41; i < STORED_LEN; i++)
        if (upper[i] >= 'a' && upper[i] <= 'f') {
            upper[i] = (char)(upper[i] - 'a' + 'A');
            changed = true;
        }
    if (changed)
        assert_false(secret_verify_initial(pw, upper));
    free(stored);
}

static void verify_initial_rejects_malformed_stored_strings(void **state)
{
    (void)state;
    const char *pw = "Abc23456789defghJKLM";
    char *stored = secret_hash_initial(pw);
    assert_non_null(stored);
    char buf[2 * STORED_LEN];

    assert_false(secret_verify_initial(pw, ""));
    assert_false(secret_verify_initial(pw, "$"));
    assert_false(secret_verify_initial(pw, "$sha256$"));
    assert_false(secret_verify_initial(pw, "$sha256$$"));
    assert_false(secret_verify_initial(pw, pw));

    /* Short and long by one. */
    memcpy(buf, stored, STORED_LEN - 1);
    buf[STORED_LEN - 1] = '\0';
    assert_false(secret_verify_initial(pw, buf));
    snprintf(buf, sizeof buf, "%s0", stored);
    assert_false(secret_verify_initial(pw, buf));

    /* Wrong prefix, same length. */
    static const char *const prefixes[] = {"$sha512$", "$SHA256$", "$argon2$", "xsha256$",
                                           "$sha256x"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        memcpy(buf, stored, STORED_LEN + 1);
        memcpy(buf, prefixes[i], 8);
        if (secret_verify_initial(pw, buf))
            fail_msg("accepted with prefix %s", prefixes[i]);
    }

    /* Separator moved or replaced. */
    memcpy(buf, stored, STORED_LEN + 1);
    buf[40] = 'a';
    assert_false(secret_verify_initial(pw, buf));

    /* Salt that is not hex. */
    memcpy(buf, stored, STORED_LEN + 1);
    buf[8] = 'z';
    buf[9] = 'z';
    assert_false(secret_verify_initial(pw, buf));

    /* Digest that is not hex. */
    memcpy(buf, stored, STORED_LEN + 1);
    memset(buf + 41, 'g', 64);
    assert_false(secret_verify_initial(pw, buf));
    free(stored);
}

static void hash_initial_of_same_password_differs_by_salt(void **state)
{
    (void)state;
    const char *pw = "Abc23456789defghJKLM";
    char *a = secret_hash_initial(pw);
    char *b = secret_hash_initial(pw);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(a, b);
    assert_memory_not_equal(a + 8, b + 8, 32);   /* the salts */
    assert_memory_not_equal(a + 41, b + 41, 64); /* hence the digests */
    assert_true(secret_verify_initial(pw, a));
    assert_true(secret_verify_initial(pw, b));
    free(a);
    free(b);
}

/* Builds '$sha256$<salt hex>$<sha256(salt || password) hex>' independently of secret.c. */
static void make_stored(const unsigned char salt[16], const char *password,
                        char out[STORED_LEN + 1])
{
    unsigned char d[32];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(ctx, salt, 16), 1);
    assert_int_equal(EVP_DigestUpdate(ctx, password, strlen(password)), 1);
    assert_int_equal(EVP_DigestFinal_ex(ctx, d, &len), 1);
    EVP_MD_CTX_free(ctx);
    assert_int_equal(len, 32);
    memcpy(out, "$sha256$", 8); // NOLINT(bugprone-not-null-terminated-result): a prefix
    for (int i = 0; i < 16; i++)
        snprintf(out + 8 + 2 * i, 3, "%02x", salt[i]);
    out[40] = '$';
    for (int i = 0; i < 32; i++)
        snprintf(out + 41 + 2 * i, 3, "%02x", d[i]);
}

static void verify_initial_accepts_independently_computed_hash(void **state)
{
    (void)state;
    static const unsigned char salt[16] = {0x0f, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a,
                                           0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89};
    char stored[STORED_LEN + 1];
    make_stored(salt, "Abc23456789defghJKLM", stored);
    assert_true(secret_verify_initial("Abc23456789defghJKLM", stored));
    assert_false(secret_verify_initial("Abc23456789defghJKLm", stored));
}

/* The salt is documented as hex: each byte exactly two hex digits. The stored string must be
 * rejected when a salt byte is spelled any other way, even if sscanf("%2x") would read the
 * same number from it. */
static void verify_initial_rejects_salt_that_is_not_two_hex_digits(void **state)
{
    (void)state;
    static const unsigned char salt[16] = {0x0f, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a,
                                           0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89};
    static const struct {
        int byte;
        const char *spelling;
    } variants[] = {
        {0, "+f"}, /* 0x0f with a sign */
        {0, " f"}, /* 0x0f with leading white space */
        {0, "fz"}, /* 0x0f from one digit and garbage */
        {1, "-1"}, /* 0xff as negative one */
        {2, "0x"}, /* 0x00 as a bare hex prefix */
    };
    const char *pw = "Abc23456789defghJKLM";
    int accepted = 0;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char stored[STORED_LEN + 1];
        make_stored(salt, pw, stored);
        memcpy(stored + 8 + 2 * variants[i].byte, variants[i].spelling, 2);
        if (secret_verify_initial(pw, stored)) {
            print_error("accepted salt byte %d spelled '%s': %s\n", variants[i].byte,
                        variants[i].spelling, stored);
            accepted++;
        }
    }
    assert_int_equal(accepted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(initial_password_is_20_characters),
        cmocka_unit_test(initial_password_uses_only_alphabet_without_look_alikes),
        cmocka_unit_test(initial_passwords_are_distinct_over_1000),
        cmocka_unit_test(initial_passwords_use_every_alphabet_letter_over_2000),
        cmocka_unit_test(hash_initial_has_sha256_salt_digest_format),
        cmocka_unit_test(verify_initial_accepts_the_hashed_password),
        cmocka_unit_test(verify_initial_rejects_wrong_password),
        cmocka_unit_test(verify_initial_rejects_tampered_digest_or_salt),
        cmocka_unit_test(verify_initial_rejects_malformed_stored_strings),
        cmocka_unit_test(hash_initial_of_same_password_differs_by_salt),
        cmocka_unit_test(verify_initial_accepts_independently_computed_hash),
        cmocka_unit_test(verify_initial_rejects_salt_that_is_not_two_hex_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
