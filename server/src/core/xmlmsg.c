#include "core/xmlmsg.h"

#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/text.h"

/* Our own codes: the real system's are not public. E1xxx the request, E9xxx the system. */
const struct xml_error
    XML_ERR_FORMAT = {"E1001", "要求電文の形式が正しくありません。"},
    XML_ERR_DATE = {"E1002", "資格確認日が正しくありません。"},
    XML_ERR_INSTITUTION = {"E1003", "医療機関コードが正しくありません。"},
    XML_ERR_OTHER_INSTITUTION = {"E1004", "医療機関コードがログイン中の医療機関等と一致しません。"},
    XML_ERR_INSURER = {"E1005", "保険者番号が正しくありません。"},
    XML_ERR_SYMBOL = {"E1006", "被保険者証記号が正しくありません。"},
    XML_ERR_NUMBER = {"E1007", "被保険者証番号が正しくありません。"},
    XML_ERR_BRANCH = {"E1008", "被保険者証枝番が正しくありません。"},
    XML_ERR_BIRTHDATE = {"E1009", "生年月日が正しくありません。"},
    XML_ERR_FILE_ID = {"E1010", "任意のファイル識別子が正しくありません。"},
    XML_ERR_LIMIT_FLAG = {"E1011", "限度額適用認定証関連情報提供同意フラグが正しくありません。"},
    XML_ERR_NO_UPSTREAM = {"E9001", "本番環境の上位システムに接続されていない"
                                    "ため、資格確認を実行できません。"},
    XML_ERR_SYSTEM = {"E9002", "システムエラーが発生しました。時間をおいて再度"
                               "実行してください。"};

enum field_status { FIELD_ABSENT, FIELD_OK, FIELD_BAD };

/* A string member without surrounding ASCII spaces, fitting `size` with its NUL. */
static enum field_status field(json_t *o, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get(o, key);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return FIELD_ABSENT;
    if (!json_is_string(v))
        return FIELD_BAD;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    while (len && *s == ' ')
        s++, len--;
    while (len && s[len - 1] == ' ')
        len--;
    if (len == 0)
        return FIELD_ABSENT;
    if (len >= size || memchr(s, '\0', len))
        return FIELD_BAD;
    memcpy(out, s, len);
    out[len] = '\0';
    /* Every value must also fit CP932: the histories are downloaded in it. */
    if (!utf8_valid(out, len) || text_has_control(out) || !text_fits_cp932(out))
        return FIELD_BAD;
    return FIELD_OK;
}

bool xml_insurer_number(const char *text, char out[9])
{
    if (text_is_digits(text, 8) && strncmp(text, "00", 2) == 0)
        text += 2; /* a 国民健康保険 number zero-padded to 8 */
    if (!text_is_digits(text, 8) && !text_is_digits(text, 6))
        return false;
    memcpy(out, text, strlen(text) + 1);
    return true;
}

/* YYYYMMDD naming a real day → YYYY-MM-DD. */
static bool compact_date(const char *in, char out[11])
{
    if (!text_is_digits(in, 8))
        return false;
    snprintf(out, 11, "%.4s-%.2s-%.2s", in, in + 4, in + 6);
    struct date d;
    return date_parse(out, &d);
}

static bool fail(const struct xml_error **err, const struct xml_error *e)
{
    *err = e;
    return false;
}

bool xmlmsg_parse_request(json_t *root, struct xml_query *q, const struct xml_error **err)
{
    memset(q, 0, sizeof *q);
    json_t *msg = json_object_get(root, "XmlMsg");
    json_t *head = json_object_get(msg, "MessageHeader");
    json_t *info =
        json_object_get(json_object_get(msg, "MessageBody"), "QualificationConfirmSearchInfo");
    if (!json_is_object(head))
        return fail(err, &XML_ERR_FORMAT);
    char text[64], iso[11];
    /* The echo first, so that even a refused request says which file and day it answers. */
    enum field_status fid =
        field(head, "ArbitraryFileIdentifier", q->file_identifier, sizeof q->file_identifier);
    bool inst_ok = field(head, "MedicalInstitutionCode", q->institution_code,
                         sizeof q->institution_code) == FIELD_OK &&
                   text_is_digits(q->institution_code, 10);
    bool date_ok =
        field(head, "QualificationConfirmationDate", q->date, sizeof q->date) == FIELD_OK &&
        compact_date(q->date, iso);
    if (fid == FIELD_BAD)
        q->file_identifier[0] = '\0';
    if (!inst_ok)
        q->institution_code[0] = '\0';
    if (!date_ok)
        q->date[0] = '\0';
    if (!json_is_object(info))
        return fail(err, &XML_ERR_FORMAT);
    if (fid == FIELD_BAD)
        return fail(err, &XML_ERR_FILE_ID);
    if (!inst_ok)
        return fail(err, &XML_ERR_INSTITUTION);
    if (!date_ok)
        return fail(err, &XML_ERR_DATE);
    /* 8 digits; shorter numbers (国民健康保険: 6) arrive space- or zero-padded. */
    if (field(info, "InsurerNumber", text, sizeof text) != FIELD_OK ||
        !xml_insurer_number(text, q->insurer_number))
        return fail(err, &XML_ERR_INSURER);
    if (field(info, "InsuredCardSymbol", q->symbol, sizeof q->symbol) == FIELD_BAD)
        return fail(err, &XML_ERR_SYMBOL);
    if (field(info, "InsuredIdentificationNumber", q->number, sizeof q->number) != FIELD_OK)
        return fail(err, &XML_ERR_NUMBER);
    enum field_status branch = field(info, "InsuredBranchNumber", q->branch, sizeof q->branch);
    if (branch == FIELD_BAD || (branch == FIELD_OK && !text_is_digits(q->branch, 2)))
        return fail(err, &XML_ERR_BRANCH);
    enum field_status birth = field(info, "Birthdate", text, sizeof text);
    if (birth == FIELD_BAD || (birth == FIELD_OK && !compact_date(text, q->birthdate)))
        return fail(err, &XML_ERR_BIRTHDATE);
    enum field_status flag = field(info, "LimitApplicationCertificateRelatedConsFlg", text, 8);
    if (flag == FIELD_BAD || (flag == FIELD_OK && strcmp(text, "0") != 0 && strcmp(text, "1") != 0))
        return fail(err, &XML_ERR_LIMIT_FLAG);
    return true;
}

static void set(json_t *o, const char *key, const char *value)
{
    if (value && value[0])
        json_object_set_new(o, key, json_string(value));
}

/* YYYY-MM-DD → YYYYMMDD. */
static void set_date(json_t *o, const char *key, const char *iso)
{
    if (!iso || strlen(iso) != 10)
        return;
    char d[9];
    snprintf(d, sizeof d, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
    set(o, key, d);
}

/* The consent flags of the items the institution offers. */
static void consent_flags(json_t *o, const struct xml_consent *c)
{
    static const struct {
        enum consent_item item;
        const char *flag, *time;
    } keys[] = {
        {CONSENT_DRUG, "PharmacistsInfoConsFlg", "PharmacistsInfoConsTime"},
        {CONSENT_CHECKUP, "SpecificHealthCheckupsInfoConsFlg",
         "SpecificHealthCheckupsInfoConsTime"},
        {CONSENT_MEDICAL, "DiagnosisInfoConsFlg", "DiagnosisInfoConsTime"},
        {CONSENT_SURGERY, "OperationInfoConsFlg", "OperationInfoConsTime"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct xml_consent *k = &c[keys[i].item];
        if (!k->offered)
            continue;
        set(o, keys[i].flag, k->given ? "1" : "0");
        if (k->given)
            set(o, keys[i].time, k->time);
    }
}

static json_t *personal(const struct test_person *p, const struct qual_result *r)
{
    json_t *o = json_object();
    set(o, "Name", p->name);
    set(o, "NameKana", p->name_kana);
    set(o, "Sex1", p->sex);
    set_date(o, "Birthdate", p->birthdate);
    if (r->show_address) {
        set(o, "Address", p->address);
        set(o, "PostNumber", p->postcode);
    }
    return o;
}

static json_t *insurance_result(const struct test_person *p, const struct qual_result *r)
{
    const struct test_insurance *i = &p->insurance;
    json_t *o = personal(p, r);
    set(o, "InsuredCardClassification", i->card_classification);
    set(o, "InsurerNumber", i->insurer_number);
    set(o, "InsuredCardSymbol", i->symbol);
    set(o, "InsuredIdentificationNumber", i->number);
    set(o, "InsuredBranchNumber", i->branch);
    set(o, "PersonalFamilyClassification", i->personal_family);
    set_date(o, "InsuredCardValidDate", i->valid_from);
    set_date(o, "InsuredCardExpirationDate", i->valid_until);
    set(o, "InsurerName", i->insurer_name);
    set(o, "QualificationValidity", r->insurance_validity == VALIDITY_VALID ? "1" : "2");
    if (r->show_subsidy) { /* 医療費助成 from PMH, beside the insurance it supplements */
        const struct test_subsidy *m = &p->subsidy;
        json_t *s = json_object();
        set(s, "PublicExpensePayerNumber", m->payer_number);
        set(s, "PublicExpenseRecipientNumber", m->recipient_number);
        set(s, "MedicalSubsidyName", m->name);
        set_date(s, "MedicalSubsidyValidDate", m->valid_from);
        set_date(s, "MedicalSubsidyExpirationDate", m->valid_until);
        set(s, "MedicalSubsidyValidity", r->subsidy_validity == VALIDITY_VALID ? "1" : "2");
        json_object_set_new(o, "MedicalSubsidyInfo", s);
    }
    return o;
}

/* 医療扶助: 公費負担者番号 and 受給者番号 in the insurer and number fields, the 福祉事務所 as
 * the insurer, and the 医療券 or 調剤券 of the month. */
static json_t *assistance_result(const struct test_person *p, const struct qual_result *r)
{
    const struct test_assistance *a = &p->assistance;
    json_t *o = personal(p, r);
    set(o, "InsuredCardClassification", "01");
    set(o, "InsurerNumber", a->payer_number);
    set(o, "InsuredIdentificationNumber", a->recipient_number);
    set_date(o, "InsuredCardValidDate", a->valid_from);
    set_date(o, "InsuredCardExpirationDate", a->valid_until);
    set(o, "InsurerName", a->welfare_office);
    set(o, "QualificationValidity", r->assistance_validity == VALIDITY_VALID ? "1" : "2");
    set(o, "PublicExpenseClassification", "12"); /* 法別番号 12: 生活保護法 医療扶助 */
    if (r->ticket != TICKET_NONE) {
        json_t *t = json_object();
        set(t, "TicketClassification", r->ticket == TICKET_MEDICAL ? "1" : "2");
        set(t, "TicketName", r->ticket == TICKET_MEDICAL ? "医療券" : "調剤券");
        set(t, "TicketNumber", a->ticket_number);
        set_date(t, "TicketValidDate", r->ticket_from);
        set_date(t, "TicketExpirationDate", r->ticket_until);
        json_object_set_new(o, "MedicalTicketInfo", t);
    }
    return o;
}

static json_t *body(const struct xml_answer *a)
{
    json_t *b = json_object();
    const struct qual_result *r = a->result;
    static const char *const validity[] = {"", "1", "2", "3", "4", "5"};
    if (a->several) {
        set(b, "ProcessingResultStatus", "1");
        set(b, "QualificationValidity", "5");
        set(b, "ProcessingResultMessage", "複数の資格情報が該当しました。");
        return b;
    }
    if (!a->person || !r || r->outcome == QUAL_NOT_AVAILABLE) {
        set(b, "ProcessingResultStatus", "1");
        set(b, "QualificationValidity", "4");
        set(b, "ProcessingResultMessage",
            r && r->message ? r->message : "該当する資格情報がありません。");
        return b;
    }
    if (r->outcome == QUAL_RESTRICTED || r->outcome == QUAL_REGISTRATION_TIMEOUT) {
        set(b, "ProcessingResultStatus", "2");
        set(b, "ProcessingResultCode", r->outcome == QUAL_RESTRICTED ? "W2001" : "W2002");
        set(b, "ProcessingResultMessage", r->message);
        return b;
    }
    set(b, "ProcessingResultStatus", "1");
    set(b, "ProcessingResultMessage", r->message);
    set(b, "QualificationValidity", validity[r->validity]);
    json_t *list = json_array();
    json_t *entries[2] = {r->show_insurance ? insurance_result(a->person, r) : NULL,
                          r->show_assistance ? assistance_result(a->person, r) : NULL};
    for (int i = 0; i < 2; i++) {
        if (!entries[i])
            continue;
        consent_flags(entries[i], a->consents);
        set(entries[i], "ReferenceNumber", a->reference_number);
        set(entries[i], "PrescriptionIssueSelect", a->prescription_issue_select);
        json_array_append_new(list,
                              json_pack("{s:o}", "ResultOfQualificationConfirmation", entries[i]));
    }
    json_object_set_new(b, "ResultList", list);
    return b;
}

json_t *xmlmsg_response(const struct xml_answer *a)
{
    json_t *h = json_object();
    const struct xml_query *q = a->query;
    set(h, "ProcessExecutionTime", a->process_time);
    set(h, "QualificationConfirmationDate", q && q->date[0] ? q->date : a->today);
    set(h, "MedicalInstitutionCode", a->institution_code);
    set(h, "ArbitraryFileIdentifier", q ? q->file_identifier : NULL);
    set(h, "ReferenceClassification", a->reference_classification);
    set(h, "SegmentOfResult", a->error ? "9" : "1");
    if (a->error) {
        set(h, "ErrorCode", a->error->code);
        set(h, "ErrorMessage", a->error->message);
    }
    set(h, "CharacterCodeIdentifier", "0");
    json_t *msg = json_pack("{s:o}", "MessageHeader", h);
    /* A refused request still has a body: clients read ProcessingResultStatus first. */
    json_object_set_new(msg, "MessageBody",
                        a->error ? json_pack("{s:s}", "ProcessingResultStatus", "2") : body(a));
    return json_pack("{s:o}", "XmlMsg", msg);
}
