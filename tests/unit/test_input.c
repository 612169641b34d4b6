/* input_parse: declarative JSON field lists. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "http/input.h"

struct form {
    const char *name;    /* required string, 1–20 characters */
    const char *opened;  /* required date */
    struct in_enum kind; /* optional enum */
    struct in_int beds;  /* optional int, 0–9999 */
    struct in_bool active;
    const char *note;     /* optional string, no upper bound */
    struct in_enum floor; /* optional enum by parser: "1".."9"; anything else refused */
};

enum kind { MEDICAL = 10, DENTAL = 20, PHARMACY = 30 };
static const struct in_choice kinds[] = {
    {"medical", MEDICAL}, {"dental", DENTAL}, {"pharmacy", PHARMACY}, {NULL, 0}};

/* A parser's value is the enum value; a negative one refuses. */
static int floor_value(const char *id)
{
    return id[0] >= '1' && id[0] <= '9' && !id[1] ? id[0] - '0' : -1;
}

static const struct input_field fields[] = {
    IN_TEXT("name", true, 1, 20, struct form, name),
    IN_DAY("opened", true, struct form, opened),
    IN_CHOICE("kind", false, kinds, struct form, kind),
    IN_NUMBER("beds", false, 0, 9999, struct form, beds),
    IN_FLAG("active", false, struct form, active),
    IN_TEXT("note", false, 0, 0, struct form, note),
    IN_PARSED("floor", false, floor_value, struct form, floor),
};

/* 19, 20 and 21 characters of three-byte UTF-8. */
#define KANJI_19 "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢"
#define KANJI_20 KANJI_19 "字"
#define KANJI_21 KANJI_20 "漢"

struct parsed {
    json_t *json; /* kept alive: strings in form point into it */
    struct form form;
    struct input_error err;
    bool ok;
};

static struct parsed parse_object(json_t *obj)
{
    struct parsed p;
    memset(&p, 0, sizeof p);
    p.json = obj;
    p.err.code = ERR__COUNT;
    p.err.field = "(untouched)";
    p.ok = INPUT_PARSE(obj, fields, &p.form, &p.err);
    return p;
}

static struct parsed parse(const char *text)
{
    json_error_t jerr;
    json_t *obj = json_loads(text, 0, &jerr);
    if (!obj)
        fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
    return parse_object(obj);
}

static void assert_fails(const char *text, enum err_code code, const char *field)
{
    struct parsed p = parse(text);
    if (p.ok)
        fail_msg("expected failure for %s", text);
    if (p.err.code != code)
        fail_msg("%s: expected error %d, got %d", text, (int)code, (int)p.err.code);
    if (field)
        assert_string_equal(p.err.field, field);
    json_decref(p.json);
}

static void assert_passes(const char *text)
{
    struct parsed p = parse(text);
    if (!p.ok)
        fail_msg("expected success for %s, got error %d on %s", text, (int)p.err.code,
                 p.err.field ? p.err.field : "(null)");
    json_decref(p.json);
}

static void input_fills_every_field_of_valid_object(void **state)
{
    (void)state;
    struct parsed p = parse("{\"name\": \"さくら病院\", \"opened\": \"2024-04-01\","
                            " \"kind\": \"dental\", \"beds\": 120, \"active\": true,"
                            " \"note\": \"備考\"}");
    assert_true(p.ok);
    assert_string_equal(p.form.name, "さくら病院");
    assert_string_equal(p.form.opened, "2024-04-01");
    assert_string_equal(p.form.kind.id, "dental");
    assert_true(p.form.kind.set);
    assert_int_equal(p.form.kind.value, DENTAL); /* the enum value, not an index */
    assert_true(p.form.beds.set);
    assert_int_equal(p.form.beds.value, 120);
    assert_true(p.form.active.set);
    assert_true(p.form.active.value);
    assert_string_equal(p.form.note, "備考");
    json_decref(p.json);
}

static void input_leaves_absent_optional_fields_unset(void **state)
{
    (void)state;
    struct parsed p = parse("{\"name\": \"A\", \"opened\": \"2024-04-01\"}");
    assert_true(p.ok);
    assert_false(p.form.kind.set);
    assert_null(p.form.note);
    assert_false(p.form.beds.set);
    assert_false(p.form.active.set);
    json_decref(p.json);

    p = parse("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"active\": false, \"beds\": 0}");
    assert_true(p.ok);
    assert_true(p.form.active.set);
    assert_false(p.form.active.value);
    assert_true(p.form.beds.set);
    assert_int_equal(p.form.beds.value, 0);
    json_decref(p.json);
}

static void input_missing_required_field_is_field_missing_naming_it(void **state)
{
    (void)state;
    assert_fails("{\"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_MISSING, "name");
    assert_fails("{\"name\": \"A\"}", ERR_REQUEST_FIELD_MISSING, "opened");
    assert_fails("{}", ERR_REQUEST_FIELD_MISSING, "name");
}

static void input_null_required_field_is_field_missing(void **state)
{
    (void)state;
    assert_fails("{\"name\": null, \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_MISSING, "name");
    assert_fails("{\"name\": \"A\", \"opened\": null}", ERR_REQUEST_FIELD_MISSING, "opened");
}

static void input_null_optional_field_is_absent(void **state)
{
    (void)state;
    struct parsed p = parse("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": null,"
                            " \"beds\": null, \"active\": null, \"note\": null}");
    assert_true(p.ok);
    assert_false(p.form.kind.set);
    assert_null(p.form.note);
    assert_false(p.form.beds.set);
    assert_false(p.form.active.set);
    json_decref(p.json);
}

static void input_unknown_field_is_unknown_field_naming_it(void **state)
{
    (void)state;
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"colour\": \"blue\"}",
                 ERR_REQUEST_UNKNOWN_FIELD, "colour");
    /* Field names are case-sensitive. */
    assert_fails("{\"Name\": \"A\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_UNKNOWN_FIELD,
                 "Name");
    /* Even a null unknown field is an error, and it is found before missing fields. */
    assert_fails("{\"extra\": null}", ERR_REQUEST_UNKNOWN_FIELD, "extra");
}

static void input_wrong_json_type_is_field_type(void **state)
{
    (void)state;
    assert_fails("{\"name\": 5, \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_TYPE, "name");
    assert_fails("{\"name\": [\"A\"], \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_TYPE, "name");
    assert_fails("{\"name\": {}, \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_TYPE, "name");
    assert_fails("{\"name\": \"A\", \"opened\": 20240401}", ERR_REQUEST_FIELD_TYPE, "opened");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": true}",
                 ERR_REQUEST_FIELD_TYPE, "kind");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": \"3\"}",
                 ERR_REQUEST_FIELD_TYPE, "beds");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": 1.5}",
                 ERR_REQUEST_FIELD_TYPE, "beds");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": 2.0}",
                 ERR_REQUEST_FIELD_TYPE, "beds");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": true}",
                 ERR_REQUEST_FIELD_TYPE, "beds");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"active\": 1}",
                 ERR_REQUEST_FIELD_TYPE, "active");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"active\": \"true\"}",
                 ERR_REQUEST_FIELD_TYPE, "active");
}

static void input_string_with_embedded_nul_is_field_type(void **state)
{
    (void)state;
    json_t *obj = json_object();
    json_object_set_new(obj, "name", json_stringn("A\0B", 3));
    json_object_set_new(obj, "opened", json_string("2024-04-01"));
    struct parsed p = parse_object(obj);
    assert_false(p.ok);
    assert_int_equal(p.err.code, ERR_REQUEST_FIELD_TYPE);
    assert_string_equal(p.err.field, "name");
    json_decref(obj);
}

static void input_string_length_is_counted_in_characters(void **state)
{
    (void)state;
    /* 20 kanji are 60 bytes but 20 characters: within max 20. */
    struct parsed p = parse("{\"name\": \"" KANJI_20 "\", \"opened\": \"2024-04-01\"}");
    assert_true(p.ok);
    assert_string_equal(p.form.name, KANJI_20);
    json_decref(p.json);

    assert_fails("{\"name\": \"" KANJI_21 "\", \"opened\": \"2024-04-01\"}",
                 ERR_REQUEST_FIELD_RANGE, "name");
    assert_passes("{\"name\": \"12345678901234567890\", \"opened\": \"2024-04-01\"}");
    assert_fails("{\"name\": \"123456789012345678901\", \"opened\": \"2024-04-01\"}",
                 ERR_REQUEST_FIELD_RANGE, "name");
    /* A four-byte character (𠮷, U+20BB7) counts once too. */
    assert_passes("{\"name\": \"𠮷" KANJI_19 "\", \"opened\": \"2024-04-01\"}");
    assert_fails("{\"name\": \"𠮷" KANJI_20 "\", \"opened\": \"2024-04-01\"}",
                 ERR_REQUEST_FIELD_RANGE, "name");
}

static void input_string_shorter_than_min_is_field_range(void **state)
{
    (void)state;
    assert_fails("{\"name\": \"\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_RANGE, "name");
}

static void input_string_without_max_accepts_long_text(void **state)
{
    (void)state;
    char text[2200];
    strcpy(text, "{\"name\": \"A\", \"opened\": \"2024-04-01\", \"note\": \"");
    size_t len = strlen(text);
    memset(text + len, 'x', 2000);
    strcpy(text + len + 2000, "\"}");
    assert_passes(text);
    assert_passes("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"note\": \"\"}");
}

static void input_control_characters_in_string_are_field_range(void **state)
{
    (void)state;
    assert_fails("{\"name\": \"A\\tB\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_RANGE,
                 "name");
    assert_fails("{\"name\": \"A\\nB\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_RANGE,
                 "name");
    assert_fails("{\"name\": \"A\\u001bB\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_RANGE,
                 "name");
    assert_fails("{\"name\": \"A\\u007fB\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_RANGE,
                 "name");
    assert_fails("{\"name\": \"A\\u0085B\", \"opened\": \"2024-04-01\"}", ERR_REQUEST_FIELD_RANGE,
                 "name");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"note\": \"x\\ry\"}",
                 ERR_REQUEST_FIELD_RANGE, "note");
    /* Non-control punctuation and a full-width space are fine. */
    assert_passes("{\"name\": \"A　B (株)\", \"opened\": \"2024-04-01\"}");
}

static void input_impossible_or_malformed_date_is_field_date(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2026-02-29",  "2026-13-01", "2026-1-01",      "2026-01-1",  "2026-00-10",
        "2026-04-31",  "2026-01-32", "2026/01/01",     "20260101",   "",
        "2026-01-01 ", "1899-12-31", "２０２６-01-01", "2100-02-29",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"name\": \"A\", \"opened\": \"%s\"}", bad[i]);
        assert_fails(text, ERR_REQUEST_FIELD_DATE, "opened");
    }
}

static void input_leap_day_in_leap_year_is_valid_date(void **state)
{
    (void)state;
    struct parsed p = parse("{\"name\": \"A\", \"opened\": \"2028-02-29\"}");
    assert_true(p.ok);
    assert_string_equal(p.form.opened, "2028-02-29");
    json_decref(p.json);
    assert_passes("{\"name\": \"A\", \"opened\": \"2000-02-29\"}");
    assert_passes("{\"name\": \"A\", \"opened\": \"1900-01-01\"}");
    assert_passes("{\"name\": \"A\", \"opened\": \"9999-12-31\"}");
}

static void input_enum_value_not_in_choices_is_field_range(void **state)
{
    (void)state;
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": \"veterinary\"}",
                 ERR_REQUEST_FIELD_RANGE, "kind");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": \"Medical\"}",
                 ERR_REQUEST_FIELD_RANGE, "kind");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": \"medical \"}",
                 ERR_REQUEST_FIELD_RANGE, "kind");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": \"\"}",
                 ERR_REQUEST_FIELD_RANGE, "kind");
    assert_passes("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"kind\": \"pharmacy\"}");
}

static void input_parsed_enum_takes_the_parsers_value(void **state)
{
    (void)state;
    struct parsed p = parse("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"floor\": \"7\"}");
    assert_true(p.ok);
    assert_true(p.form.floor.set);
    assert_int_equal(p.form.floor.value, 7);
    assert_string_equal(p.form.floor.id, "7");
    json_decref(p.json);
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"floor\": \"B1\"}",
                 ERR_REQUEST_FIELD_RANGE, "floor");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"floor\": 7}",
                 ERR_REQUEST_FIELD_TYPE, "floor");
}

static void input_int_outside_min_max_is_field_range(void **state)
{
    (void)state;
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": -1}",
                 ERR_REQUEST_FIELD_RANGE, "beds");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": 10000}",
                 ERR_REQUEST_FIELD_RANGE, "beds");
    assert_fails("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": 9223372036854775807}",
                 ERR_REQUEST_FIELD_RANGE, "beds");
    struct parsed p = parse("{\"name\": \"A\", \"opened\": \"2024-04-01\", \"beds\": 9999}");
    assert_true(p.ok);
    assert_int_equal(p.form.beds.value, 9999);
    json_decref(p.json);
}

static void input_non_object_is_not_object(void **state)
{
    (void)state;
    static const char *const bodies[] = {"[]",  "[{\"name\": \"A\"}]", "\"text\"", "42", "true",
                                         "null"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        json_t *v = json_loads(bodies[i], JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        struct parsed p = parse_object(v);
        assert_false(p.ok);
        assert_int_equal(p.err.code, ERR_REQUEST_NOT_OBJECT);
        json_decref(v);
    }
    struct parsed p = parse_object(NULL);
    assert_false(p.ok);
    assert_int_equal(p.err.code, ERR_REQUEST_NOT_OBJECT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(input_fills_every_field_of_valid_object),
        cmocka_unit_test(input_leaves_absent_optional_fields_unset),
        cmocka_unit_test(input_missing_required_field_is_field_missing_naming_it),
        cmocka_unit_test(input_null_required_field_is_field_missing),
        cmocka_unit_test(input_null_optional_field_is_absent),
        cmocka_unit_test(input_unknown_field_is_unknown_field_naming_it),
        cmocka_unit_test(input_wrong_json_type_is_field_type),
        cmocka_unit_test(input_string_with_embedded_nul_is_field_type),
        cmocka_unit_test(input_string_length_is_counted_in_characters),
        cmocka_unit_test(input_string_shorter_than_min_is_field_range),
        cmocka_unit_test(input_string_without_max_accepts_long_text),
        cmocka_unit_test(input_control_characters_in_string_are_field_range),
        cmocka_unit_test(input_impossible_or_malformed_date_is_field_date),
        cmocka_unit_test(input_leap_day_in_leap_year_is_valid_date),
        cmocka_unit_test(input_enum_value_not_in_choices_is_field_range),
        cmocka_unit_test(input_parsed_enum_takes_the_parsers_value),
        cmocka_unit_test(input_int_outside_min_max_is_field_range),
        cmocka_unit_test(input_non_object_is_not_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
