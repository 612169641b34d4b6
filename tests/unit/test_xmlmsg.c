/* The XmlMsg machine interface: requests read (padding, optional items, every malformed
 * field with its own ErrorCode), responses built for each outcome with every value a string
 * and items that do not apply absent; synthetic medical records; history search bounds. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "core/history.h"
#include "core/medical_records.h"
#include "core/xmlmsg.h"

static json_t *request(const char *insurer, const char *number)
{
    return json_pack("{s:{s:{s:s, s:s, s:s}, s:{s:{s:s, s:s, s:s, s:s, s:s}}}}", "XmlMsg",
                     "MessageHeader", "QualificationConfirmationDate", "20261124",
                     "MedicalInstitutionCode", "1312345678", "ArbitraryFileIdentifier", "RC-0001",
                     "MessageBody", "QualificationConfirmSearchInfo", "InsurerNumber", insurer,
                     "InsuredCardSymbol", "1234", "InsuredIdentificationNumber", number,
                     "InsuredBranchNumber", "00", "Birthdate", "19800401");
}

static void requests_are_read_with_padding_removed(void **state)
{
    (void)state;
    struct xml_query q;
    const struct xml_error *err = NULL;
    json_t *r = request("06131234", "7654321");
    assert_true(xmlmsg_parse_request(r, &q, &err));
    assert_string_equal(q.insurer_number, "06131234");
    assert_string_equal(q.institution_code, "1312345678");
    assert_string_equal(q.file_identifier, "RC-0001");
    assert_string_equal(q.symbol, "1234");
    assert_string_equal(q.number, "7654321");
    assert_string_equal(q.branch, "00");
    assert_string_equal(q.birthdate, "1980-04-01");
    json_decref(r);
    const char *padded[] = {"  131011", "00131011", "131011", "131011  "};
    for (size_t i = 0; i < 4; i++) {
        r = request(padded[i], " 123456 ");
        assert_true(xmlmsg_parse_request(r, &q, &err));
        assert_string_equal(q.insurer_number, "131011");
        assert_string_equal(q.number, "123456");
        json_decref(r);
    }
    /* Optional items may be absent. */
    r = request("39131008", "12345678");
    json_t *info = json_object_get(json_object_get(json_object_get(r, "XmlMsg"), "MessageBody"),
                                   "QualificationConfirmSearchInfo");
    json_object_del(info, "InsuredCardSymbol");
    json_object_del(info, "InsuredBranchNumber");
    json_object_del(info, "Birthdate");
    assert_true(xmlmsg_parse_request(r, &q, &err));
    assert_string_equal(q.symbol, "");
    assert_string_equal(q.branch, "");
    assert_string_equal(q.birthdate, "");
    json_decref(r);
}

struct breaker {
    const char *where; /* "head" or "info" */
    const char *key;
    json_t *value; /* NULL: remove */
    const struct xml_error *want;
};

static void every_malformed_field_has_its_code(void **state)
{
    (void)state;
    struct breaker cases[] = {
        {"head", "QualificationConfirmationDate", json_string("20261131"), &XML_ERR_DATE},
        {"head", "QualificationConfirmationDate", NULL, &XML_ERR_DATE},
        {"head", "QualificationConfirmationDate", json_integer(20261124), &XML_ERR_DATE},
        {"head", "MedicalInstitutionCode", json_string("131234567"), &XML_ERR_INSTITUTION},
        {"head", "MedicalInstitutionCode", json_string("13123456789"), &XML_ERR_INSTITUTION},
        {"head", "ArbitraryFileIdentifier", json_string("\x01"), &XML_ERR_FILE_ID},
        {"info", "InsurerNumber", json_string("0613123"), &XML_ERR_INSURER},
        {"info", "InsurerNumber", json_string("06-13123"), &XML_ERR_INSURER},
        {"info", "InsurerNumber", json_string("061312345"), &XML_ERR_INSURER},
        {"info", "InsurerNumber", NULL, &XML_ERR_INSURER},
        {"info", "InsuredCardSymbol", json_string("記\n号"), &XML_ERR_SYMBOL},
        {"info", "InsuredIdentificationNumber", json_string("   "), &XML_ERR_NUMBER},
        {"info", "InsuredIdentificationNumber", json_true(), &XML_ERR_NUMBER},
        {"info", "InsuredBranchNumber", json_string("1"), &XML_ERR_BRANCH},
        {"info", "Birthdate", json_string("1980-04-01"), &XML_ERR_BIRTHDATE},
        {"info", "LimitApplicationCertificateRelatedConsFlg", json_string("2"),
         &XML_ERR_LIMIT_FLAG},
        /* Outside CP932 (the histories are downloaded in it): refused, not stored. */
        {"head", "ArbitraryFileIdentifier", json_string("X\xF0\x9F\x98\x80"), &XML_ERR_FILE_ID},
        {"info", "InsuredIdentificationNumber", json_string("12\xE2\x91\xA0\xF0\x9F\x98\x80"),
         &XML_ERR_NUMBER},
        {"info", "InsuredCardSymbol", json_string("\xC3\xA9"), &XML_ERR_SYMBOL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *r = request("06131234", "7654321");
        json_t *msg = json_object_get(r, "XmlMsg");
        json_t *target = strcmp(cases[i].where, "head") == 0
                             ? json_object_get(msg, "MessageHeader")
                             : json_object_get(json_object_get(msg, "MessageBody"),
                                               "QualificationConfirmSearchInfo");
        if (cases[i].value)
            json_object_set_new(target, cases[i].key, cases[i].value);
        else
            json_object_del(target, cases[i].key);
        struct xml_query q;
        const struct xml_error *err = NULL;
        assert_false(xmlmsg_parse_request(r, &q, &err));
        assert_ptr_equal(err, cases[i].want);
        json_decref(r);
    }
    /* Structure: not an XmlMsg at all. */
    const char *shapes[] = {"[]", "{}", "{\"XmlMsg\": []}", "{\"XmlMsg\": {\"MessageHeader\": {}}}",
                            "{\"XmlMsg\": {\"MessageHeader\": {}, \"MessageBody\": {}}}"};
    for (size_t i = 0; i < 5; i++) {
        json_t *r = json_loads(shapes[i], 0, NULL);
        struct xml_query q;
        const struct xml_error *err = NULL;
        assert_false(xmlmsg_parse_request(r, &q, &err));
        assert_ptr_equal(err, &XML_ERR_FORMAT);
        json_decref(r);
    }
    /* A huge value is refused, not truncated. */
    char big[200];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_t *r = request("06131234", big);
    struct xml_query q;
    const struct xml_error *err = NULL;
    assert_false(xmlmsg_parse_request(r, &q, &err));
    assert_ptr_equal(err, &XML_ERR_NUMBER);
    json_decref(r);
}

static const struct date today = {2026, 11, 24};

static json_t *answer_for(const char *type, enum qual_route route, bool registered,
                          struct test_person *p, struct qual_result *res)
{
    const struct qualification_type *t = qualification_type_find(type);
    test_person_make(t, test_category_for_card(t), KIND_MEDICAL, "1312345678", &today, 11, p);
    struct qual_request rq = {route,
                              today,
                              KIND_MEDICAL,
                              true,
                              CONSENT_BIT(CONSENT_DRUG) | CONSENT_BIT(CONSENT_CHECKUP),
                              CONSENT_BIT(CONSENT_DRUG),
                              registered,
                              false};
    qualification_evaluate(p, &rq, res);
    struct xml_query q = {"20261124", "1312345678", "F-1", "", "", "", "", ""};
    struct xml_answer a = {.process_time = "20261124103000",
                           .reference_classification = route == QUAL_BY_CARD ? "1" : "2",
                           .query = &q,
                           .today = "20261124",
                           .institution_code = "1312345678",
                           .person = p,
                           .result = res,
                           .reference_number = "42"};
    a.consents[CONSENT_DRUG] = (struct xml_consent){true, true, "20261124102959"};
    a.consents[CONSENT_CHECKUP] = (struct xml_consent){true, false, ""};
    return xmlmsg_response(&a);
}

/* Every value in the tree is a string, an object or an array: never a number or null. */
static void assert_only_strings(json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;
    if (json_is_object(v))
        json_object_foreach(v, key, item) assert_only_strings(item);
    else if (json_is_array(v))
        json_array_foreach(v, i, item) assert_only_strings(item);
    else
        assert_true(json_is_string(v));
}

#define AT(root, path) json_string_value(json_object_get(root, path))

static void responses_follow_the_real_shape(void **state)
{
    (void)state;
    struct test_person p;
    struct qual_result r;
    json_t *o = answer_for("insurance_valid", QUAL_BY_NUMBER, true, &p, &r);
    assert_only_strings(o);
    json_t *h = json_object_get(json_object_get(o, "XmlMsg"), "MessageHeader");
    json_t *b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_string_equal(AT(h, "SegmentOfResult"), "1");
    assert_string_equal(AT(h, "ReferenceClassification"), "2");
    assert_string_equal(AT(h, "ArbitraryFileIdentifier"), "F-1");
    assert_string_equal(AT(h, "CharacterCodeIdentifier"), "0");
    assert_null(json_object_get(h, "ErrorCode"));
    assert_string_equal(AT(b, "ProcessingResultStatus"), "1");
    assert_string_equal(AT(b, "QualificationValidity"), "1");
    json_t *list = json_object_get(b, "ResultList");
    assert_int_equal(json_array_size(list), 1);
    json_t *e = json_object_get(json_array_get(list, 0), "ResultOfQualificationConfirmation");
    const char *always[] = {"InsuredCardClassification", "Name", "Sex1", "Birthdate",
                            "InsurerName"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(AT(e, always[i]));
    assert_string_equal(AT(e, "InsurerNumber"), p.insurance.insurer_number);
    assert_int_equal(strlen(AT(e, "Birthdate")), 8);
    assert_non_null(AT(e, "Address"));
    assert_non_null(AT(e, "PostNumber"));
    assert_null(json_object_get(e, "InsuredCardExpirationDate")); /* open-ended: absent */
    assert_string_equal(AT(e, "PharmacistsInfoConsFlg"), "1");
    assert_string_equal(AT(e, "PharmacistsInfoConsTime"), "20261124102959");
    assert_string_equal(AT(e, "SpecificHealthCheckupsInfoConsFlg"), "0");
    assert_null(json_object_get(e, "SpecificHealthCheckupsInfoConsTime"));
    assert_null(json_object_get(e, "OperationInfoConsFlg")); /* not offered */
    assert_string_equal(AT(e, "ReferenceNumber"), "42");
    json_decref(o);

    o = answer_for("insurance_valid_nondisclosure", QUAL_BY_NUMBER, true, &p, &r);
    e = json_object_get(
        json_array_get(json_object_get(json_object_get(json_object_get(o, "XmlMsg"), "MessageBody"),
                                       "ResultList"),
                       0),
        "ResultOfQualificationConfirmation");
    assert_null(json_object_get(e, "Address"));
    assert_null(json_object_get(e, "PostNumber"));
    assert_non_null(AT(e, "Name"));
    json_decref(o);

    o = answer_for("insurance_invalid", QUAL_BY_NUMBER, true, &p, &r);
    b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_string_equal(AT(b, "QualificationValidity"), "2");
    e = json_object_get(json_array_get(json_object_get(b, "ResultList"), 0),
                        "ResultOfQualificationConfirmation");
    assert_non_null(AT(e, "InsuredCardExpirationDate"));
    json_decref(o);

    o = answer_for("insurance_valid_self_info_restricted", QUAL_BY_NUMBER, true, &p, &r);
    assert_only_strings(o);
    b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_string_equal(AT(b, "ProcessingResultStatus"), "2");
    assert_string_equal(AT(b, "ProcessingResultCode"), "W2001");
    assert_null(json_object_get(b, "ResultList"));
    assert_null(json_object_get(b, "QualificationValidity"));
    json_decref(o);

    o = answer_for("insurance_valid_first_registration_timeout", QUAL_BY_CARD, false, &p, &r);
    b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_string_equal(AT(b, "ProcessingResultCode"), "W2002");
    assert_null(json_object_get(b, "ResultList"));
    json_decref(o);

    o = answer_for("assistance_and_insurance_valid", QUAL_BY_CARD, true, &p, &r);
    assert_only_strings(o);
    b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    list = json_object_get(b, "ResultList");
    assert_int_equal(json_array_size(list), 2);
    e = json_object_get(json_array_get(list, 1), "ResultOfQualificationConfirmation");
    assert_string_equal(AT(e, "InsurerNumber"), p.assistance.payer_number);
    json_t *ticket = json_object_get(e, "MedicalTicketInfo");
    assert_string_equal(AT(ticket, "TicketName"), "医療券");
    assert_string_equal(AT(ticket, "TicketValidDate"), "20261101");
    assert_string_equal(AT(ticket, "TicketExpirationDate"), "20261130");
    json_decref(o);
}

static void errors_and_no_match_answers(void **state)
{
    (void)state;
    struct xml_query q = {"20261124", "1312345678", "", "", "", "", "", ""};
    struct xml_answer a = {.process_time = "20261124103000",
                           .reference_classification = "2",
                           .query = &q,
                           .today = "20261124",
                           .institution_code = "1312345678",
                           .error = &XML_ERR_INSURER};
    json_t *o = xmlmsg_response(&a);
    assert_only_strings(o);
    json_t *h = json_object_get(json_object_get(o, "XmlMsg"), "MessageHeader");
    assert_string_equal(AT(h, "SegmentOfResult"), "9");
    assert_string_equal(AT(h, "ErrorCode"), "E1005");
    assert_string_equal(AT(h, "ErrorMessage"), "保険者番号が正しくありません。");
    assert_null(json_object_get(h, "ArbitraryFileIdentifier")); /* empty: absent */
    json_t *refused = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_int_equal(json_object_size(refused), 1); /* ProcessingResultStatus alone */
    assert_string_equal(AT(refused, "ProcessingResultStatus"), "2");
    json_decref(o);
    a.error = NULL; /* nobody found */
    o = xmlmsg_response(&a);
    json_t *b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_string_equal(AT(b, "ProcessingResultStatus"), "1");
    assert_string_equal(AT(b, "QualificationValidity"), "4");
    assert_null(json_object_get(b, "ResultList"));
    json_decref(o);
    a.several = true; /* 複数該当 */
    o = xmlmsg_response(&a);
    b = json_object_get(json_object_get(o, "XmlMsg"), "MessageBody");
    assert_string_equal(AT(b, "QualificationValidity"), "5");
    assert_null(json_object_get(b, "ResultList"));
    json_decref(o);
}

/* A request that could not be read at all: the header still carries every item a client
 * requires, the date being today and the institution the caller's. */
static void unreadable_requests_get_a_complete_header(void **state)
{
    (void)state;
    struct xml_query q;
    const struct xml_error *err;
    json_t *req = json_loads("{\"XmlMsg\": {\"MessageHeader\": {\"ArbitraryFileIdentifier\": "
                             "\"F-9\"}}}",
                             0, NULL);
    assert_false(xmlmsg_parse_request(req, &q, &err));
    assert_ptr_equal(err, &XML_ERR_FORMAT);
    json_decref(req);
    struct xml_answer a = {.process_time = "20261203093000",
                           .reference_classification = "2",
                           .query = &q,
                           .today = "20261203",
                           .institution_code = "1312345678",
                           .error = err};
    json_t *o = xmlmsg_response(&a);
    json_t *h = json_object_get(json_object_get(o, "XmlMsg"), "MessageHeader");
    const char *items[][2] = {{"ProcessExecutionTime", "20261203093000"},
                              {"QualificationConfirmationDate", "20261203"},
                              {"MedicalInstitutionCode", "1312345678"},
                              {"ReferenceClassification", "2"},
                              {"SegmentOfResult", "9"},
                              {"ErrorCode", "E1001"},
                              {"ErrorMessage", XML_ERR_FORMAT.message},
                              {"CharacterCodeIdentifier", "0"}};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        assert_string_equal(AT(h, items[i][0]), items[i][1]);
    assert_string_equal(AT(h, "ArbitraryFileIdentifier"), "F-9"); /* read before the body */
    json_decref(o);
}

static void medical_records_are_stable_and_respect_the_type(void **state)
{
    (void)state;
    struct test_person p;
    test_person_make(qualification_type_find("insurance_valid"), CATEGORY_EMPLOYEE, KIND_MEDICAL,
                     "1312345678", &today, 5, &p);
    for (int item = 0; item < CONSENT_SPECIFIC_DISEASE; item++) {
        json_t *a = medical_records(&p, (enum consent_item)item, &today);
        json_t *b = medical_records(&p, (enum consent_item)item, &(struct date){2026, 11, 30});
        assert_true(json_equal(a, b)); /* the same within the month */
        size_t i;
        json_t *rec;
        json_array_foreach(a, i, rec)
        {
            const char *key;
            json_t *v;
            json_object_foreach(rec, key, v)
            {
                if (strstr(key, "_on"))
                    assert_true(strcmp(json_string_value(v), "2026-11-24") < 0);
            }
        }
        if (item != CONSENT_SURGERY)
            assert_true(json_array_size(a) > 0);
        json_decref(a);
        json_decref(b);
    }
    test_person_make(qualification_type_find("insurance_valid_no_medical_info"), CATEGORY_EMPLOYEE,
                     KIND_MEDICAL, "1312345678", &today, 5, &p);
    json_t *none = medical_records(&p, CONSENT_DRUG, &today);
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);
    assert_string_equal(medical_history_category(CONSENT_SURGERY), "surgery_medical_drug");
    assert_string_equal(medical_history_category(CONSENT_MEDICAL), "surgery_medical_drug");
    assert_string_equal(medical_history_category(CONSENT_CHECKUP), "checkup");
}

static void history_bounds_in_japan_time(void **state)
{
    (void)state;
    char out[HISTORY_BOUND_SIZE];
    long long from, to;
    assert_true(history_bound_parse("2026-11-24", false, out, &from));
    assert_string_equal(out, "2026-11-23T15:00:00Z");
    assert_true(history_bound_parse("2026-11-24", true, out, &to));
    assert_string_equal(out, "2026-11-24T15:00:00Z"); /* exclusive: the whole day included */
    assert_true(to - from == 86400LL * 1000000 - 1);
    assert_true(history_bound_parse("2026-11-24T08:59", true, out, &to));
    assert_string_equal(out, "2026-11-24T00:00:00Z");
    assert_true(history_bound_parse("2026-01-01T00:00", false, out, &from));
    assert_string_equal(out, "2025-12-31T15:00:00Z");
    assert_true(history_bound_parse("2026-12-31T23:59", true, out, &to));
    assert_string_equal(out, "2026-12-31T15:00:00Z");
    const char *bad[] = {
        "",           "2026-11-24T24:00", "2026-11-24T12:60", "2026-11-24 12:00",
        "2026-02-30", "2026-11-24T1200",  "2026/11/24",       "2026-11-24T12:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(history_bound_parse(bad[i], false, out, &from));
    assert_true(history_category_valid("surgery_medical_drug"));
    assert_false(history_category_valid("surgery"));
}

/* RFC 3339 timestamps with an offset: one instant each, to the microsecond rows are kept in. */
static void history_bounds_in_rfc3339(void **state)
{
    (void)state;
    char out[HISTORY_BOUND_SIZE];
    long long from, to, jst;
    assert_true(history_bound_parse("2026-12-01T09:00:00+09:00", false, out, &from));
    assert_string_equal(out, "2026-12-01T00:00:00Z");
    assert_true(history_bound_parse("2026-12-01T09:00", false, out, &jst));
    assert_true(from == jst); /* the same instant as the Japan-time minute's start */
    assert_true(history_bound_parse("2026-11-30T15:00:00Z", false, out, &from));
    assert_string_equal(out, "2026-11-30T15:00:00Z");
    assert_true(from == jst - 9LL * 3600 * 1000000);
    /* The upper bound includes its instant and nothing after it. */
    assert_true(history_bound_parse("2026-12-01T09:00:00+09:00", true, out, &to));
    assert_string_equal(out, "2026-12-01T00:00:00.000001Z");
    assert_true(to == jst);
    assert_true(history_bound_parse("2026-12-01T09:00:00+09:00", false, out, &from));
    assert_true(to == from); /* a single instant is a period */
    /* What each text is as PostgreSQL's bound (the upper one exclusive). */
    const struct {
        const char *text;
        bool upper;
        const char *want;
    } good[] = {
        /* Offsets west and east, lower-case t and z, -00:00 (UTC, local offset unknown). */
        {"2026-11-30T19:00:00-05:00", false, "2026-12-01T00:00:00Z"},
        {"2026-12-01t05:45:00+05:45", false, "2026-12-01T00:00:00Z"},
        {"2026-12-01T00:00:00z", false, "2026-12-01T00:00:00Z"},
        {"2026-12-01T00:00:00-00:00", false, "2026-12-01T00:00:00Z"},
        /* Across a year end and the day before the date written. */
        {"2027-01-01T08:59:59+09:00", false, "2026-12-31T23:59:59Z"},
        {"2026-03-01T00:30:00+23:59", false, "2026-02-28T00:31:00Z"},
        /* Fractions: a lower bound rounds up to the microsecond, an upper one down. */
        {"2026-12-01T09:00:00.5+09:00", false, "2026-12-01T00:00:00.500000Z"},
        {"2026-12-01T09:00:00.123456+09:00", true, "2026-12-01T00:00:00.123457Z"},
        {"2026-12-01T09:00:00.1234561+09:00", false, "2026-12-01T00:00:00.123457Z"},
        {"2026-12-01T09:00:00.1234569+09:00", true, "2026-12-01T00:00:00.123457Z"}, /* ≤ .123456 */
        {"2026-12-01T09:00:00.9999999Z", false, "2026-12-01T09:00:01Z"},
        {"2026-12-01T09:00:00.000000000Z", false, "2026-12-01T09:00:00Z"},
        /* The edges of the years a bound may name. */
        {"1900-01-01T00:00:00+23:59", false, "1899-12-31T00:01:00Z"},
        {"9999-12-31T23:59:59.999998Z", true, "9999-12-31T23:59:59.999999Z"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(history_bound_parse(good[i].text, good[i].upper, out, &from));
        assert_string_equal(out, good[i].want);
    }
    const char *bad[] = {
        "2026-12-01T09:00:00",          /* no offset */
        "2026-12-01T09:00:00+0900",     /* offset without its colon */
        "2026-12-01T09:00:00+9:00",     /* one digit of hour */
        "2026-12-01T09:00:00+24:00",    /* offset hour 24 */
        "2026-12-01T09:00:00+09:60",    /* offset minute 60 */
        "2026-12-01T09:00:00+09",       /* offset cut short */
        "2026-12-01T09:00:00+",         /* sign alone */
        "2026-12-01T09:00:00 +09:00",   /* a space before the offset */
        "2026-12-01T24:00:00Z",         /* 24:00 */
        "2026-12-01T23:60:00Z",         /* minute 60 */
        "2026-12-01T23:59:60Z",         /* leap second */
        "2026-13-01T09:00:00Z",         /* month 13 */
        "2026-02-29T09:00:00Z",         /* not a leap year */
        "2026-12-01T09:00:00Zjunk",     /* trailing junk */
        "2026-12-01T09:00:00+09:00x",   /* trailing junk after an offset */
        "2026-12-01T09:00Z",            /* no seconds */
        "2026-12-01T09:00:0Z",          /* one digit of seconds */
        "2026-12-01T09:00:00.Z",        /* a point without digits */
        "2026-12-01T09:00:00,5Z",       /* a comma for the point */
        "2026-12-01 09:00:00Z",         /* a space for T */
        "12026-12-01T09:00:00Z",        /* a five-digit year */
        "+2026-12-01T09:00:00Z",        /* a signed year */
        "0999-12-01T09:00:00Z",         /* before 1900 */
        "9999-12-31T23:59:59-00:01",    /* past 9999 in UTC */
        "9999-12-31T23:59:59.9999999Z", /* rounds up past 9999 */
        "2026-12-01T09:00:00.00000000000000000000000000000000000000000000001Z", /* too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(history_bound_parse(bad[i], false, out, &from));
        assert_false(history_bound_parse(bad[i], true, out, &to));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_are_read_with_padding_removed),
        cmocka_unit_test(every_malformed_field_has_its_code),
        cmocka_unit_test(responses_follow_the_real_shape),
        cmocka_unit_test(errors_and_no_match_answers),
        cmocka_unit_test(unreadable_requests_get_a_complete_header),
        cmocka_unit_test(medical_records_are_stable_and_respect_the_type),
        cmocka_unit_test(history_bounds_in_japan_time),
        cmocka_unit_test(history_bounds_in_rfc3339),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
