/* Institution rules: the 10-digit code, kinds, names and the operator-issued user IDs. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "core/institution.h"

#define SENTINEL ERR__COUNT

static void assert_code_rejected(const char *code, enum institution_kind kind,
                                 enum err_code expected)
{
    enum err_code err = SENTINEL;
    if (institution_code_check(code, kind, &err))
        fail_msg("code '%s' accepted for kind %d", code, (int)kind);
    if (err != expected)
        fail_msg("code '%s' kind %d: expected error %d, got %d", code, (int)kind, (int)expected,
                 (int)err);
}

static void assert_any_rejected(const char *code, enum err_code expected)
{
    enum err_code err = SENTINEL;
    if (institution_code_check_any(code, &err))
        fail_msg("code '%s' accepted", code);
    if (err != expected)
        fail_msg("code '%s': expected error %d, got %d", code, (int)expected, (int)err);
}

static void institution_code_of_ten_digits_is_accepted(void **state)
{
    (void)state;
    enum err_code err = SENTINEL;
    assert_true(institution_code_check("1312345678", KIND_MEDICAL, &err));
    assert_int_equal(err, SENTINEL); /* untouched on success */
    assert_true(institution_code_check_any("1312345678", &err));
    assert_true(institution_code_check("1310000000", KIND_MEDICAL, &err));
    assert_true(institution_code_check("2719999999", KIND_MEDICAL, &err));
    assert_int_equal(err, SENTINEL);
}

static void institution_code_with_non_digits_is_format_error(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "13123456a8", "131234567x", "1312 45678", "13-1234567", "１312345678",
        "+312345678", "13123456.8", "",           "ABCDEFGHIJ", "1312345678\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_code_rejected(bad[i], KIND_MEDICAL, ERR_INSTITUTION_CODE_FORMAT);
        assert_any_rejected(bad[i], ERR_INSTITUTION_CODE_FORMAT);
    }
}

static void institution_code_of_nine_or_eleven_digits_is_format_error(void **state)
{
    (void)state;
    assert_code_rejected("131234567", KIND_MEDICAL, ERR_INSTITUTION_CODE_FORMAT);
    assert_code_rejected("13123456789", KIND_MEDICAL, ERR_INSTITUTION_CODE_FORMAT);
    assert_any_rejected("131234567", ERR_INSTITUTION_CODE_FORMAT);
    assert_any_rejected("13123456789", ERR_INSTITUTION_CODE_FORMAT);
    assert_any_rejected("1", ERR_INSTITUTION_CODE_FORMAT);
    /* The shape is judged before the prefecture. */
    assert_any_rejected("001234567", ERR_INSTITUTION_CODE_FORMAT);
}

static void institution_code_prefecture_00_and_48_are_rejected(void **state)
{
    (void)state;
    assert_code_rejected("0012345678", KIND_MEDICAL, ERR_INSTITUTION_CODE_PREFECTURE);
    assert_code_rejected("4812345678", KIND_MEDICAL, ERR_INSTITUTION_CODE_PREFECTURE);
    assert_code_rejected("9912345678", KIND_MEDICAL, ERR_INSTITUTION_CODE_PREFECTURE);
    assert_any_rejected("0012345678", ERR_INSTITUTION_CODE_PREFECTURE);
    assert_any_rejected("4812345678", ERR_INSTITUTION_CODE_PREFECTURE);
    assert_any_rejected("5042345678", ERR_INSTITUTION_CODE_PREFECTURE);
}

static void institution_code_prefecture_01_and_47_are_accepted(void **state)
{
    (void)state;
    enum err_code err = SENTINEL;
    assert_true(institution_code_check("0112345678", KIND_MEDICAL, &err));
    assert_true(institution_code_check("4712345678", KIND_MEDICAL, &err));
    assert_true(institution_code_check_any("0142345678", &err));
    assert_true(institution_code_check_any("4762345678", &err));
    assert_int_equal(err, SENTINEL);
}

static void institution_code_table_number_matches_kind(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        enum institution_kind kind;
    } ok[] = {
        {"1312345678", KIND_MEDICAL},
        {"1332345678", KIND_DENTAL},
        {"1342345678", KIND_PHARMACY},
        {"1362345678", KIND_HOME_NURSING},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        enum err_code err = SENTINEL;
        if (!institution_code_check(ok[i].code, ok[i].kind, &err))
            fail_msg("code '%s' rejected for kind %d (error %d)", ok[i].code, (int)ok[i].kind,
                     (int)err);
        assert_true(institution_code_check_any(ok[i].code, &err));
    }
}

static void institution_code_table_number_mismatching_kind_is_table_number_error(void **state)
{
    (void)state;
    static const char *const codes[KIND__COUNT] = {
        [KIND_MEDICAL] = "1312345678",
        [KIND_DENTAL] = "1332345678",
        [KIND_PHARMACY] = "1342345678",
        [KIND_HOME_NURSING] = "1362345678",
    };
    for (int code = 0; code < KIND__COUNT; code++)
        for (int kind = 0; kind < KIND__COUNT; kind++)
            if (code != kind)
                assert_code_rejected(codes[code], (enum institution_kind)kind,
                                     ERR_INSTITUTION_CODE_TABLE_NUMBER);
}

static void institution_code_unknown_table_number_is_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {"1322345678", "1352345678", "1302345678",
                                      "1372345678", "1382345678", "1392345678"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_any_rejected(bad[i], ERR_INSTITUTION_CODE_TABLE_NUMBER);
        for (int kind = 0; kind < KIND__COUNT; kind++)
            assert_code_rejected(bad[i], (enum institution_kind)kind,
                                 ERR_INSTITUTION_CODE_TABLE_NUMBER);
    }
}

static void institution_kind_parse_id_label_round_trip(void **state)
{
    (void)state;
    static const char *const labels[KIND__COUNT] = {
        [KIND_MEDICAL] = "医科",
        [KIND_DENTAL] = "歯科",
        [KIND_PHARMACY] = "薬局",
        [KIND_HOME_NURSING] = "訪問看護",
    };
    static const char *const ids[KIND__COUNT] = {
        [KIND_MEDICAL] = "medical",
        [KIND_DENTAL] = "dental",
        [KIND_PHARMACY] = "pharmacy",
        [KIND_HOME_NURSING] = "home_nursing",
    };
    for (int i = 0; i < KIND__COUNT; i++) {
        enum institution_kind k = KIND__COUNT;
        const char *id = institution_kind_id((enum institution_kind)i);
        assert_string_equal(id, ids[i]);
        assert_true(institution_kind_parse(id, &k));
        assert_int_equal(k, i);
        assert_string_equal(institution_kind_label((enum institution_kind)i), labels[i]);
    }
}

static void institution_kind_parse_rejects_unknown_ids(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "Medical", "medical ", "home-nursing", "homenursing", "医科", "veterinary", "MEDICAL"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum institution_kind k = KIND__COUNT;
        if (institution_kind_parse(bad[i], &k))
            fail_msg("kind '%s' accepted", bad[i]);
        assert_int_equal(k, KIND__COUNT);
    }
}

static void institution_name_check_enforces_1_to_100_characters(void **state)
{
    (void)state;
    char name[101 * 3 + 1] = "";
    assert_false(institution_name_check(""));
    assert_true(institution_name_check("漢"));
    assert_true(institution_name_check("A"));
    for (int i = 0; i < 100; i++)
        strcat(name, "漢");
    assert_int_equal(strlen(name), 300);
    assert_true(institution_name_check(name));
    strcat(name, "漢");
    assert_false(institution_name_check(name));

    char ascii[102];
    memset(ascii, 'a', 100);
    ascii[100] = '\0';
    assert_true(institution_name_check(ascii));
    ascii[100] = 'a';
    ascii[101] = '\0';
    assert_false(institution_name_check(ascii));
}

static void institution_name_check_rejects_invalid_utf8(void **state)
{
    (void)state;
    assert_false(institution_name_check("\xff"));
    assert_false(institution_name_check("病院\xe6\xbc"));
    assert_false(institution_name_check("\xc0\x80"));
    assert_false(institution_name_check("\xed\xa0\x80"));
    assert_false(institution_name_check("a\x80"));
}

static void institution_name_check_rejects_control_characters(void **state)
{
    (void)state;
    assert_false(institution_name_check("さくら\n病院"));
    assert_false(institution_name_check("さくら\t病院"));
    assert_false(institution_name_check("病院\x7f"));
    assert_false(institution_name_check("病院\xc2\x85"));
    assert_false(institution_name_check("\x1b[31m病院"));
    assert_true(institution_name_check("医療法人社団　さくら会 さくら病院（本院）"));
}

static void institution_master_user_ids_are_prefixed_code(void **state)
{
    (void)state;
    char out[16];
    memset(out, 'x', sizeof out);
    institution_master_user_id("1312345678", out);
    assert_string_equal(out, "M1312345678");
    memset(out, 'x', sizeof out);
    institution_master_reset_user_id("1312345678", out);
    assert_string_equal(out, "MR1312345678");
    /* Longer than the 8 characters a manager-created ID may have. */
    assert_true(strlen("M1312345678") > 8);
}

static void institution_master_user_ids_stay_within_16_bytes(void **state)
{
    (void)state;
    char out[16];
    institution_master_user_id("13123456789999999999", out);
    assert_string_equal(out, "M1312345678");
    institution_master_reset_user_id("13123456789999999999", out);
    assert_string_equal(out, "MR1312345678");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(institution_code_of_ten_digits_is_accepted),
        cmocka_unit_test(institution_code_with_non_digits_is_format_error),
        cmocka_unit_test(institution_code_of_nine_or_eleven_digits_is_format_error),
        cmocka_unit_test(institution_code_prefecture_00_and_48_are_rejected),
        cmocka_unit_test(institution_code_prefecture_01_and_47_are_accepted),
        cmocka_unit_test(institution_code_table_number_matches_kind),
        cmocka_unit_test(institution_code_table_number_mismatching_kind_is_table_number_error),
        cmocka_unit_test(institution_code_unknown_table_number_is_rejected),
        cmocka_unit_test(institution_kind_parse_id_label_round_trip),
        cmocka_unit_test(institution_kind_parse_rejects_unknown_ids),
        cmocka_unit_test(institution_name_check_enforces_1_to_100_characters),
        cmocka_unit_test(institution_name_check_rejects_invalid_utf8),
        cmocka_unit_test(institution_name_check_rejects_control_characters),
        cmocka_unit_test(institution_master_user_ids_are_prefixed_code),
        cmocka_unit_test(institution_master_user_ids_stay_within_16_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
