/* Stored password hashes: argon2id for chosen passwords, the fast salted form for initial
 * ones, rehash detection, and the dummy verification used to even out sign-in timing. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdlib.h>
#include <string.h>

#include "util/password_hash.h"
#include "util/secret.h"

/* libsodium's minimum cost keeps the tests fast; the format is the same. */
static const struct argon2_params light = {1, 8192};
static const struct argon2_params heavier = {2, 16384};

static int setup(void **state)
{
    (void)state;
    return password_hash_init();
}

static void chosen_passwords_are_stored_as_argon2id_with_their_parameters(void **state)
{
    (void)state;
    char *h = password_hash_chosen("Abcdef12!", &light);
    assert_non_null(h);
    assert_true(strncmp(h, "$argon2id$v=19$m=8,t=1,p=1$", 27) == 0);
    assert_true(password_verify("Abcdef12!", h));
    assert_false(password_verify("Abcdef12?", h));
    assert_false(password_verify("", h));
    char *again = password_hash_chosen("Abcdef12!", &light);
    assert_string_not_equal(h, again); /* salted */
    free(h);
    free(again);
}

static void the_default_parameters_are_libsodiums_interactive_level(void **state)
{
    (void)state;
    char *h = password_hash_chosen("Abcdef12!", &argon2_params_default);
    assert_non_null(h);
    assert_true(strncmp(h, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    assert_true(password_verify("Abcdef12!", h));
    free(h);
}

static void initial_password_hashes_verify_through_the_same_call(void **state)
{
    (void)state;
    char pw[INITIAL_PASSWORD_LEN + 1];
    assert_int_equal(secret_initial_password(pw), 0);
    char *h = secret_hash_initial(pw);
    assert_true(password_verify(pw, h));
    assert_false(password_verify("wrong", h));
    assert_false(password_needs_rehash(h, &heavier));
    free(h);
}

static void a_hash_made_with_other_parameters_needs_a_rehash(void **state)
{
    (void)state;
    char *h = password_hash_chosen("Abcdef12!", &light);
    assert_false(password_needs_rehash(h, &light));
    assert_true(password_needs_rehash(h, &heavier));
    free(h);
}

static void unrecognised_stored_values_never_verify(void **state)
{
    (void)state;
    const char *bad[] = {"",           "plain",
                         "$argon2id$", "$argon2i$v=19$m=8,t=1,p=1$x$y",
                         "$sha256$zz", "$2b$10$abcdefghijklmnopqrstuv"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(password_verify("plain", bad[i]));
}

static void the_dummy_verification_runs_for_any_parameters(void **state)
{
    (void)state;
    password_verify_dummy(&light);
    password_verify_dummy(&heavier);
    password_verify_dummy(&light);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chosen_passwords_are_stored_as_argon2id_with_their_parameters),
        cmocka_unit_test(the_default_parameters_are_libsodiums_interactive_level),
        cmocka_unit_test(initial_password_hashes_verify_through_the_same_call),
        cmocka_unit_test(a_hash_made_with_other_parameters_needs_a_rehash),
        cmocka_unit_test(unrecognised_stored_values_never_verify),
        cmocka_unit_test(the_dummy_verification_runs_for_any_parameters),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
