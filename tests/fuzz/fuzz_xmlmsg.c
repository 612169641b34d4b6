/* XmlMsg requests (core/xmlmsg.c) as clients send them, parsed and answered: the query
 * holds only what the rules allow, a refused request names a known ErrorCode, and the
 * answer, refused or found, has every header item clients require, only string values,
 * and the echo of what was read. */
#include "fuzz.h"

#include "core/account.h"
#include "core/date.h"
#include "core/text.h"
#include "core/xmlmsg.h"

static const struct xml_error *const known[] = {
    &XML_ERR_FORMAT, &XML_ERR_DATE,   &XML_ERR_INSTITUTION, &XML_ERR_INSURER, &XML_ERR_SYMBOL,
    &XML_ERR_NUMBER, &XML_ERR_BRANCH, &XML_ERR_BIRTHDATE,   &XML_ERR_FILE_ID, &XML_ERR_LIMIT_FLAG,
};

static void check_text(const char *s, size_t size)
{
    size_t len = strnlen(s, size);
    CHECK(len < size);
    CHECK(utf8_valid(s, len) && !text_has_control(s) && text_fits_cp932(s));
}

static void only_strings(json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, key, item) only_strings(item);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item) only_strings(item);
    } else {
        CHECK(json_is_string(v));
    }
}

static const char *header_item(json_t *o, const char *key)
{
    json_t *h = json_object_get(json_object_get(o, "XmlMsg"), "MessageHeader");
    return json_string_value(json_object_get(h, key));
}

static void answer(const struct xml_query *q, const struct xml_error *err)
{
    static const struct date today = {2026, 11, 24};
    struct test_person p;
    struct qual_result res = {0};
    struct xml_answer a = {.process_time = "20261124103000",
                           .reference_classification = "2",
                           .query = q,
                           .today = "20261124",
                           .institution_code = "1312345678",
                           .error = err,
                           .reference_number = "1"};
    if (!err && q->number[0] % 3 != 0) { /* some numbers find nobody */
        const struct qualification_type *t =
            &qualification_types[(unsigned char)q->number[0] % qualification_types_count];
        test_person_make(t, test_category_for_card(t), KIND_MEDICAL, "1312345678", &today,
                         (uint64_t)strlen(q->symbol), &p);
        struct qual_request rq = {.route = QUAL_BY_NUMBER,
                                  .today = today,
                                  .kind = KIND_MEDICAL,
                                  .assistance_on = q->branch[0] != '\0',
                                  .consents_on = (unsigned)q->number[1] & 31u,
                                  .consents_given = (unsigned)q->number[2] & 31u};
        qualification_evaluate(&p, &rq, &res);
        a.person = &p;
        a.result = &res;
        a.several = q->birthdate[0] == '\0';
        a.prescription_issue_select = (q->number[1] & 1) ? "1" : NULL;
        for (int i = 0; i < CONSENT__COUNT; i++)
            a.consents[i] = (struct xml_consent){(rq.consents_on >> i) & 1,
                                                 (rq.consents_given >> i) & 1, "20261124102959"};
    }
    json_t *o = xmlmsg_response(&a);
    CHECK(o != NULL);
    only_strings(o);
    const char *seg = header_item(o, "SegmentOfResult");
    CHECK(seg && strcmp(seg, err ? "9" : "1") == 0);
    if (err)
        CHECK(header_item(o, "ErrorCode") && strcmp(header_item(o, "ErrorCode"), err->code) == 0);
    const char *date = header_item(o, "QualificationConfirmationDate");
    CHECK(date && strcmp(date, q->date[0] ? q->date : "20261124") == 0);
    CHECK(header_item(o, "MedicalInstitutionCode") && header_item(o, "ProcessExecutionTime"));
    const char *fid = header_item(o, "ArbitraryFileIdentifier");
    CHECK(q->file_identifier[0] ? fid && strcmp(fid, q->file_identifier) == 0 : !fid);
    char *text = json_dumps(o, JSON_COMPACT);
    CHECK(text != NULL);
    free(text);
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = json_loadb((const char *)data, size, 0, NULL);
    if (!root)
        return 0;
    struct xml_query q;
    const struct xml_error *err = NULL;
    bool ok = xmlmsg_parse_request(root, &q, &err);
    /* The echoed header items are kept only when valid, whatever the outcome. */
    check_text(q.file_identifier, sizeof q.file_identifier);
    CHECK(!q.date[0] || text_is_digits(q.date, 8));
    CHECK(!q.institution_code[0] || text_is_digits(q.institution_code, 10));
    if (ok) {
        struct date d;
        CHECK(q.date[0] && q.institution_code[0]);
        CHECK(text_is_digits(q.insurer_number, 8) || text_is_digits(q.insurer_number, 6));
        check_text(q.symbol, sizeof q.symbol);
        check_text(q.number, sizeof q.number);
        CHECK(q.number[0] && q.number[0] != ' ');
        CHECK(!q.branch[0] || text_is_digits(q.branch, 2));
        CHECK(!q.birthdate[0] || date_parse(q.birthdate, &d));
        err = NULL;
    } else {
        bool listed = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            listed |= err == known[i];
        CHECK(listed);
    }
    answer(&q, err);
    json_decref(root);
    return 0;
}
