#include "api/qualifications.h"

#include "api/readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/account.h"
#include "core/institution.h"
#include "core/qualification.h"
#include "core/settings.h"
#include "core/text.h"
#include "core/xmlmsg.h"
#include "http/input.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/qualification.h"
#include "store/settings.h"
#include "util/config.h"

static bool in_force_is(const struct settings_row *row, const char *id, const char *value)
{
    const char *v = setting_in_force_at(id, settings_row_stored(row, id), row->pmh_participant);
    return v && strcmp(v, value) == 0;
}

void qualification_settings_read(const struct settings_row *row, struct qual_settings *out)
{
    memset(out, 0, sizeof *out);
    qualification_settings_of(row, &out->assistance_on, &out->offered);
    enum institution_kind kind = KIND_MEDICAL;
    institution_kind_parse(row->kind, &kind);
    out->subsidy_on = row->pmh_participant && in_force_is(row, "medical_subsidy", "use");
    out->prescription_forms = settings_prescription_forms(
        kind,
        setting_in_force("eprescription_mode", settings_row_stored(row, "eprescription_mode")),
        setting_in_force("prescription_form_timing",
                         settings_row_stored(row, "prescription_form_timing")));
    out->pharmacy = kind == KIND_PHARMACY;
    out->eprescription = out->pharmacy && in_force_is(row, "eprescription", "use");
    out->refill = out->eprescription && in_force_is(row, "refill_prescription", "use");
}

int qualification_settings_load(struct db *db, const char *code, struct qual_settings *out)
{
    struct settings_row row;
    int rc = db_must_exist(store_settings_get(db, code, &row), "settings");
    if (rc < 0)
        return rc;
    qualification_settings_read(&row, out);
    settings_row_free(&row);
    return 1;
}

void qualification_settings_of(const struct settings_row *row, bool *assistance_on,
                               unsigned *consents_on)
{
    const char *a =
        setting_in_force("medical_assistance", settings_row_stored(row, "medical_assistance"));
    *assistance_on = strcmp(a, "use") == 0;
    *consents_on = 0;
    for (int i = 0; i < CONSENT__COUNT; i++) {
        const char *id = consent_item_setting((enum consent_item)i);
        if (strcmp(setting_in_force(id, settings_row_stored(row, id)), "use") == 0)
            *consents_on |= CONSENT_BIT(i);
    }
}

const char *qualification_route(enum role r)
{
    return r == ROLE_WEBAPI || r == ROLE_LINKED_APP || r == ROLE_FACE_READER ? role_id(r)
                                                                             : "screen";
}

/* Everything one check needs and produces, across its transaction. */
struct check {
    const struct principal *who; /* the signed-in account, or the reader's bound one */
    bool by_card;
    const char *serial;          /* card checks */
    unsigned consents_given;     /* card checks */
    unsigned consents_withdrawn; /* card checks: 同意取消 */
    bool not_given;              /* a withdrawal named an item not in force: nothing written */
    enum prescription_form form; /* the patient's choice, where the settings offer one */
    bool settings_read;          /* read once per check */
    struct qual_settings s;
    struct xml_query query;
    const struct xml_error *error;
    enum institution_kind kind;
    /* found */
    int found; /* 0 none, 1 one, 2 several */
    struct found_person fp;
    struct test_person person;
    struct qual_result result;
    struct xml_consent consents[CONSENT__COUNT];
    char reference[24];
};

static const char *validity_text(const struct check *c)
{
    static const char *const v[] = {"", "1", "2", "3", "4", "5"};
    if (c->error)
        return NULL;
    if (c->found == 2)
        return "5";
    if (c->found == 0)
        return "4";
    switch (c->result.outcome) {
    case QUAL_FOUND:
        return v[c->result.validity];
    case QUAL_NOT_AVAILABLE:
        return "4";
    default:
        return NULL; /* nothing was shown */
    }
}

static void consents_of(struct check *c, json_t *given)
{
    for (int i = 0; i < CONSENT__COUNT; i++) {
        struct xml_consent *k = &c->consents[i];
        json_t *t = json_object_get(given, consent_item_id((enum consent_item)i));
        k->offered = c->s.offered & CONSENT_BIT(i);
        k->given = json_is_string(t);
        snprintf(k->time, sizeof k->time, "%s", k->given ? json_string_value(t) : "");
    }
}

/* Finds the person and runs the engine; for a card, registers it and records consents. */
static int evaluate(struct db *db, struct check *c)
{
    const char *code = c->who->institution;
    c->found = c->by_card
                   ? store_qual_person_by_serial(db, code, c->serial, &c->fp)
                   : store_qual_person_by_number(db, code, c->query.insurer_number, c->query.symbol,
                                                 c->query.number, c->query.branch, &c->fp);
    if (c->found < 0)
        return c->found;
    if (c->found == 1 && !test_person_from_json(c->fp.person, &c->person))
        return DB_HARD;
    /* A birth date given that is not the person's: no such qualification. */
    if (c->found == 1 && c->query.birthdate[0] &&
        strcmp(c->query.birthdate, c->person.birthdate) != 0)
        c->found = 0;
    if (c->consents_withdrawn) { /* 同意取消, however each item was given */
        char items[CONSENT_ITEMS_LITERAL_SIZE];
        int asked = consent_items_literal(c->consents_withdrawn, items);
        int n = c->found == 1 ? store_consents_withdraw(db, code, c->serial, items) : 0;
        if (n < 0)
            return n;
        if ((c->not_given = n < asked))
            return DB_ABORT; /* not even the history row */
    }
    if (c->found != 1)
        return 1;
    struct qual_request rq = {c->by_card ? QUAL_BY_CARD : QUAL_BY_NUMBER,
                              date_today_jst(time(NULL)),
                              c->kind,
                              c->s.assistance_on,
                              c->s.offered,
                              c->consents_given,
                              c->fp.card_registered,
                              c->s.subsidy_on};
    qualification_evaluate(&c->person, &rq, &c->result);
    int rc = 1;
    if (c->by_card && c->result.card_registered && !c->fp.card_registered)
        rc = store_qual_card_registered(db, code, c->fp.id);
    for (int i = 0; rc > 0 && i < CONSENT__COUNT; i++)
        if (c->result.consents & CONSENT_BIT(i))
            rc = store_qual_consent_give(db, code, c->fp.id, consent_item_id((enum consent_item)i));
    json_t *given = NULL;
    if (rc > 0 && (rc = store_qual_consents(db, code, c->fp.id, &given)) > 0)
        consents_of(c, given);
    json_decref(given);
    return rc;
}

/* The numbers the history keeps: what was asked, or the card holder's. */
static void history_numbers(const struct check *c, struct check_row *w)
{
    if (!c->by_card) {
        w->insurer_number = c->query.insurer_number[0] ? c->query.insurer_number : NULL;
        w->symbol = c->query.symbol[0] ? c->query.symbol : NULL;
        w->number = c->query.number[0] ? c->query.number : NULL;
        w->branch = c->query.branch[0] ? c->query.branch : NULL;
    } else if (c->found == 1 && c->person.has_insurance) {
        const struct test_insurance *i = &c->person.insurance;
        w->insurer_number = i->insurer_number;
        w->symbol = i->symbol[0] ? i->symbol : NULL;
        w->number = i->number;
        w->branch = i->branch[0] ? i->branch : NULL;
    } else if (c->found == 1) {
        w->insurer_number = c->person.assistance.payer_number;
        w->number = c->person.assistance.recipient_number;
    }
}

static int check_tx(struct db *db, void *p)
{
    struct check *c = p;
    found_person_free(&c->fp);
    c->found = 0;
    memset(&c->result, 0, sizeof c->result);
    int rc = c->error ? 1 : evaluate(db, c);
    if (rc < 0)
        return rc;
    const struct principal *w = c->who;
    struct check_row row = {
        .account_id = w->user_id,
        .account_kind = role_id(w->account_role),
        .route = qualification_route(w->account_role),
        .reference_classification = c->by_card ? "1" : "2",
        .validity = validity_text(c),
        .file_identifier = c->query.file_identifier[0] ? c->query.file_identifier : NULL,
        .prescription_form = c->form && !c->error ? prescription_form_code(c->form) : NULL};
    history_numbers(c, &row);
    bool failed = c->error || (c->found == 1 && (c->result.outcome == QUAL_RESTRICTED ||
                                                 c->result.outcome == QUAL_REGISTRATION_TIMEOUT));
    row.result_status = failed ? "2" : "1";
    row.result_code = c->error                               ? c->error->code
                      : !failed                              ? NULL
                      : c->result.outcome == QUAL_RESTRICTED ? "W2001"
                                                             : "W2002";
    long long id;
    if ((rc = store_check_insert(db, w->institution, &row, &id)) < 0)
        return rc;
    snprintf(c->reference, sizeof c->reference, "%lld", id);
    return 1;
}

/* Runs the check on db and builds the XmlMsg answer (new reference). */
static json_t *run(struct db *db, struct check *c)
{
    char now[15];
    time_jst_compact(time(NULL), now);
    c->kind = c->who->inst_kind;
    if (!c->error && !c->settings_read) {
        c->settings_read = qualification_settings_load(db, c->who->institution, &c->s) > 0;
        if (!c->settings_read)
            c->error = &XML_ERR_SYSTEM; /* still recorded in the history */
    }
    int rc = db_tx(db, "qualifications.check", DB_READ_COMMITTED, check_tx, c);
    if (rc < 0) {
        /* Not even the history could be written: say so in the machine's own terms. */
        c->error = &XML_ERR_SYSTEM;
        c->found = 0;
    }
    char today[9];
    memcpy(today, now, 8);
    today[8] = '\0';
    struct xml_answer a = {.process_time = now,
                           .reference_classification = c->by_card ? "1" : "2",
                           .query = &c->query,
                           .today = today,
                           .institution_code = c->who->institution,
                           .error = c->error,
                           .person = c->found == 1 ? &c->person : NULL,
                           .result = c->found == 1 ? &c->result : NULL,
                           .reference_number = c->reference,
                           .several = c->found == 2,
                           .prescription_issue_select =
                               c->form && !c->error ? prescription_form_code(c->form) : NULL};
    memcpy(a.consents, c->consents, sizeof a.consents);
    json_t *o = xmlmsg_response(&a);
    found_person_free(&c->fp);
    return o;
}

static enum MHD_Result answer(struct request *req, struct check *c)
{
    return reply_json_steal(req, MHD_HTTP_OK, run(db_thread(), c));
}

/* The header a card check's answer echoes: today's date and the institution. */
static void card_header(struct check *c)
{
    struct date today = date_today_jst(time(NULL));
    char iso[11];
    date_format(&today, iso);
    snprintf(c->query.date, sizeof c->query.date, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
    snprintf(c->query.institution_code, sizeof c->query.institution_code, "%s",
             c->who->institution);
    if (!config_is_verification())
        c->error = &XML_ERR_NO_UPSTREAM;
}

json_t *qualification_card_as(struct db *db, const struct principal *who, const char *serial)
{
    struct check c = {.who = who, .by_card = true, .serial = serial};
    card_header(&c);
    return run(db, &c);
}

enum MHD_Result api_qualification_check(struct request *req)
{
    struct check c = {.who = &req->principal};
    json_error_t je;
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                              JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root))
        c.error = &XML_ERR_FORMAT;
    else if (!xmlmsg_parse_request(root, &c.query, &c.error))
        ;
    else if (strcmp(c.query.institution_code, req->principal.institution) != 0)
        c.error = &XML_ERR_OTHER_INSTITUTION;
    else if (!config_is_verification())
        c.error = &XML_ERR_NO_UPSTREAM;
    json_decref(root);
    return answer(req, &c);
}

int prescription_form_value(const char *id)
{
    enum prescription_form f;
    return prescription_form_parse(id, &f) ? (int)f : -1;
}

/* The patient's choice of prescription form (manual ch. 3 §3 ④) against what the settings
 * offer and, for a face_reader account, what its screens show: ERR__COUNT when it may stand. */
static enum err_code prescription_form_check(const struct in_enum *choice,
                                             const struct qual_settings *s, bool face_reader,
                                             bool form_shown, enum prescription_form *out)
{
    *out = PRESCRIPTION_NONE;
    if (!choice->set)
        return ERR__COUNT;
    *out = (enum prescription_form)choice->value;
    if (!s->prescription_forms)
        return ERR_QUALIFICATION_PRESCRIPTION_FORM_NOT_OFFERED;
    if (!(s->prescription_forms & PRESCRIPTION_FORM_BIT(*out)))
        return ERR_QUALIFICATION_PRESCRIPTION_FORM_NOT_ALLOWED;
    if (face_reader && !form_shown)
        return ERR_QUALIFICATION_SCREEN_NOT_SHOWN;
    return ERR__COUNT;
}

static bool is_face_reader(const struct principal *p)
{
    return p->account_role == ROLE_FACE_READER;
}

struct card_input {
    const char *serial_number;
    json_t *consents;
    json_t *withdrawn_consents;
    struct in_enum prescription_form;
};

/* Consent item ids → CONSENT_BITs; false on one that is not an item. */
static bool consent_bits(json_t *ids, unsigned *bits)
{
    size_t i;
    json_t *v;
    *bits = 0;
    json_array_foreach(ids, i, v)
    {
        enum consent_item item;
        if (!json_is_string(v) || !consent_item_parse(json_string_value(v), &item))
            return false;
        *bits |= CONSENT_BIT(item);
    }
    return true;
}

static const struct input_field card_fields[] = {
    IN_TEXT("serial_number", true, 1, 256, struct card_input, serial_number),
    IN_LIST("consents", false, CONSENT__COUNT, struct card_input, consents),
    IN_LIST("withdrawn_consents", false, CONSENT__COUNT, struct card_input, withdrawn_consents),
    IN_PARSED("prescription_form", false, prescription_form_value, struct card_input,
              prescription_form),
};

enum MHD_Result api_qualification_card(struct request *req)
{
    struct card_input in = {0};
    struct input_error e;
    if (!INPUT_PARSE(req->json, card_fields, &in, &e))
        return reply_error(req, e.code, e.field);
    char serial[SERIAL_MAX_DIGITS + 1];
    if (!test_serial_normalize(in.serial_number, serial))
        return reply_error(req, ERR_QUALIFICATION_SERIAL_NUMBER_INVALID, "serial_number");
    struct check c = {.who = &req->principal, .by_card = true, .serial = serial};
    if (!consent_bits(in.consents, &c.consents_given))
        return reply_error(req, ERR_QUALIFICATION_CONSENT_UNKNOWN, "consents");
    /* Withdrawing is never limited by the settings or the screens shown: a patient may take
     * back what an earlier setting let them give. */
    if (!consent_bits(in.withdrawn_consents, &c.consents_withdrawn))
        return reply_error(req, ERR_QUALIFICATION_CONSENT_UNKNOWN, "withdrawn_consents");
    if (c.consents_given & c.consents_withdrawn)
        return reply_error(req, ERR_QUALIFICATION_CONSENT_BOTH, "withdrawn_consents");
    struct db *db = db_thread();
    int rc = qualification_settings_load(db, req->principal.institution, &c.s);
    if (rc < 0)
        return reply_db_failure(req, rc);
    c.settings_read = true;
    if (c.consents_given & ~c.s.offered)
        return reply_error(req, ERR_QUALIFICATION_CONSENT_NOT_OFFERED, "consents");
    /* A face reader asks only what 顔認証付きカードリーダー環境設定 shows. */
    bool face_reader = is_face_reader(&req->principal), form_shown = false;
    unsigned shown = c.s.offered;
    if (face_reader &&
        (rc = reader_screens_shown(db, req->principal.institution, &shown, &form_shown)) < 0)
        return reply_db_failure(req, rc);
    if (c.consents_given & ~shown)
        return reply_error(req, ERR_QUALIFICATION_SCREEN_NOT_SHOWN, "consents");
    enum err_code bad =
        prescription_form_check(&in.prescription_form, &c.s, face_reader, form_shown, &c.form);
    if (bad != ERR__COUNT)
        return reply_error(req, bad, "prescription_form");
    card_header(&c);
    json_t *o = run(db, &c);
    if (c.not_given) {
        json_decref(o);
        return reply_error(req, ERR_QUALIFICATION_CONSENT_NOT_GIVEN, "withdrawn_consents");
    }
    return reply_json_steal(req, MHD_HTTP_OK, o);
}

/* The consent items as the screen asks them (manual ch. 3 §3 ③: the question each 利用する
 * item puts on 資格情報照会（マイナンバーカード）), in the order of enum consent_item. */
static const char *const consent_questions[CONSENT__COUNT] = {
    [CONSENT_DRUG] = "薬剤情報の閲覧を同意する",
    [CONSENT_MEDICAL] = "診療・薬剤情報の閲覧を同意する",
    [CONSENT_SURGERY] = "手術情報の閲覧を同意する",
    [CONSENT_CHECKUP] = "特定健診情報の閲覧を同意する",
    [CONSENT_SPECIFIC_DISEASE] = "特定疾病療養受療証情報を表示",
};

enum MHD_Result api_qualification_consents(struct request *req)
{
    struct qual_settings s;
    struct db *db = db_thread();
    int rc = qualification_settings_load(db, req->principal.institution, &s);
    if (rc < 0)
        return reply_db_failure(req, rc);
    /* For a face reader's own account: what its screens show (顔認証付きカードリーダー環境設定). */
    unsigned offered = s.offered;
    bool form_shown = true;
    if (is_face_reader(&req->principal) &&
        (rc = reader_screens_shown(db, req->principal.institution, &offered, &form_shown)) < 0)
        return reply_db_failure(req, rc);
    json_t *items = json_array();
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (offered & CONSENT_BIT(i))
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:b}", "id",
                                                   consent_item_id((enum consent_item)i), "label",
                                                   consent_item_label((enum consent_item)i),
                                                   "question", consent_questions[i], "medical_info",
                                                   i != CONSENT_SPECIFIC_DISEASE));
    /* ④ 処方箋の発行 (医科・歯科・訪看, 資格確認時に確認する): the forms the patient may choose. */
    json_t *forms = json_array();
    for (int f = PRESCRIPTION_ELECTRONIC; form_shown && f <= PRESCRIPTION_PAPER; f++)
        if (s.prescription_forms & PRESCRIPTION_FORM_BIT(f))
            json_array_append_new(
                forms,
                json_pack("{s:s, s:s, s:s}", "id", prescription_form_id((enum prescription_form)f),
                          "label", prescription_form_label((enum prescription_form)f), "code",
                          prescription_form_code((enum prescription_form)f)));
    json_t *o = json_pack("{s:o, s:b, s:b}", "consents", items, "medical_assistance",
                          s.assistance_on, "medical_subsidy", s.subsidy_on);
    json_object_set_new(o, "prescription_form",
                        json_pack("{s:b, s:s, s:o}", "offered", json_array_size(forms) > 0, "label",
                                  "処方箋の発行", "choices", forms));
    /* A pharmacy's 電子処方箋 and リフィル処方箋: what it may take from the 電子処方箋管理サービス.
     */
    json_object_set_new(
        o, "pharmacy_prescriptions",
        s.pharmacy ? json_pack("{s:b, s:b}", "eprescription", s.eprescription, "refill", s.refill)
                   : json_null());
    return reply_json_steal(req, MHD_HTTP_OK, o);
}

/* 資格情報照会（被保険者証）: the check by the numbers of an insurance card (or a prescription),
 * as a screen sends it. Every field is checked, and every problem named with its field. */
struct number_input {
    const char *insurer_number, *insured_card_symbol, *insured_number, *insured_branch_number,
        *birthdate;
    struct in_enum prescription_form;
};

static const struct input_field number_fields[] = {
    IN_TEXT("insurer_number", false, 0, 0, struct number_input, insurer_number),
    IN_TEXT("insured_card_symbol", false, 0, 0, struct number_input, insured_card_symbol),
    IN_TEXT("insured_number", false, 0, 0, struct number_input, insured_number),
    IN_TEXT("insured_branch_number", false, 0, 0, struct number_input, insured_branch_number),
    IN_TEXT("birthdate", false, 0, 0, struct number_input, birthdate),
    IN_PARSED("prescription_form", false, prescription_form_value, struct number_input,
              prescription_form),
};

enum { NUMBER_PROBLEMS_MAX = 6 };

struct number_problem {
    enum err_code code;
    const char *field;
};

struct number_problems {
    int n;
    struct number_problem p[NUMBER_PROBLEMS_MAX];
};

static void problem(struct number_problems *ps, enum err_code code, const char *field)
{
    if (ps->n < NUMBER_PROBLEMS_MAX)
        ps->p[ps->n++] = (struct number_problem){code, field};
}

/* 記号 and 番号 as the XmlMsg carries them: at most `size` - 1 bytes, printable, in CP932. */
static bool card_text(const char *s, size_t size)
{
    return strlen(s) < size && !text_has_control(s) && text_fits_cp932(s);
}

static const char *given(const char *s)
{
    return s && s[0] ? s : NULL;
}

/* The input → the query the XmlMsg route would have parsed; false with the problems. */
static bool number_query(const struct number_input *in, struct xml_query *q,
                         struct number_problems *ps)
{
    memset(q, 0, sizeof *q);
    const char *insurer = given(in->insurer_number), *symbol = given(in->insured_card_symbol),
               *number = given(in->insured_number), *branch = given(in->insured_branch_number),
               *birth = given(in->birthdate);
    /* 8 digits; 国民健康保険: 6 (also when zero-padded to 8, as the XmlMsg route takes it). */
    if (!insurer)
        problem(ps, ERR_REQUEST_FIELD_MISSING, "insurer_number");
    else if (!xml_insurer_number(insurer, q->insurer_number))
        problem(ps, ERR_QUALIFICATION_INSURER_NUMBER_INVALID, "insurer_number");
    if (symbol && !card_text(symbol, sizeof q->symbol))
        problem(ps, ERR_QUALIFICATION_INSURED_CARD_SYMBOL_INVALID, "insured_card_symbol");
    else if (symbol)
        snprintf(q->symbol, sizeof q->symbol, "%s", symbol);
    if (!number)
        problem(ps, ERR_REQUEST_FIELD_MISSING, "insured_number");
    else if (!card_text(number, sizeof q->number))
        problem(ps, ERR_QUALIFICATION_INSURED_NUMBER_INVALID, "insured_number");
    else
        snprintf(q->number, sizeof q->number, "%s", number);
    if (branch && !text_is_digits(branch, 2))
        problem(ps, ERR_QUALIFICATION_INSURED_BRANCH_NUMBER_INVALID, "insured_branch_number");
    else if (branch)
        snprintf(q->branch, sizeof q->branch, "%s", branch);
    struct date d, today = date_today_jst(time(NULL));
    if (!birth)
        problem(ps, ERR_REQUEST_FIELD_MISSING, "birthdate");
    else if (!date_parse(birth, &d) || d.year < 1900)
        problem(ps, ERR_QUALIFICATION_BIRTHDATE_INVALID, "birthdate");
    else if (date_compare(&d, &today) > 0)
        problem(ps, ERR_QUALIFICATION_BIRTHDATE_FUTURE, "birthdate");
    else
        date_format(&d, q->birthdate);
    return ps->n == 0;
}

enum MHD_Result api_qualification_insurance(struct request *req)
{
    struct number_input in = {0};
    struct input_error e;
    if (!INPUT_PARSE(req->json, number_fields, &in, &e))
        return reply_error(req, e.code, e.field);
    struct check c = {.who = &req->principal};
    struct number_problems ps = {0};
    if (!number_query(&in, &c.query, &ps)) {
        json_t *details = json_array();
        for (int i = 0; i < ps.n; i++)
            json_array_append_new(details,
                                  json_pack("{s:s, s:s, s:s}", "code",
                                            error_table[ps.p[i].code].code, "field", ps.p[i].field,
                                            "message", error_table[ps.p[i].code].message));
        return reply_error_details(req, ps.p[0].code, ps.p[0].field, details);
    }
    /* 処方箋の発行 shows on this screen too (manual ch. 3 §3 ④). */
    int rc = qualification_settings_load(db_thread(), req->principal.institution, &c.s);
    if (rc < 0)
        return reply_db_failure(req, rc);
    c.settings_read = true;
    enum err_code bad = prescription_form_check(&in.prescription_form, &c.s, false, true, &c.form);
    if (bad != ERR__COUNT)
        return reply_error(req, bad, "prescription_form");
    card_header(&c); /* today, this institution; E9001 in production */
    return answer(req, &c);
}
