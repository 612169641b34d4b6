/* Test data: the 14 qualification types and the categories, card serial numbers, insurer
 * check digits, and synthetic persons consistent with their type and category. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/test_data.h"
#include "core/text.h"

static const char *const domain_ids[] = {"insurance_valid",
                                         "insurance_valid_nondisclosure",
                                         "insurance_valid_self_info_restricted",
                                         "insurance_invalid",
                                         "insurance_valid_no_medical_info",
                                         "insurance_valid_first_registration_timeout",
                                         "assistance_valid_medical",
                                         "assistance_valid_pharmacy",
                                         "assistance_and_insurance_valid",
                                         "assistance_and_insurance_valid_no_ticket",
                                         "assistance_invalid",
                                         "assistance_valid_no_ticket",
                                         "assistance_valid_nondisclosure",
                                         "assistance_valid_self_info_restricted"};

static void the_fourteen_types_in_the_manuals_order(void **state)
{
    (void)state;
    assert_int_equal(qualification_types_count, 14);
    for (size_t i = 0; i < 14; i++) {
        assert_string_equal(qualification_types[i].id, domain_ids[i]);
        assert_ptr_equal(qualification_type_find(domain_ids[i]), &qualification_types[i]);
        assert_true(strlen(qualification_types[i].label) > 0);
        assert_true(strlen(qualification_types[i].description) > 0);
    }
    assert_string_equal(qualification_types[5].label, "医療保険有効（初回登録タイムアウト）");
    assert_null(qualification_type_find("insurance"));
    assert_null(qualification_type_find(""));
}

static void categories_take_their_own_types(void **state)
{
    (void)state;
    enum test_category c;
    assert_true(test_category_parse("late_elderly", &c));
    assert_int_equal(c, CATEGORY_ELDERLY);
    assert_string_equal(test_category_label(CATEGORY_NATIONAL), "国民健康保険");
    assert_false(test_category_parse("elderly", &c));
    for (size_t i = 0; i < 14; i++) {
        const struct qualification_type *t = &qualification_types[i];
        bool insurance_type = i < 6;
        assert_int_equal(test_category_accepts(CATEGORY_EMPLOYEE, t), insurance_type);
        assert_int_equal(test_category_accepts(CATEGORY_NATIONAL, t), insurance_type);
        assert_int_equal(test_category_accepts(CATEGORY_ELDERLY, t), insurance_type);
        assert_int_equal(test_category_accepts(CATEGORY_ASSISTANCE, t), !insurance_type);
        assert_true(test_category_accepts(test_category_for_card(t), t));
    }
}

static void serial_numbers_are_positive_decimals_of_up_to_49_digits(void **state)
{
    (void)state;
    char out[SERIAL_MAX_DIGITS + 1], in[64];
    assert_true(test_serial_normalize("1234567890123456789", out));
    assert_string_equal(out, "1234567890123456789");
    assert_true(test_serial_normalize("000123", out));
    assert_string_equal(out, "123");
    assert_true(test_serial_normalize("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x90", out)); /* １２０ */
    assert_string_equal(out, "120");
    memset(in, '9', 49);
    in[49] = '\0';
    assert_true(test_serial_normalize(in, out));
    assert_int_equal(strlen(out), 49);
    in[0] = '0'; /* 49 digits with a leading zero still count as 49 */
    assert_true(test_serial_normalize(in, out));
    assert_int_equal(strlen(out), 48);
    in[49] = '9';
    in[50] = '\0';
    assert_false(test_serial_normalize(in, out));
    const char *bad[] = {"",   "0",   "000",  "12a",      "-1",           " 1",
                         "1 ", "1.0", "0x1F", "\xEF\xBC", "\xEF\xBC\x9A", "\xEF\xBC\x91\xEF"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(test_serial_normalize(bad[i], out));
}

static void check_digits_match_real_insurer_numbers(void **state)
{
    (void)state;
    assert_int_equal(insurer_check_digit("0113001", 7), 2); /* 協会けんぽ 東京 01130012 */
    assert_int_equal(insurer_check_digit("13101", 5), 1);   /* 千代田区 国保 131011 */
    assert_int_equal(insurer_check_digit("3913100", 7), 8); /* 東京都後期高齢者医療広域連合 */
}

static const struct date today = {2026, 11, 24};

static bool checked(const char *number)
{
    size_t n = strlen(number);
    return insurer_check_digit(number, n - 1) == number[n - 1] - '0';
}

static long age_on_today(const char *birthdate)
{
    struct date b;
    assert_true(date_parse(birthdate, &b));
    long age = today.year - b.year;
    if (today.month < b.month || (today.month == b.month && today.day < b.day))
        age--;
    return age;
}

static void persons_fit_every_category_and_type(void **state)
{
    (void)state;
    static const enum institution_kind kinds[] = {KIND_MEDICAL, KIND_PHARMACY};
    char today_text[11];
    date_format(&today, today_text);
    for (int c = 0; c < CATEGORY__COUNT; c++)
        for (size_t i = 0; i < qualification_types_count; i++)
            for (size_t k = 0; k < 2; k++)
                for (uint64_t seed = 0; seed < 400; seed++) {
                    const struct qualification_type *t = &qualification_types[i];
                    if (!test_category_accepts((enum test_category)c, t))
                        continue;
                    struct test_person p;
                    test_person_make(t, (enum test_category)c, kinds[k], "2714000003", &today,
                                     seed * 7919, &p);
                    assert_ptr_equal(p.type, t);
                    assert_int_equal(p.has_insurance, t->insurance);
                    assert_int_equal(p.has_assistance, t->assistance);
                    assert_non_null(strstr(p.name, "　"));
                    assert_non_null(strstr(p.name_kana, "　"));
                    assert_true(strcmp(p.sex, "1") == 0 || strcmp(p.sex, "2") == 0);
                    assert_non_null(strstr(p.address, "大阪府")); /* prefecture 27 */
                    assert_int_equal(strlen(p.postcode), 8);
                    long age = age_on_today(p.birthdate);
                    if (c == CATEGORY_ELDERLY)
                        assert_true(age >= 75 && age <= 95);
                    else
                        assert_true(age >= 20 && age <= 74);
                    /* No qualification starts before its holder could have it. */
                    char at75[16];
                    snprintf(at75, sizeof at75, "%04d%.6s",
                             (int)((strtol(p.birthdate, NULL, 10) + 75) % 10000), p.birthdate + 4);
                    const char *start =
                        t->insurance ? p.insurance.valid_from : p.assistance.valid_from;
                    assert_true(strcmp(start, p.birthdate) > 0);
                    if (c == CATEGORY_ELDERLY)
                        assert_true(strcmp(start, at75) >= 0);
                    if (t->insurance) {
                        const struct test_insurance *ins = &p.insurance;
                        assert_true(checked(ins->insurer_number));
                        if (c == CATEGORY_NATIONAL) {
                            assert_true(text_is_digits(ins->insurer_number, 6));
                            assert_memory_equal(ins->insurer_number, "27", 2);
                        } else if (c == CATEGORY_ELDERLY) {
                            assert_true(text_is_digits(ins->insurer_number, 8));
                            assert_memory_equal(ins->insurer_number, "3927", 4);
                            assert_string_equal(ins->symbol, "");
                            assert_string_equal(ins->branch, "");
                            assert_true(text_is_digits(ins->number, 8));
                        } else {
                            assert_memory_equal(ins->insurer_number, "0627", 4);
                            assert_true(text_is_digits(ins->branch, 2));
                        }
                        assert_true(strcmp(ins->valid_from, today_text) < 0);
                        if (t->insurance_valid)
                            assert_string_equal(ins->valid_until, "");
                        else {
                            assert_true(strcmp(ins->valid_until, today_text) < 0);
                            assert_true(strcmp(ins->valid_from, ins->valid_until) < 0);
                        }
                    }
                    if (t->assistance) {
                        const struct test_assistance *a = &p.assistance;
                        assert_true(text_is_digits(a->payer_number, 8));
                        assert_memory_equal(a->payer_number, "1227", 4);
                        assert_true(checked(a->payer_number));
                        assert_true(text_is_digits(a->recipient_number, 7));
                        assert_true(checked(a->recipient_number));
                        enum ticket_kind want = TICKET_NONE;
                        if (t->ticket == TICKET_RULE_MEDICAL)
                            want = TICKET_MEDICAL;
                        else if (t->ticket == TICKET_RULE_DISPENSING)
                            want = TICKET_DISPENSING;
                        else if (t->ticket == TICKET_RULE_BY_KIND)
                            want = kinds[k] == KIND_PHARMACY ? TICKET_DISPENSING : TICKET_MEDICAL;
                        assert_int_equal(a->ticket, want);
                        if (want != TICKET_NONE)
                            assert_true(text_is_digits(a->ticket_number, 10));
                        if (!t->assistance_valid)
                            assert_true(strcmp(a->valid_until, today_text) < 0);
                        if (a->valid_until[0])
                            assert_true(strcmp(a->valid_from, a->valid_until) < 0);
                    }
                }
}

static void the_same_seed_makes_the_same_person(void **state)
{
    (void)state;
    struct test_person a, b, c;
    const struct qualification_type *t = qualification_type_find("insurance_valid");
    test_person_make(t, CATEGORY_EMPLOYEE, KIND_MEDICAL, "1312345678", &today, 42, &a);
    test_person_make(t, CATEGORY_EMPLOYEE, KIND_MEDICAL, "1312345678", &today, 42, &b);
    test_person_make(t, CATEGORY_EMPLOYEE, KIND_MEDICAL, "1312345678", &today, 43, &c);
    json_t *ja = test_person_to_json(&a), *jb = test_person_to_json(&b),
           *jc = test_person_to_json(&c);
    assert_true(json_equal(ja, jb));
    assert_false(json_equal(ja, jc));
    json_decref(ja);
    json_decref(jb);
    json_decref(jc);
}

static void persons_survive_json_and_bad_json_is_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < qualification_types_count; i++) {
        const struct qualification_type *t = &qualification_types[i];
        struct test_person p, back;
        test_person_make(t, test_category_for_card(t), KIND_DENTAL, "0131000001", &today, i, &p);
        json_t *o = test_person_to_json(&p);
        assert_true(test_person_from_json(o, &back));
        json_t *again = test_person_to_json(&back);
        assert_true(json_equal(o, again));
        json_decref(again);
        json_decref(o);
    }
    struct test_person p, back;
    test_person_make(qualification_type_find("assistance_and_insurance_valid"), CATEGORY_ASSISTANCE,
                     KIND_MEDICAL, "0131000001", &today, 9, &p);
    const char *breakers[][2] = {
        {"name", NULL},                            /* missing */
        {"qualification_type", "unknown"},         /* unknown type */
        {"category", "elderly"},                   /* unknown category */
        {"qualification_type", "insurance_valid"}, /* has assistance the type does not */
    };
    for (size_t i = 0; i < sizeof breakers / sizeof breakers[0]; i++) {
        json_t *o = test_person_to_json(&p);
        if (breakers[i][1])
            json_object_set_new(o, breakers[i][0], json_string(breakers[i][1]));
        else
            json_object_del(o, breakers[i][0]);
        assert_false(test_person_from_json(o, &back));
        json_decref(o);
    }
    json_t *o = test_person_to_json(&p);
    json_object_set_new(json_object_get(o, "insurance"), "insurer_number",
                        json_string("0123456789")); /* longer than any insurer number */
    assert_false(test_person_from_json(o, &back));
    json_decref(o);
    o = test_person_to_json(&p);
    json_object_set_new(json_object_get(json_object_get(o, "medical_assistance"), "ticket"), "kind",
                        json_string("voucher"));
    assert_false(test_person_from_json(o, &back));
    json_decref(o);
    o = test_person_to_json(&p);
    json_object_set_new(o, "sex", json_integer(1));
    assert_false(test_person_from_json(o, &back));
    json_decref(o);
    assert_false(test_person_from_json(json_null(), &back));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_fourteen_types_in_the_manuals_order),
        cmocka_unit_test(categories_take_their_own_types),
        cmocka_unit_test(serial_numbers_are_positive_decimals_of_up_to_49_digits),
        cmocka_unit_test(check_digits_match_real_insurer_numbers),
        cmocka_unit_test(persons_fit_every_category_and_type),
        cmocka_unit_test(the_same_seed_makes_the_same_person),
        cmocka_unit_test(persons_survive_json_and_bad_json_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
