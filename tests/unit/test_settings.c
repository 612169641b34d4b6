/* The environment settings catalogue and its rules: defaults, each kind's items (a pharmacy
 * and a clinic side by side), every dependency, the terms of use, values and free text. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "core/settings.h"

/* The defaults of every item that applies to `kind`, with `override` (id=value) replaced. */
static size_t defaults(enum institution_kind kind, struct setting_value *out, const char *id,
                       const char *value)
{
    size_t n = 0;
    for (size_t i = 0; i < setting_items_count; i++) {
        const struct setting_item *item = &setting_items[i];
        if (!setting_applies(item, kind))
            continue;
        out[n].id = item->id;
        out[n].value = id && strcmp(id, item->id) == 0 ? value : item->default_value;
        n++;
    }
    return n;
}

static int check(enum institution_kind kind, const char *id, const char *value, bool terms,
                 struct setting_problem *p)
{
    struct setting_value next[32], current[32];
    size_t n = defaults(kind, next, id, value);
    size_t c = defaults(kind, current, NULL, NULL);
    return settings_check(kind, next, n, current, c, terms, p);
}

static void the_manuals_defaults_pass_for_every_kind(void **state)
{
    (void)state;
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    for (int k = 0; k < KIND__COUNT; k++)
        assert_int_equal(check((enum institution_kind)k, NULL, NULL, false, p), 0);
    assert_string_equal(setting_find("consent_drug")->default_value, "use");
    assert_string_equal(setting_find("consent_surgery")->default_value, "not_use");
    assert_string_equal(setting_find("prescription_form_timing")->default_value,
                        "other_than_check");
}

static void a_pharmacy_and_a_clinic_have_their_own_items(void **state)
{
    (void)state;
    struct setting_value v[32];
    size_t clinic = defaults(KIND_MEDICAL, v, NULL, NULL);
    bool has_mode = false, has_refill = false;
    for (size_t i = 0; i < clinic; i++) {
        has_mode |= strcmp(v[i].id, "eprescription_mode") == 0;
        has_refill |= strcmp(v[i].id, "refill_prescription") == 0;
    }
    assert_true(has_mode);
    assert_false(has_refill);
    size_t pharmacy = defaults(KIND_PHARMACY, v, NULL, NULL);
    assert_int_equal(clinic, pharmacy); /* two items each side */
    struct setting_value wrong[] = {{"eprescription_mode", "e_only"}};
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    assert_int_equal(settings_check(KIND_PHARMACY, wrong, 1, NULL, 0, false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_ITEM_NOT_APPLICABLE);
    struct setting_value also[] = {{"refill_prescription", "use"}};
    assert_int_equal(settings_check(KIND_DENTAL, also, 1, NULL, 0, false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_ITEM_NOT_APPLICABLE);
}

static void values_must_be_from_the_list(void **state)
{
    (void)state;
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    assert_int_equal(check(KIND_MEDICAL, "char_encoding", "euc-jp", false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_VALUE_INVALID);
    assert_string_equal(p[0].item, "char_encoding");
    struct setting_value unknown[] = {{"font_size", "big"}};
    assert_int_equal(settings_check(KIND_MEDICAL, unknown, 1, NULL, 0, false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_ITEM_UNKNOWN);
    assert_int_equal(check(KIND_MEDICAL, "visit_display_name", "さくら内科　在宅", false, p), 0);
    assert_int_equal(check(KIND_MEDICAL, "visit_display_name", "𠮷野家", false, p), 1);
    assert_int_equal(check(KIND_MEDICAL, "visit_display_name", "a\tb", false, p), 1);
}

static void every_dependency_rule(void **state)
{
    (void)state;
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    struct setting_value v[32], cur[32];
    size_t c = defaults(KIND_MEDICAL, cur, NULL, NULL);
    /* 診療情報 needs 薬剤情報. */
    size_t n = defaults(KIND_MEDICAL, v, "consent_medical", "use");
    assert_int_equal(settings_check(KIND_MEDICAL, v, n, cur, c, false, p), 0);
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, "consent_drug") == 0)
            v[i].value = "not_use";
    assert_int_equal(settings_check(KIND_MEDICAL, v, n, cur, c, false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_MEDICAL_NEEDS_DRUG);
    /* 発行形態選択タイミング needs 電子処方箋利用区分. */
    assert_int_equal(check(KIND_MEDICAL, "prescription_form_timing", "at_check", false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_TIMING_NEEDS_EPRESCRIPTION);
    n = defaults(KIND_MEDICAL, v, "prescription_form_timing", "at_check");
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, "eprescription_mode") == 0)
            v[i].value = "e_and_paper";
    assert_int_equal(settings_check(KIND_MEDICAL, v, n, cur, c, false, p), 0);
    /* リフィル処方箋 needs 電子処方箋 (pharmacies). */
    assert_int_equal(check(KIND_PHARMACY, "refill_prescription", "use", false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_REFILL_NEEDS_EPRESCRIPTION);
}

static void turning_visits_on_needs_the_terms(void **state)
{
    (void)state;
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    assert_int_equal(check(KIND_MEDICAL, "home_visit", "use", false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_TERMS_REQUIRED);
    assert_string_equal(p[0].item, "home_visit");
    assert_int_equal(check(KIND_MEDICAL, "online_care", "use", true, p), 0);
    /* Staying on is not turning on. */
    struct setting_value v[32], cur[32];
    size_t n = defaults(KIND_MEDICAL, v, "home_visit", "use");
    size_t c = defaults(KIND_MEDICAL, cur, "home_visit", "use");
    assert_int_equal(settings_check(KIND_MEDICAL, v, n, cur, c, false, p), 0);
}

static bool is_choice(const struct setting_item *item, const char *id)
{
    for (const struct setting_choice *c = item->choices; c && c->id; c++)
        if (strcmp(c->id, id) == 0)
            return true;
    return false;
}

/* What the catalogue tells the screen about a dependent item is what the check enforces: with
 * the controlling item at each of its choices, every value of the dependent one passes exactly
 * when the condition is met or the value is the one it keeps otherwise. */
static void each_condition_says_what_the_check_enforces(void **state)
{
    (void)state;
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    int conditions = 0;
    for (size_t i = 0; i < setting_items_count; i++) {
        const struct setting_item *item = &setting_items[i];
        if (!item->condition) {
            assert_null(item->depends_on);
            continue;
        }
        conditions++;
        const struct setting_item *ctl = setting_find(item->depends_on);
        assert_non_null(ctl);
        assert_true(is_choice(item, item->condition->otherwise));
        assert_string_equal(item->condition->otherwise, item->default_value);
        assert_true(strlen(item->condition->text) > 0);
        enum institution_kind kind = item->scope == SCOPE_PHARMACY ? KIND_PHARMACY : KIND_MEDICAL;
        for (const char *const *v = item->condition->values; *v; v++)
            assert_true(is_choice(ctl, *v));
        for (const struct setting_choice *c = ctl->choices; c->id; c++) {
            for (const struct setting_choice *d = item->choices; d->id; d++) {
                struct setting_value v[32];
                size_t n = defaults(kind, v, item->id, d->id);
                for (size_t k = 0; k < n; k++)
                    if (strcmp(v[k].id, ctl->id) == 0)
                        v[k].value = c->id;
                bool ok = setting_condition_met(item, c->id) ||
                          strcmp(d->id, item->condition->otherwise) == 0;
                int np = settings_check(kind, v, n, v, n, false, p);
                assert_int_equal(np, ok ? 0 : 1);
                if (!ok) {
                    assert_int_equal(p[0].code, item->condition->refusal);
                    assert_string_equal(p[0].item, item->id);
                }
            }
        }
    }
    assert_int_equal(conditions, 3);
}

static void required_marks_and_notes(void **state)
{
    (void)state;
    for (size_t i = 0; i < setting_items_count; i++)
        assert_int_equal(setting_items[i].required, setting_items[i].choices != NULL);
    assert_string_equal(setting_find("medical_subsidy")->notes[0],
                        "PMH 事業に参加している先行実施機関のみ利用可能です。");
    assert_non_null(strstr(setting_find("visit_display_name")->notes[1], "画面上部の名称"));
    /* Every item's section is one of the sections, in the same order. */
    size_t s = 0;
    for (size_t i = 0; i < setting_items_count; i++) {
        while (s < setting_sections_count &&
               strcmp(setting_sections[s].label, setting_items[i].section) != 0)
            s++;
        assert_true(s < setting_sections_count);
    }
}

/* ⑥: 医療費助成情報 利用する only at a PMH participant; elsewhere its default stays in force. */
static void the_subsidy_needs_a_pmh_participant(void **state)
{
    (void)state;
    struct setting_value next[32], current[32];
    struct setting_problem p[SETTINGS_MAX_PROBLEMS];
    size_t n = defaults(KIND_MEDICAL, next, "medical_subsidy", "use");
    size_t c = defaults(KIND_MEDICAL, current, NULL, NULL);
    assert_int_equal(settings_check_for(KIND_MEDICAL, false, next, n, current, c, false, p), 1);
    assert_int_equal(p[0].code, ERR_SETTINGS_SUBSIDY_NEEDS_PMH);
    assert_string_equal(p[0].item, "medical_subsidy");
    assert_int_equal(settings_check_for(KIND_MEDICAL, true, next, n, current, c, false, p), 0);
    assert_string_equal(setting_in_force_at("medical_subsidy", "use", false), "not_use");
    assert_string_equal(setting_in_force_at("medical_subsidy", "use", true), "use");
    assert_string_equal(setting_in_force_at("consent_drug", "not_use", false), "not_use");
    size_t restricted = 0;
    for (size_t i = 0; i < setting_items_count; i++)
        restricted += setting_items[i].participants_only && setting_items[i].restriction;
    assert_int_equal(restricted, 1);
}

/* ④: the forms a check offers, per 電子処方箋利用区分 and 発行形態選択タイミング. */
static void prescription_forms_offered(void **state)
{
    (void)state;
    const unsigned e = PRESCRIPTION_FORM_BIT(PRESCRIPTION_ELECTRONIC),
                   paper = PRESCRIPTION_FORM_BIT(PRESCRIPTION_PAPER);
    assert_int_equal(settings_prescription_forms(KIND_MEDICAL, "e_only", "at_check"), e);
    assert_int_equal(settings_prescription_forms(KIND_DENTAL, "e_and_paper", "at_check"),
                     e | paper);
    assert_int_equal(settings_prescription_forms(KIND_HOME_NURSING, "paper_only", "at_check"),
                     paper);
    assert_int_equal(settings_prescription_forms(KIND_MEDICAL, "not_use", "at_check"), 0);
    assert_int_equal(settings_prescription_forms(KIND_MEDICAL, "e_and_paper", "other_than_check"),
                     0);
    assert_int_equal(settings_prescription_forms(KIND_PHARMACY, "e_and_paper", "at_check"), 0);
    enum prescription_form f;
    assert_true(prescription_form_parse("paper", &f));
    assert_string_equal(prescription_form_code(f), "2");
    assert_string_equal(prescription_form_label(PRESCRIPTION_ELECTRONIC), "電子処方箋");
    assert_false(prescription_form_parse("", &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_manuals_defaults_pass_for_every_kind),
        cmocka_unit_test(a_pharmacy_and_a_clinic_have_their_own_items),
        cmocka_unit_test(values_must_be_from_the_list),
        cmocka_unit_test(every_dependency_rule),
        cmocka_unit_test(turning_visits_on_needs_the_terms),
        cmocka_unit_test(each_condition_says_what_the_check_enforces),
        cmocka_unit_test(required_marks_and_notes),
        cmocka_unit_test(the_subsidy_needs_a_pmh_participant),
        cmocka_unit_test(prescription_forms_offered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
