#include "api/medical_info.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/qualifications.h"
#include "core/medical_records.h"
#include "http/query.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/qualification.h"
#include "util/config.h"

struct view {
    const struct request *req;
    enum consent_item item;
    bool emergency;
    char serial[SERIAL_MAX_DIGITS + 1];
    const char *insurer, *symbol, *number, *branch;
    /* outcome */
    enum err_code refusal; /* ERR__COUNT: shown */
    struct found_person fp;
    struct test_person person;
    char consent_time[15];
};

static int view_tx(struct db *db, void *p)
{
    struct view *v = p;
    const char *code = v->req->principal.institution;
    struct qual_settings qs;
    found_person_free(&v->fp);
    v->refusal = ERR__COUNT;
    int rc = qualification_settings_load(db, code, &qs);
    if (rc < 0)
        return rc;
    if (!(qs.offered & CONSENT_BIT(v->item))) {
        v->refusal = ERR_MEDICAL_INFO_CATEGORY_NOT_USED;
        return 1;
    }
    int n = v->serial[0] ? store_qual_person_by_serial(db, code, v->serial, &v->fp)
                         : store_qual_person_by_number(db, code, v->insurer, v->symbol, v->number,
                                                       v->branch, &v->fp);
    if (n < 0)
        return n;
    if (n == 0 || n == 2) {
        v->refusal = n ? ERR_MEDICAL_INFO_PATIENT_AMBIGUOUS : ERR_MEDICAL_INFO_PATIENT_NOT_FOUND;
        return 1;
    }
    if (!test_person_from_json(v->fp.person, &v->person))
        return DB_HARD;
    if (v->person.type->self_info_restricted) {
        v->refusal = ERR_MEDICAL_INFO_RESTRICTED;
        return 1;
    }
    json_t *consents = NULL;
    if ((n = store_qual_consents(db, code, v->fp.id, &consents)) < 0)
        return n;
    json_t *c = json_object_get(consents, consent_item_id(v->item));
    v->consent_time[0] = '\0';
    if (json_is_string(c))
        snprintf(v->consent_time, sizeof v->consent_time, "%s", json_string_value(c));
    bool withdrawn = c && !json_is_string(c);
    json_decref(consents);
    /* 救急時 needs no consent, but a patient who withdrew one is never overridden. */
    if (withdrawn || (!v->emergency && !v->consent_time[0])) {
        v->refusal =
            withdrawn ? ERR_MEDICAL_INFO_CONSENT_WITHDRAWN : ERR_MEDICAL_INFO_CONSENT_MISSING;
        return 1;
    }
    const struct principal *w = &v->req->principal;
    const struct test_person *t = &v->person;
    struct view_row row = {w->user_id,
                           role_id(w->account_role),
                           t->has_insurance ? t->insurance.insurer_number
                                            : t->assistance.payer_number,
                           t->has_insurance && t->insurance.symbol[0] ? t->insurance.symbol : NULL,
                           t->has_insurance ? t->insurance.number : t->assistance.recipient_number,
                           t->has_insurance && t->insurance.branch[0] ? t->insurance.branch : NULL,
                           medical_history_category(v->item),
                           v->consent_time[0] ? "given" : "not_needed",
                           v->emergency ? "emergency" : "normal",
                           t->name,
                           t->name_kana};
    return request_is_head(v->req) ? 1 : store_view_insert(db, code, &row);
}

static json_t *patient(const struct test_person *t)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", t->name, "name_kana", t->name_kana, "sex",
                          t->sex, "birthdate", t->birthdate);
    if (t->has_insurance)
        json_object_set_new(o, "insurance",
                            json_pack("{s:s, s:s, s:s, s:s}", "insurer_number",
                                      t->insurance.insurer_number, "insured_card_symbol",
                                      t->insurance.symbol, "insured_number", t->insurance.number,
                                      "insured_branch_number", t->insurance.branch));
    if (t->has_assistance)
        json_object_set_new(o, "medical_assistance",
                            json_pack("{s:s, s:s}", "public_payer_number",
                                      t->assistance.payer_number, "recipient_number",
                                      t->assistance.recipient_number));
    return o;
}

enum MHD_Result api_medical_info_get(struct request *req)
{
    struct view v = {.req = req};
    const char *category = query_arg(req, "category");
    const char *serial = query_arg(req, "serial_number");
    v.insurer = query_arg(req, "insurer_number");
    v.number = query_arg(req, "insured_number");
    v.symbol = query_arg(req, "insured_card_symbol");
    v.branch = query_arg(req, "insured_branch_number");
    int emergency;
    if (!category)
        return reply_error(req, ERR_REQUEST_FIELD_MISSING, "category");
    if (!consent_item_parse(category, &v.item) || v.item == CONSENT_SPECIFIC_DISEASE)
        return reply_error(req, ERR_MEDICAL_INFO_CATEGORY_UNKNOWN, "category");
    if (!query_bool(req, "emergency", &emergency))
        return reply_error(req, ERR_REQUEST_FIELD_TYPE, "emergency");
    v.emergency = emergency == 1;
    /* 救急時医療情報閲覧 is for a person at the screen of a medical institution (not a
     * pharmacy, not a machine account). */
    if (v.emergency && (req->principal.account_role != ROLE_MEDICAL_VIEWER ||
                        req->principal.inst_kind == KIND_PHARMACY))
        return reply_error(req, ERR_MEDICAL_INFO_EMERGENCY_NOT_ALLOWED, "emergency");
    bool by_number = v.insurer && v.number;
    if (serial ? (v.insurer || v.number) : !by_number)
        return reply_error(req, ERR_MEDICAL_INFO_PATIENT_MISSING, NULL);
    if (serial && !test_serial_normalize(serial, v.serial))
        return reply_error(req, ERR_QUALIFICATION_SERIAL_NUMBER_INVALID, "serial_number");
    if (by_number && (strlen(v.insurer) > 8 || strlen(v.number) > 40))
        return reply_error(req, ERR_MEDICAL_INFO_PATIENT_NOT_FOUND, NULL);
    v.symbol = v.symbol ? v.symbol : "";
    v.branch = v.branch ? v.branch : "";
    if (!config_is_verification())
        return reply_error(req, ERR_MEDICAL_INFO_NO_UPSTREAM, NULL);
    struct db *db = db_thread();
    int rc = db_tx(db, "medical_info.view", DB_READ_COMMITTED, view_tx, &v);
    if (rc < 0 || v.refusal != ERR__COUNT) {
        found_person_free(&v.fp);
        return rc < 0 ? reply_db_failure(req, rc) : reply_error(req, v.refusal, NULL);
    }
    struct date today = date_today_jst(time(NULL));
    char given[26] = "";
    if (v.consent_time[0]) /* YYYYMMDDHHmmss in Japan → RFC 3339 */
        snprintf(given, sizeof given, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s+09:00", v.consent_time,
                 v.consent_time + 4, v.consent_time + 6, v.consent_time + 8, v.consent_time + 10,
                 v.consent_time + 12);
    json_t *body = json_pack("{s:o, s:s, s:s, s:o, s:o}", "patient", patient(&v.person), "category",
                             category, "method", v.emergency ? "emergency" : "normal",
                             "consent_given_at", given[0] ? json_string(given) : json_null(),
                             "records", medical_records(&v.person, v.item, &today));
    found_person_free(&v.fp);
    return reply_json_steal(req, MHD_HTTP_OK, body);
}
