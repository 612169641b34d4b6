/* The qualification engine, type by type (manual ch. 3 §3): validity, what is hidden, the
 * first insurance-card registration, medical-assistance tickets, consents and settings. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "core/qualification.h"
#include "core/settings.h"

enum { N_ = 0, Y_ = 1 };
#define T_NONE TICKET_NONE
#define T_MED  TICKET_MEDICAL
#define T_DISP TICKET_DISPENSING

/* What a clinic with the default settings sees checking by insurance number today. */
static const struct expectation {
    const char *type;
    enum qual_outcome outcome;
    enum qual_validity validity;
    int personal, address, insurance, assistance;
    enum ticket_kind ticket_clinic, ticket_pharmacy;
    int medical_info;
} expected[] = {
    {"insurance_valid", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, Y_, N_, T_NONE, T_NONE, Y_},
    {"insurance_valid_nondisclosure", QUAL_FOUND, VALIDITY_VALID, Y_, N_, Y_, N_, T_NONE, T_NONE,
     Y_},
    {"insurance_valid_self_info_restricted", QUAL_RESTRICTED, VALIDITY_NONE, N_, N_, N_, N_, T_NONE,
     T_NONE, N_},
    {"insurance_invalid", QUAL_FOUND, VALIDITY_INVALID, Y_, Y_, Y_, N_, T_NONE, T_NONE, Y_},
    {"insurance_valid_no_medical_info", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, Y_, N_, T_NONE, T_NONE,
     N_},
    {"insurance_valid_first_registration_timeout", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, Y_, N_,
     T_NONE, T_NONE, Y_},
    {"assistance_valid_medical", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, N_, Y_, T_MED, T_MED, Y_},
    {"assistance_valid_pharmacy", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, N_, Y_, T_DISP, T_DISP, Y_},
    {"assistance_and_insurance_valid", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, Y_, Y_, T_MED, T_DISP,
     Y_},
    {"assistance_and_insurance_valid_no_ticket", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, Y_, Y_, T_NONE,
     T_NONE, Y_},
    {"assistance_invalid", QUAL_FOUND, VALIDITY_INVALID, Y_, Y_, N_, Y_, T_NONE, T_NONE, Y_},
    {"assistance_valid_no_ticket", QUAL_FOUND, VALIDITY_VALID, Y_, Y_, N_, Y_, T_NONE, T_NONE, Y_},
    {"assistance_valid_nondisclosure", QUAL_FOUND, VALIDITY_VALID, Y_, N_, N_, Y_, T_MED, T_DISP,
     Y_},
    {"assistance_valid_self_info_restricted", QUAL_RESTRICTED, VALIDITY_NONE, N_, N_, N_, N_,
     T_NONE, T_NONE, N_},
};

static const struct date today = {2026, 11, 24};
static const unsigned all_consents = (1u << CONSENT__COUNT) - 1;

static struct test_person person(const char *type, enum institution_kind kind, uint64_t seed)
{
    const struct qualification_type *t = qualification_type_find(type);
    assert_non_null(t);
    struct test_person p;
    test_person_make(t, test_category_for_card(t), kind, "1312345678", &today, seed, &p);
    return p;
}

/* The request a new institution makes: the manual's default settings, read from the
 * settings catalogue (so a change of a default shows here). */
static struct qual_request request(enum qual_route route, enum institution_kind kind)
{
    unsigned on = 0;
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (strcmp(setting_in_force(consent_item_setting((enum consent_item)i), NULL), "use") == 0)
            on |= CONSENT_BIT(i);
    assert_int_equal(on, CONSENT_BIT(CONSENT_DRUG) | CONSENT_BIT(CONSENT_CHECKUP) |
                             CONSENT_BIT(CONSENT_SPECIFIC_DISEASE));
    bool assistance = strcmp(setting_in_force("medical_assistance", NULL), "use") == 0;
    assert_true(assistance);
    /* Last: 医療費助成情報 利用しない (the default). */
    return (struct qual_request){route, today, kind, assistance, on, all_consents, true, false};
}

static void assert_expected(const struct expectation *e, const struct qual_result *r,
                            enum institution_kind kind)
{
    assert_int_equal(r->outcome, e->outcome);
    assert_int_equal(r->validity, e->validity);
    assert_int_equal(r->show_personal, e->personal);
    assert_int_equal(r->show_address, e->address);
    assert_int_equal(r->show_insurance, e->insurance);
    assert_int_equal(r->show_assistance, e->assistance);
    assert_int_equal(r->ticket, kind == KIND_PHARMACY ? e->ticket_pharmacy : e->ticket_clinic);
    assert_int_equal(r->medical_info, e->medical_info);
    if (r->ticket != TICKET_NONE) {
        assert_string_equal(r->ticket_from, "2026-11-01");
        assert_string_equal(r->ticket_until, "2026-11-30");
    }
    if (e->outcome == QUAL_FOUND && e->validity == VALIDITY_VALID)
        assert_null(r->message);
    else
        assert_non_null(r->message);
}

/* One cmocka test per type, named after it: by number at a clinic and a pharmacy, then by
 * card twice (first check on an unregistered card, then the next one). */
static void one_type(void **state)
{
    const struct expectation *e = *state;
    static const enum institution_kind kinds[] = {KIND_MEDICAL, KIND_PHARMACY};
    for (size_t k = 0; k < 2; k++)
        for (uint64_t seed = 1; seed <= 20; seed++) {
            struct test_person p = person(e->type, kinds[k], seed);
            struct qual_result r;
            struct qual_request rq = request(QUAL_BY_NUMBER, kinds[k]);
            rq.card_registered = false; /* irrelevant by number */
            qualification_evaluate(&p, &rq, &r);
            assert_expected(e, &r, kinds[k]);
            assert_false(r.registered_now);
            assert_int_equal(r.consents, 0); /* consents come with a card only */

            rq = request(QUAL_BY_CARD, kinds[k]);
            rq.card_registered = false;
            qualification_evaluate(&p, &rq, &r);
            assert_true(r.card_registered);
            if (p.type->first_registration_timeout) {
                assert_int_equal(r.outcome, QUAL_REGISTRATION_TIMEOUT);
                assert_false(r.registered_now);
                assert_false(r.show_personal || r.show_insurance || r.show_assistance);
                assert_int_equal(r.consents, 0);
                assert_non_null(strstr(r.message, "タイムアウト"));
            } else {
                assert_true(r.registered_now);
                assert_expected(e, &r, kinds[k]);
            }
            rq.card_registered = r.card_registered; /* the next check */
            qualification_evaluate(&p, &rq, &r);
            assert_false(r.registered_now);
            assert_true(r.card_registered);
            assert_expected(e, &r, kinds[k]);
            assert_int_equal(r.consents,
                             e->outcome == QUAL_FOUND ? rq.consents_on & rq.consents_given : 0);
        }
}

static void consents_recorded_are_those_given_and_offered(void **state)
{
    (void)state;
    struct test_person p = person("insurance_valid", KIND_MEDICAL, 3);
    struct qual_request rq = request(QUAL_BY_CARD, KIND_MEDICAL);
    struct qual_result r;
    rq.consents_given = CONSENT_BIT(CONSENT_DRUG) | CONSENT_BIT(CONSENT_SURGERY);
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.consents, CONSENT_BIT(CONSENT_DRUG)); /* 手術情報 is not offered */
    rq.consents_given = 0;
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.consents, 0);
    /* No medical information still records the consent: there is simply nothing to show. */
    p = person("insurance_valid_no_medical_info", KIND_MEDICAL, 3);
    rq.consents_given = all_consents;
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.consents, rq.consents_on);
    assert_false(r.medical_info);
}

static void assistance_turned_off_hides_it(void **state)
{
    (void)state;
    struct qual_request rq = request(QUAL_BY_NUMBER, KIND_MEDICAL);
    rq.assistance_on = false;
    struct qual_result r;
    struct test_person p = person("assistance_valid_medical", KIND_MEDICAL, 5);
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.outcome, QUAL_NOT_AVAILABLE);
    assert_int_equal(r.validity, VALIDITY_NONE);
    assert_false(r.show_personal || r.show_assistance);
    assert_non_null(r.message);
    /* 自己情報提供不可 of a qualification the institution does not use: there is none. */
    p = person("assistance_valid_self_info_restricted", KIND_MEDICAL, 5);
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.outcome, QUAL_NOT_AVAILABLE);
    p = person("insurance_valid_self_info_restricted", KIND_MEDICAL, 5);
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.outcome, QUAL_RESTRICTED);
    p = person("assistance_and_insurance_valid", KIND_MEDICAL, 5);
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.outcome, QUAL_FOUND);
    assert_int_equal(r.validity, VALIDITY_VALID);
    assert_true(r.show_insurance);
    assert_false(r.show_assistance);
    assert_int_equal(r.ticket, TICKET_NONE);
}

static void validity_follows_the_dates_at_their_boundaries(void **state)
{
    (void)state;
    struct test_person p = person("insurance_valid", KIND_MEDICAL, 8);
    struct qual_request rq = request(QUAL_BY_NUMBER, KIND_MEDICAL);
    struct qual_result r;
    snprintf(p.insurance.valid_from, sizeof p.insurance.valid_from, "2026-11-24");
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.validity, VALIDITY_VALID); /* starts today */
    snprintf(p.insurance.valid_from, sizeof p.insurance.valid_from, "2026-11-25");
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.validity, VALIDITY_INVALID); /* starts tomorrow */
    snprintf(p.insurance.valid_from, sizeof p.insurance.valid_from, "2020-04-01");
    snprintf(p.insurance.valid_until, sizeof p.insurance.valid_until, "2026-11-24");
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.validity, VALIDITY_VALID); /* ends today */
    snprintf(p.insurance.valid_until, sizeof p.insurance.valid_until, "2026-11-23");
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.validity, VALIDITY_INVALID);
    /* An invalid assistance shows no ticket even when one was issued. */
    p = person("assistance_valid_medical", KIND_MEDICAL, 8);
    snprintf(p.assistance.valid_until, sizeof p.assistance.valid_until, "2026-11-01");
    qualification_evaluate(&p, &rq, &r);
    assert_int_equal(r.validity, VALIDITY_INVALID);
    assert_int_equal(r.ticket, TICKET_NONE);
}

static void tickets_cover_the_month_of_the_check(void **state)
{
    (void)state;
    struct test_person p = person("assistance_valid_medical", KIND_MEDICAL, 2);
    struct qual_request rq = request(QUAL_BY_NUMBER, KIND_MEDICAL);
    struct qual_result r;
    rq.today = (struct date){2028, 2, 10};
    qualification_evaluate(&p, &rq, &r);
    assert_string_equal(r.ticket_from, "2028-02-01");
    assert_string_equal(r.ticket_until, "2028-02-29");
    rq.today = (struct date){2026, 12, 31};
    qualification_evaluate(&p, &rq, &r);
    assert_string_equal(r.ticket_from, "2026-12-01");
    assert_string_equal(r.ticket_until, "2026-12-31");
}

static void consent_items_follow_the_settings_ids(void **state)
{
    (void)state;
    enum consent_item item;
    for (int i = 0; i < CONSENT__COUNT; i++) {
        char setting[64];
        snprintf(setting, sizeof setting, "consent_%s", consent_item_id((enum consent_item)i));
        assert_string_equal(consent_item_setting((enum consent_item)i), setting);
        assert_true(consent_item_parse(consent_item_id((enum consent_item)i), &item));
        assert_int_equal(item, i);
    }
    assert_false(consent_item_parse("consent_drug", &item));
}

/* What a withdrawal hands PostgreSQL: every item fits, in enum order, counted. */
static void consent_items_as_an_array_literal(void **state)
{
    (void)state;
    char out[CONSENT_ITEMS_LITERAL_SIZE];
    assert_int_equal(consent_items_literal(0, out), 0);
    assert_string_equal(out, "{}");
    assert_int_equal(
        consent_items_literal(CONSENT_BIT(CONSENT_CHECKUP) | CONSENT_BIT(CONSENT_DRUG), out), 2);
    assert_string_equal(out, "{drug,checkup}");
    assert_int_equal(consent_items_literal((1u << CONSENT__COUNT) - 1, out), CONSENT__COUNT);
    assert_string_equal(out, "{drug,medical,surgery,checkup,specific_disease}");
}

int main(void)
{
    struct CMUnitTest tests[32];
    size_t n = 0;
    assert_int_equal(sizeof expected / sizeof expected[0], qualification_types_count);
    for (size_t i = 0; i < qualification_types_count; i++) {
        assert_string_equal(expected[i].type, qualification_types[i].id);
        tests[n++] =
            (struct CMUnitTest){expected[i].type, one_type, NULL, NULL, (void *)&expected[i]};
    }
    const struct CMUnitTest more[] = {
        cmocka_unit_test(consents_recorded_are_those_given_and_offered),
        cmocka_unit_test(assistance_turned_off_hides_it),
        cmocka_unit_test(validity_follows_the_dates_at_their_boundaries),
        cmocka_unit_test(tickets_cover_the_month_of_the_check),
        cmocka_unit_test(consent_items_follow_the_settings_ids),
        cmocka_unit_test(consent_items_as_an_array_literal),
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        tests[n++] = more[i];
    return _cmocka_run_group_tests("test_qualification", tests, n, NULL, NULL);
}
