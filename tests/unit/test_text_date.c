/* UTF-8 validity, character counts, control characters and calendar dates. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "core/date.h"
#include "core/text.h"

static bool valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static void utf8_valid_accepts_ascii_and_empty(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(utf8_valid("ignored", 0));
    assert_true(valid("Hello, world! ~"));
    assert_true(valid("\x01\x1f\x7f")); /* controls are valid UTF-8; text_has_control judges */
}

static void utf8_valid_accepts_japanese_and_all_sequence_lengths(void **state)
{
    (void)state;
    assert_true(valid("医療機関コード"));
    assert_true(valid("ｶﾅ・かな・カナ　全角スペース"));
    assert_true(valid("\xc2\x80"));         /* U+0080, smallest 2-byte */
    assert_true(valid("\xdf\xbf"));         /* U+07FF */
    assert_true(valid("\xe0\xa0\x80"));     /* U+0800, smallest 3-byte */
    assert_true(valid("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
    assert_true(valid("\xee\x80\x80"));     /* U+E000, just above them */
    assert_true(valid("\xef\xbf\xbf"));     /* U+FFFF */
    assert_true(valid("\xf0\x90\x80\x80")); /* U+10000, smallest 4-byte */
    assert_true(valid("\xf0\xa0\xae\xb7")); /* 𠮷 U+20BB7 */
    assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last code point */
}

static void utf8_valid_rejects_overlong_encodings(void **state)
{
    (void)state;
    assert_false(valid("\xc0\x80"));         /* NUL as two bytes */
    assert_false(valid("\xc0\xaf"));         /* '/' */
    assert_false(valid("\xc1\xbf"));         /* U+007F */
    assert_false(valid("\xe0\x80\xaf"));     /* '/' as three bytes */
    assert_false(valid("\xe0\x9f\xbf"));     /* U+07FF as three bytes */
    assert_false(valid("\xf0\x80\x80\xaf")); /* '/' as four bytes */
    assert_false(valid("\xf0\x8f\xbf\xbf")); /* U+FFFF as four bytes */
}

static void utf8_valid_rejects_surrogates(void **state)
{
    (void)state;
    assert_false(valid("\xed\xa0\x80"));             /* U+D800 */
    assert_false(valid("\xed\xaf\xbf"));             /* U+DBFF */
    assert_false(valid("\xed\xb0\x80"));             /* U+DC00 */
    assert_false(valid("\xed\xbf\xbf"));             /* U+DFFF */
    assert_false(valid("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
}

static void utf8_valid_rejects_code_points_above_10ffff(void **state)
{
    (void)state;
    assert_false(valid("\xf4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xf5\x80\x80\x80"));
    assert_false(valid("\xf7\xbf\xbf\xbf"));
    assert_false(valid("\xf8\x88\x80\x80\x80")); /* old 5-byte form */
    assert_false(valid("\xfc\x84\x80\x80\x80\x80"));
    assert_false(valid("\xfe"));
    assert_false(valid("\xff"));
}

static void utf8_valid_rejects_truncated_sequences(void **state)
{
    (void)state;
    assert_false(valid("\xc3"));
    assert_false(valid("\xe6\xbc"));
    assert_false(valid("\xf0\xa0\xae"));
    assert_false(valid("abc\xe6"));
    /* Truncated by the explicit length even though more bytes follow in memory. */
    assert_false(utf8_valid("漢", 2));
    assert_false(utf8_valid("a\xf0\xa0\xae\xb7", 4));
    assert_true(utf8_valid("a\xf0\xa0\xae\xb7", 5));
    /* A lead byte followed by something that is not a continuation byte. */
    assert_false(valid("\xc3("));
    assert_false(valid("\xe6\xbc("));
    assert_false(valid("\xe6(\xa2"));
}

static void utf8_valid_rejects_stray_continuation_bytes(void **state)
{
    (void)state;
    assert_false(valid("\x80"));
    assert_false(valid("\xbf"));
    assert_false(valid("a\x80z"));
    assert_false(valid("漢\xa2"));
}

static void utf8_valid_rejects_embedded_nul_within_length(void **state)
{
    (void)state;
    assert_false(utf8_valid("ab\0cd", 5));
    assert_false(utf8_valid("\0", 1));
    assert_false(utf8_valid("漢\0字", 7));
    assert_true(utf8_valid("ab\0cd", 2)); /* the NUL lies outside the length */
    /* NUL in place of a continuation byte. */
    assert_false(utf8_valid("\xe6\0\xa2", 3));
}

static void utf8_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(utf8_length(""), 0);
    assert_int_equal(utf8_length("abc"), 3);
    assert_int_equal(utf8_length("漢字"), 2);
    assert_int_equal(utf8_length("医療機関コード"), 7);
    assert_int_equal(utf8_length("aé漢𠮷"), 4);
    assert_int_equal(utf8_length("\xf4\x8f\xbf\xbf"), 1);
}

static void text_has_control_detects_c0_and_del(void **state)
{
    (void)state;
    assert_true(text_has_control("\x01"));
    assert_true(text_has_control("a\tb"));
    assert_true(text_has_control("a\nb"));
    assert_true(text_has_control("a\rb"));
    assert_true(text_has_control("\x1b[0m"));
    assert_true(text_has_control("\x1f"));
    assert_true(text_has_control("a\x7f"));
}

static void text_starts_formula_as_spreadsheets_read_it(void **state)
{
    (void)state;
    const char *formulas[] = {"=cmd|' /C calc'!A0",
                              "=HYPERLINK(\"x\")",
                              "@SUM(1+1)",
                              "+1+1",
                              "-2+3",
                              "\t=1",
                              "\r=1",
                              "＝1+1",
                              "＋1",
                              "－1",
                              "＠SUM(1)"};
    for (size_t i = 0; i < sizeof formulas / sizeof formulas[0]; i++)
        assert_true(text_starts_formula(formulas[i]));
    const char *plain[] = {"", "山田　太郎", "a=1", "1-2", "'=1", "ｰ", "ー1", "x＝"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        assert_false(text_starts_formula(plain[i]));
}

static void text_has_control_detects_c1_including_u0085(void **state)
{
    (void)state;
    assert_true(text_has_control("\xc2\x80"));      /* U+0080 */
    assert_true(text_has_control("a\xc2\x85z"));    /* U+0085 NEXT LINE */
    assert_true(text_has_control("漢\xc2\x9f"));    /* U+009F */
    assert_false(text_has_control("\xc2\xa0"));     /* U+00A0 NO-BREAK SPACE */
    assert_false(text_has_control("\xc2\xa9"));     /* © */
    assert_false(text_has_control("\xe3\x80\x80")); /* U+3000 IDEOGRAPHIC SPACE */
    assert_false(text_has_control("\xe2\x80\x85")); /* 0x85 as a continuation byte */
}

static void text_has_control_accepts_printable_text(void **state)
{
    (void)state;
    assert_false(text_has_control(""));
    assert_false(text_has_control(" "));
    assert_false(text_has_control("~"));
    assert_false(text_has_control("医療法人社団 さくら会 (本院)"));
    assert_false(text_has_control("ｶﾅ"));
}

static void date_parse_accepts_real_days_and_fills_fields(void **state)
{
    (void)state;
    struct date d = {0, 0, 0};
    assert_true(date_parse("2026-04-15", &d));
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.month, 4);
    assert_int_equal(d.day, 15);
    assert_true(date_parse("1900-01-01", &d));
    assert_true(date_parse("9999-12-31", &d));
    assert_int_equal(d.year, 9999);
    assert_int_equal(d.month, 12);
    assert_int_equal(d.day, 31);
    assert_true(date_parse("2026-01-31", &d));
    assert_true(date_parse("2026-04-30", &d));
}

static void date_parse_knows_leap_years(void **state)
{
    (void)state;
    struct date d;
    assert_true(date_parse("2028-02-29", &d));
    assert_int_equal(d.day, 29);
    assert_true(date_parse("2000-02-29", &d)); /* divisible by 400 */
    assert_true(date_parse("2024-02-29", &d));
    assert_false(date_parse("2026-02-29", &d));
    assert_false(date_parse("1900-02-29", &d)); /* divisible by 100 */
    assert_false(date_parse("2100-02-29", &d));
    assert_false(date_parse("2028-02-30", &d));
}

static void date_parse_rejects_malformed_or_impossible_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026-13-01",
        "2026-00-01",
        "2026-01-00",
        "2026-01-32",
        "2026-04-31",
        "2026-1-01",
        "2026-01-1",
        "26-01-01",
        "2026/01/01",
        "2026-01-01T00:00:00",
        "20260101",
        " 2026-01-01",
        "2026-01-01 ",
        "2026-0a-01",
        "+026-01-01",
        "-026-01-01",
        "2026-+1-01",
        "1899-12-31",
        "0000-01-01",
        "2026-01--1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct date d = {1, 2, 3};
        if (date_parse(bad[i], &d))
            fail_msg("date_parse accepted '%s'", bad[i]);
        /* The output is left alone on failure. */
        assert_int_equal(d.year, 1);
        assert_int_equal(d.month, 2);
        assert_int_equal(d.day, 3);
    }
}

static void date_compare_orders_by_year_month_day(void **state)
{
    (void)state;
    struct date a, b;
    assert_true(date_parse("2026-04-15", &a));
    assert_true(date_parse("2026-04-15", &b));
    assert_int_equal(date_compare(&a, &b), 0);

    assert_true(date_parse("2026-04-16", &b));
    assert_true(date_compare(&a, &b) < 0);
    assert_true(date_compare(&b, &a) > 0);

    assert_true(date_parse("2026-05-01", &b)); /* month outweighs day */
    assert_true(date_compare(&a, &b) < 0);
    assert_true(date_compare(&b, &a) > 0);

    assert_true(date_parse("2027-01-01", &b)); /* year outweighs month */
    assert_true(date_compare(&a, &b) < 0);
    assert_true(date_parse("2025-12-31", &b));
    assert_true(date_compare(&a, &b) > 0);
}

static void day_numbers_round_trip_over_four_centuries(void **state)
{
    (void)state;
    struct date epoch = {1970, 1, 1}, leap = {2000, 2, 29}, before = {1900, 3, 1};
    assert_int_equal(date_to_days(&epoch), 0);
    assert_int_equal(date_to_days(&leap), 11016);
    assert_int_equal(date_to_days(&before), -25508);
    for (long d = -25567; d < 146097 - 25567; d += 7) { /* 1900-01-01 onwards */
        struct date x = date_from_days(d);
        char text[11];
        date_format(&x, text);
        struct date y;
        assert_true(date_parse(text, &y));
        assert_int_equal(date_to_days(&y), d);
        struct date next = date_from_days(d + 1);
        assert_true(date_compare(&x, &next) < 0);
    }
}

static void today_is_the_japanese_calendar_day(void **state)
{
    (void)state;
    /* 2026-11-24T14:59:59Z is 23:59:59 in Japan; a second later it is the 25th there. */
    struct date a = date_today_jst(1795532399), b = date_today_jst(1795532400);
    char ta[11], tb[11];
    date_format(&a, ta);
    date_format(&b, tb);
    assert_string_equal(ta, "2026-11-24");
    assert_string_equal(tb, "2026-11-25");
}

static void text_is_digits_counts_exactly(void **state)
{
    (void)state;
    assert_true(text_is_digits("06131234", 8));
    assert_true(text_is_digits("", 0));
    assert_false(text_is_digits("0613123", 8));
    assert_false(text_is_digits("061312345", 8));
    assert_false(text_is_digits("0613 234", 8));
    assert_false(text_is_digits("\xef\xbc\x90"
                                "1",
                                2)); /* a full-width digit is not one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_valid_accepts_ascii_and_empty),
        cmocka_unit_test(utf8_valid_accepts_japanese_and_all_sequence_lengths),
        cmocka_unit_test(utf8_valid_rejects_overlong_encodings),
        cmocka_unit_test(utf8_valid_rejects_surrogates),
        cmocka_unit_test(utf8_valid_rejects_code_points_above_10ffff),
        cmocka_unit_test(utf8_valid_rejects_truncated_sequences),
        cmocka_unit_test(utf8_valid_rejects_stray_continuation_bytes),
        cmocka_unit_test(utf8_valid_rejects_embedded_nul_within_length),
        cmocka_unit_test(utf8_length_counts_code_points),
        cmocka_unit_test(text_has_control_detects_c0_and_del),
        cmocka_unit_test(text_starts_formula_as_spreadsheets_read_it),
        cmocka_unit_test(text_has_control_detects_c1_including_u0085),
        cmocka_unit_test(text_has_control_accepts_printable_text),
        cmocka_unit_test(date_parse_accepts_real_days_and_fills_fields),
        cmocka_unit_test(date_parse_knows_leap_years),
        cmocka_unit_test(date_parse_rejects_malformed_or_impossible_dates),
        cmocka_unit_test(date_compare_orders_by_year_month_day),
        cmocka_unit_test(day_numbers_round_trip_over_four_centuries),
        cmocka_unit_test(today_is_the_japanese_calendar_day),
        cmocka_unit_test(text_is_digits_counts_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
