/* Account rules: kinds, who manages whom, user IDs, name normalisation and checks, and the
 * password policy. One passing and one failing case per rule of the manual's tables. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/account_draft.h"
#include "core/menu.h"
#include "core/password_policy.h"

static void assert_id_ok(const char *id, enum role r, enum institution_kind k)
{
    enum err_code err = ERR__COUNT;
    if (!account_user_id_check(id, r, k, &err))
        fail_msg("'%s' as %s refused with %s", id, role_id(r), error_table[err].code);
}

static void assert_id_err(const char *id, enum role r, enum institution_kind k,
                          enum err_code expected)
{
    enum err_code err = ERR__COUNT;
    assert_false(account_user_id_check(id, r, k, &err));
    if (err != expected)
        fail_msg("'%s' as %s: got %s, expected %s", id, role_id(r), error_table[err].code,
                 error_table[expected].code);
}

static void roles_round_trip_with_japanese_labels(void **state)
{
    (void)state;
    for (int i = 0; i < ROLE__COUNT; i++) {
        enum role r;
        assert_true(role_parse(role_id((enum role)i), &r));
        assert_int_equal(r, i);
        bool japanese = false;
        for (const char *c = role_label(r); *c; c++)
            japanese |= (unsigned char)*c >= 0x80;
        assert_true(japanese);
    }
    enum role r;
    assert_false(role_parse("superuser", &r));
    assert_string_equal(role_label(ROLE_ADMIN), "管理者");
    assert_string_equal(role_label(ROLE_FACE_READER), "顔認証付きカードリーダー用");
}

static void only_people_have_expiring_passwords(void **state)
{
    (void)state;
    assert_true(role_is_human(ROLE_ADMIN));
    assert_true(role_is_human(ROLE_GENERAL));
    assert_true(role_is_human(ROLE_MEDICAL_VIEWER));
    assert_true(role_is_human(ROLE_MASTER));
    assert_false(role_is_human(ROLE_WEBAPI));
    assert_false(role_is_human(ROLE_LINKED_APP));
    assert_false(role_is_human(ROLE_FACE_READER));
}

static void master_manages_admins_and_admins_manage_the_five_lower_kinds(void **state)
{
    (void)state;
    for (int m = 0; m < ROLE__COUNT; m++)
        for (int t = 0; t < ROLE__COUNT; t++) {
            bool expected =
                (m == ROLE_MASTER && t == ROLE_ADMIN) || (m == ROLE_ADMIN && t >= ROLE_GENERAL);
            if (role_manages((enum role)m, (enum role)t) != expected)
                fail_msg("%s manages %s: expected %d", role_id((enum role)m), role_id((enum role)t),
                         expected);
        }
}

static void password_initialisation_follows_the_manual(void **state)
{
    (void)state;
    assert_true(role_initialises_password(ROLE_MASTER_RESET, ROLE_MASTER));
    assert_true(role_initialises_password(ROLE_MASTER, ROLE_ADMIN));
    assert_true(role_initialises_password(ROLE_ADMIN, ROLE_FACE_READER));
    assert_false(role_initialises_password(ROLE_MASTER, ROLE_MASTER));
    assert_false(role_initialises_password(ROLE_MASTER_RESET, ROLE_MASTER_RESET));
    assert_false(role_initialises_password(ROLE_ADMIN, ROLE_ADMIN));
    assert_false(role_initialises_password(ROLE_MASTER, ROLE_GENERAL));
    assert_false(role_initialises_password(ROLE_GENERAL, ROLE_GENERAL));
}

static void user_ids_are_half_width_alphanumerics(void **state)
{
    (void)state;
    assert_id_ok("staff01", ROLE_GENERAL, KIND_MEDICAL);
    assert_id_err("staff-1", ROLE_GENERAL, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_CHARSET);
    assert_id_err("ｓｔａｆｆ", ROLE_GENERAL, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_CHARSET);
    assert_id_err("st aff", ROLE_GENERAL, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_CHARSET);
}

static void people_ids_are_2_to_8_and_system_ids_3_to_8(void **state)
{
    (void)state;
    assert_id_ok("ab", ROLE_ADMIN, KIND_MEDICAL);
    assert_id_ok("abcdefgh", ROLE_MEDICAL_VIEWER, KIND_MEDICAL);
    assert_id_err("a", ROLE_ADMIN, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_LENGTH);
    assert_id_err("abcdefghi", ROLE_GENERAL, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_LENGTH);
    assert_id_ok("A01", ROLE_WEBAPI, KIND_MEDICAL);
    assert_id_err("A0", ROLE_WEBAPI, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_LENGTH);
    assert_id_ok("F0123456", ROLE_FACE_READER, KIND_PHARMACY);
    assert_id_err("F01234567", ROLE_FACE_READER, KIND_PHARMACY, ERR_ACCOUNT_USER_ID_LENGTH);
}

static void people_ids_may_not_start_like_system_ids(void **state)
{
    (void)state;
    const char *reserved[] = {"R0abc", "R9x", "A0staff", "A9", "F0aa", "F9zz", "a1bc", "r5xy"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        assert_id_err(reserved[i], ROLE_GENERAL, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_RESERVED_PREFIX);
        assert_id_err(reserved[i], ROLE_ADMIN, KIND_PHARMACY, ERR_ACCOUNT_USER_ID_RESERVED_PREFIX);
    }
    assert_id_ok("RA01", ROLE_GENERAL, KIND_MEDICAL);
    assert_id_ok("Fz", ROLE_MEDICAL_VIEWER, KIND_DENTAL);
    assert_id_ok("B0123", ROLE_GENERAL, KIND_MEDICAL);
}

static void system_prefixes_depend_on_the_kind_of_institution(void **state)
{
    (void)state;
    assert_id_ok("A0123", ROLE_WEBAPI, KIND_MEDICAL);
    assert_id_ok("A0123", ROLE_WEBAPI, KIND_DENTAL);
    assert_id_ok("A0123", ROLE_WEBAPI, KIND_HOME_NURSING);
    assert_id_err("A1234", ROLE_WEBAPI, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_PREFIX);
    assert_id_ok("A1234", ROLE_WEBAPI, KIND_PHARMACY);
    assert_id_err("A0123", ROLE_WEBAPI, KIND_PHARMACY, ERR_ACCOUNT_USER_ID_PREFIX);
    assert_id_ok("R0123", ROLE_LINKED_APP, KIND_MEDICAL);
    assert_id_ok("R1234", ROLE_LINKED_APP, KIND_PHARMACY);
    assert_id_err("R1234", ROLE_LINKED_APP, KIND_DENTAL, ERR_ACCOUNT_USER_ID_PREFIX);
    assert_id_err("R0123", ROLE_LINKED_APP, KIND_PHARMACY, ERR_ACCOUNT_USER_ID_PREFIX);
    assert_id_ok("F0123", ROLE_FACE_READER, KIND_MEDICAL);
    assert_id_ok("F0123", ROLE_FACE_READER, KIND_PHARMACY);
    assert_id_err("F1123", ROLE_FACE_READER, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_PREFIX);
    assert_id_err("a0123", ROLE_WEBAPI, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_PREFIX);
    assert_id_err("staff1", ROLE_WEBAPI, KIND_MEDICAL, ERR_ACCOUNT_USER_ID_PREFIX);
}

static void operator_accounts_are_not_created_by_the_id_rules(void **state)
{
    (void)state;
    assert_id_err("M1311234567", ROLE_MASTER, KIND_MEDICAL, ERR_ACCOUNT_ROLE_INVALID);
    assert_id_err("abc", ROLE_MASTER_RESET, KIND_MEDICAL, ERR_ACCOUNT_ROLE_INVALID);
}

static void assert_normalises(const char *in, const char *expected)
{
    char *out = account_name_normalise(in);
    assert_non_null(out);
    assert_string_equal(out, expected);
    free(out);
}

static void half_width_input_becomes_full_width(void **state)
{
    (void)state;
    assert_normalises("Staff 01", "Ｓｔａｆｆ　０１");
    assert_normalises("ｽﾀｯﾌ", "スタッフ");
    assert_normalises("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ");
    assert_normalises("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟﾊﾞ", "パピプペポバ");
    assert_normalises("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン");
    assert_normalises("ﾔﾏﾀﾞ ﾀﾛｰ", "ヤマダ　タロー");
    assert_normalises("山田　太郎", "山田　太郎");
    /* A voiced mark that joins nothing stays a mark (and the check refuses it). */
    assert_normalises("ｱﾞ", "ア゛");
    assert_null(account_name_normalise("\xff"));
}

static void assert_name(const char *in, bool kana, enum err_code expected)
{
    char *n = account_name_normalise(in);
    assert_non_null(n);
    enum err_code err = ERR__COUNT;
    bool ok = kana ? account_name_kana_check(n, &err) : account_name_check(n, &err);
    if (expected == ERR__COUNT && !ok)
        fail_msg("'%s' refused with %s", in, error_table[err].code);
    if (expected != ERR__COUNT && (ok || err != expected))
        fail_msg("'%s': expected %s", in, error_table[expected].code);
    free(n);
}

static void user_names_are_up_to_20_full_width_characters_in_cp932(void **state)
{
    (void)state;
    assert_name("山田　太郎", false, ERR__COUNT);
    assert_name("やまだ たろう", false, ERR__COUNT);
    assert_name("ｽﾀｯﾌ999", false, ERR__COUNT);
    assert_name("髙橋・ジョン", false, ERR__COUNT);
    assert_name("一二三四五六七八九十一二三四五六七八九十", false, ERR__COUNT);
    assert_name("一二三四五六七八九十一二三四五六七八九十一", false, ERR_ACCOUNT_NAME_LENGTH);
    assert_name("", false, ERR_ACCOUNT_NAME_LENGTH);
    assert_name("𠮷野", false, ERR_ACCOUNT_NAME_CHARSET); /* not in CP932 */
    assert_name("山田-太郎", false, ERR_ACCOUNT_NAME_CHARSET);
    assert_name("山田😀", false, ERR_ACCOUNT_NAME_CHARSET);
    assert_name("ｱﾞ", false, ERR_ACCOUNT_NAME_CHARSET);
}

static void kana_names_are_up_to_40_full_width_katakana_and_alphanumerics(void **state)
{
    (void)state;
    assert_name("ヤマダ　タロウ", true, ERR__COUNT);
    assert_name("ﾔﾏﾀﾞ ﾀﾛｳ", true, ERR__COUNT);
    assert_name("スタッフ999", true, ERR__COUNT);
    char forty[40 * 3 + 1] = "", fortyone[41 * 3 + 1] = "";
    for (int i = 0; i < 40; i++)
        strcat(forty, "ア");
    strcpy(fortyone, forty);
    strcat(fortyone, "ア");
    assert_name(forty, true, ERR__COUNT);
    assert_name(fortyone, true, ERR_ACCOUNT_NAME_KANA_LENGTH);
    assert_name("やまだ", true, ERR_ACCOUNT_NAME_KANA_CHARSET);
    assert_name("山田", true, ERR_ACCOUNT_NAME_KANA_CHARSET);
}

static void cp932_representability(void **state)
{
    (void)state;
    assert_true(text_fits_cp932("ＡＢＣ山田①髙"));
    assert_false(text_fits_cp932("𠮷"));
    assert_false(text_fits_cp932("€"));
    assert_true(text_fits_cp932(""));
}

static void assert_password(const char *pw, const char *user_id, enum err_code expected)
{
    enum err_code err = ERR__COUNT;
    bool ok = password_policy_check(&password_policy_default, pw, user_id, &err);
    if (expected == ERR__COUNT && !ok)
        fail_msg("'%s' refused with %s", pw, error_table[err].code);
    if (expected != ERR__COUNT && (ok || err != expected))
        fail_msg("'%s': expected %s", pw, error_table[expected].code);
}

static void chosen_passwords_follow_the_policy(void **state)
{
    (void)state;
    assert_password("Abcdef12", "staff01", ERR__COUNT); /* upper, lower, digit */
    assert_password("abcdef1!", "staff01", ERR__COUNT); /* lower, digit, symbol */
    assert_password("Abc1!", "staff01", ERR_PASSWORD_LENGTH);
    assert_password("Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1", "x",
                    ERR__COUNT); /* 64 */
    assert_password("Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1Abcdefg1A", "x",
                    ERR_PASSWORD_LENGTH); /* 65 */
    assert_password("abcdefgh", "staff01", ERR_PASSWORD_CLASSES);
    assert_password("abcdef12", "staff01", ERR_PASSWORD_CLASSES);
    assert_password("Abcd 123", "staff01", ERR_PASSWORD_CHARSET);
    assert_password("Abcdé123", "staff01", ERR_PASSWORD_CHARSET);
    assert_password("xSTAFF01!a", "staff01", ERR_PASSWORD_CONTAINS_USER_ID);
    assert_password("Staff01!", "staff01", ERR_PASSWORD_CONTAINS_USER_ID);
    assert_password("Staff0!x", "staff01", ERR__COUNT);
}

static void the_policy_limits_are_configurable(void **state)
{
    (void)state;
    struct password_policy strict = {12, 20, 4, 3};
    enum err_code err;
    assert_false(password_policy_check(&strict, "Abcdef1!", "u1", &err));
    assert_int_equal(err, ERR_PASSWORD_LENGTH);
    assert_false(password_policy_check(&strict, "Abcdefgh1234", "u1", &err));
    assert_int_equal(err, ERR_PASSWORD_CLASSES);
    assert_true(password_policy_check(&strict, "Abcdefgh123!", "u1", &err));
}

static struct account_draft draft(enum role r, const char *id, const char *name, const char *kana,
                                  const char *start, const char *end)
{
    struct account_draft d = {r, id, name, kana, {0}, {0}};
    assert_true(date_parse(start, &d.start));
    assert_true(date_parse(end, &d.end));
    return d;
}

/* Every menu item opens for some kind: a misspelt capability would hide the item for good. */
static void every_menu_item_belongs_to_a_capability(void **state)
{
    (void)state;
    for (size_t i = 0; i < menu_items_count; i++) {
        bool someone = false;
        for (int r = 0; r < ROLE__COUNT; r++)
            someone |= role_has_capability((enum role)r, menu_items[i].capability);
        assert_true(someone);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(menu_items[i].id, menu_items[j].id);
    }
}

static void a_draft_reports_every_problem_in_field_order(void **state)
{
    (void)state;
    struct account_names names;
    struct account_problem p[ACCOUNT_MAX_PROBLEMS];
    struct account_draft ok =
        draft(ROLE_GENERAL, "ippan1", "ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", "2026-12-01", "9999-12-31");
    assert_int_equal(account_draft_check(&ok, ROLE_ADMIN, KIND_MEDICAL, &names, p), 0);
    assert_string_equal(names.name, "ヤマダ　タロウ");
    account_names_free(&names);

    struct account_draft bad =
        draft(ROLE_ADMIN, "A01", "𠮷野", "やまだ", "2026-12-01", "2026-11-30");
    int n = account_draft_check(&bad, ROLE_ADMIN, KIND_MEDICAL, &names, p);
    assert_int_equal(n, 5);
    assert_int_equal(p[0].code, ERR_ACCOUNT_ROLE_NOT_MANAGED);
    assert_string_equal(p[1].field, "user_id");
    assert_int_equal(p[1].code, ERR_ACCOUNT_USER_ID_RESERVED_PREFIX);
    assert_int_equal(p[2].code, ERR_ACCOUNT_NAME_CHARSET);
    assert_int_equal(p[3].code, ERR_ACCOUNT_NAME_KANA_CHARSET);
    assert_int_equal(p[4].code, ERR_ACCOUNT_DATE_ORDER);
    assert_null(names.name);
}

static void bulk_files_name_kinds_by_their_japanese_labels(void **state)
{
    (void)state;
    enum role r;
    assert_true(role_parse_label("一般利用者", &r));
    assert_int_equal(r, ROLE_GENERAL);
    assert_true(role_parse_label("顔認証付きカードリーダー用", &r));
    assert_int_equal(r, ROLE_FACE_READER);
    assert_true(role_parse_label("webapi", &r));
    assert_false(role_parse_label("一般", &r));
    assert_false(role_parse_label("", &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_round_trip_with_japanese_labels),
        cmocka_unit_test(only_people_have_expiring_passwords),
        cmocka_unit_test(master_manages_admins_and_admins_manage_the_five_lower_kinds),
        cmocka_unit_test(password_initialisation_follows_the_manual),
        cmocka_unit_test(user_ids_are_half_width_alphanumerics),
        cmocka_unit_test(people_ids_are_2_to_8_and_system_ids_3_to_8),
        cmocka_unit_test(people_ids_may_not_start_like_system_ids),
        cmocka_unit_test(system_prefixes_depend_on_the_kind_of_institution),
        cmocka_unit_test(operator_accounts_are_not_created_by_the_id_rules),
        cmocka_unit_test(half_width_input_becomes_full_width),
        cmocka_unit_test(user_names_are_up_to_20_full_width_characters_in_cp932),
        cmocka_unit_test(kana_names_are_up_to_40_full_width_katakana_and_alphanumerics),
        cmocka_unit_test(cp932_representability),
        cmocka_unit_test(chosen_passwords_follow_the_policy),
        cmocka_unit_test(the_policy_limits_are_configurable),
        cmocka_unit_test(every_menu_item_belongs_to_a_capability),
        cmocka_unit_test(a_draft_reports_every_problem_in_field_order),
        cmocka_unit_test(bulk_files_name_kinds_by_their_japanese_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
