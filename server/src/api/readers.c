#include "api/readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/qualifications.h"
#include "core/qualification.h"
#include "core/settings.h"
#include "http/input.h"
#include "http/reply.h"
#include "store/account.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/qualification.h"
#include "store/readers.h"
#include "store/settings.h"
#include "util/config.h"

enum MHD_Result api_readers_list(struct request *req)
{
    json_t *out;
    struct db *db = db_thread();
    int rc = store_readers_list(db, req->principal.institution,
                                config_current()->reader_visual_seconds, &out);
    if (rc < 0)
        return reply_db_failure(req, rc);
    return reply_json_steal(req, MHD_HTTP_OK, out);
}

/* The reader's 運用モード; stored as its id. */
static const struct in_choice modes[] = {{"unattended", 0}, {"pin_fixed", 1}, {NULL, 0}};

struct reader_input {
    struct in_enum mode;
    struct in_bool visual;
    const char *account;
    struct in_int version;
};

static const struct input_field reader_fields[] = {
    IN_CHOICE("mode", true, modes, struct reader_input, mode),
    IN_FLAG("visual_confirmation", true, struct reader_input, visual),
    IN_TEXT("account_user_id", false, 1, 16, struct reader_input, account),
    IN_NUMBER("version", true, 1, 2147483647, struct reader_input, version),
};

struct reader_change {
    const struct request *req;
    const char *name;
    struct reader_input in;
    int version;
    bool bad_account;
    bool exists;
};

static int reader_tx(struct db *db, void *p)
{
    struct reader_change *c = p;
    const struct principal *w = &c->req->principal;
    c->version = (int)c->in.version.value;
    if (c->in.account) { /* only a face_reader account of this institution binds a reader */
        struct account_row a;
        const struct config *cfg = config_current();
        struct account_policy policy = {cfg->lockout_threshold, cfg->initial_password_days,
                                        cfg->password_expiry_days};
        int n = store_account_get(db, w->institution, c->in.account, &policy, &a);
        if (n < 0)
            return n;
        enum role r;
        c->bad_account = n == 0 || !role_parse(a.role, &r) || r != ROLE_FACE_READER;
        if (n > 0)
            account_row_free(&a);
        if (c->bad_account)
            return 1;
    }
    int rc = store_reader_update(db, w->institution, c->name, c->in.mode.id, c->in.visual.value,
                                 c->in.account, &c->version, &c->exists);
    if (rc <= 0)
        return rc;
    json_t *d = json_pack("{s:s, s:b, s:o}", "mode", c->in.mode.id, "visual_confirmation",
                          c->in.visual.value, "account_user_id",
                          c->in.account ? json_string(c->in.account) : json_null());
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "reader.update", c->name,
                            NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_reader_update(struct request *req)
{
    struct reader_change c = {.req = req, .name = request_param(req, "name")};
    struct input_error e;
    if (!INPUT_PARSE(req->json, reader_fields, &c.in, &e))
        return reply_error(req, e.code, e.field);
    struct db *db = db_thread();
    int rc = db_tx(db, "readers.reader", DB_READ_COMMITTED, reader_tx, &c);
    if (rc < 0)
        return reply_db_failure(req, rc);
    if (c.bad_account)
        return reply_error(req, ERR_READER_ACCOUNT_INVALID, "account_user_id");
    if (rc == 0)
        return reply_error(req, c.exists ? ERR_READER_VERSION_CONFLICT : ERR_READER_NOT_FOUND,
                           c.exists ? "version" : NULL);
    return api_readers_list(req);
}

/* The screens: one per consent item (in the order of enum consent_item), and the
 * prescription-form choice; each with its name on the reader and the settings item that
 * allows it (the prescription form: 電子処方箋利用区分, or a pharmacy's 電子処方箋). */
static const struct {
    const char *id, *label, *setting;
} screens[] = {
    {"drug", "薬剤情報の閲覧同意", "consent_drug"},
    {"medical", "診療情報の閲覧同意", "consent_medical"},
    {"surgery", "手術情報の閲覧同意", "consent_surgery"},
    {"checkup", "特定健診情報の閲覧同意", "consent_checkup"},
    {"specific_disease", "特定疾病療養受療証の閲覧同意", "consent_specific_disease"},
    {"prescription_form", "処方箋の発行形態の選択", "eprescription_mode"},
};
enum { SCREENS = sizeof screens / sizeof screens[0] };
_Static_assert(SCREENS == CONSENT__COUNT + 1, "a screen per consent item and the form");

/* Which screens the settings allow: consent items turned on; the prescription form where a
 * check offers the choice (電子処方箋利用区分 not 利用しない and 発行形態選択タイミング 資格確認時;
 * a pharmacy issues no prescription, so its readers have no such screen). */
static int allowed(struct db *db, const char *code, bool out[SCREENS], bool *pharmacy,
                   struct qual_settings *qs)
{
    int rc = qualification_settings_load(db, code, qs);
    if (rc < 0)
        return rc;
    for (int i = 0; i < CONSENT__COUNT; i++)
        out[i] = qs->offered & CONSENT_BIT(i);
    *pharmacy = qs->pharmacy;
    out[SCREENS - 1] = qs->prescription_forms != 0;
    return 1;
}

/* Shown: allowed, and not turned off (unsaved: every allowed screen shown). */
static bool screen_shown(const bool allow[SCREENS], json_t *saved, size_t i)
{
    json_t *v = json_object_get(saved, screens[i].id);
    return allow[i] && (v ? json_is_true(v) : true);
}

static int shown_screens(struct db *db, const char *code, bool shown[SCREENS],
                         struct qual_settings *qs)
{
    bool allow[SCREENS], pharmacy;
    json_t *saved;
    int version;
    char at[32], by[17];
    int rc = allowed(db, code, allow, &pharmacy, qs);
    if (rc < 0 || (rc = store_reader_display_get(db, code, &saved, &version, at, by)) < 0)
        return rc;
    for (size_t i = 0; i < SCREENS; i++)
        shown[i] = screen_shown(allow, saved, i);
    json_decref(saved);
    return 1;
}

int reader_screens_shown(struct db *db, const char *code, unsigned *consents,
                         bool *prescription_form)
{
    bool shown[SCREENS];
    struct qual_settings qs;
    int rc = shown_screens(db, code, shown, &qs);
    if (rc < 0)
        return rc;
    *consents = 0;
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (shown[i])
            *consents |= CONSENT_BIT(i);
    *prescription_form = shown[SCREENS - 1];
    return 1;
}

json_t *reader_questions(struct db *db, const char *code)
{
    bool shown[SCREENS];
    struct qual_settings qs;
    if (shown_screens(db, code, shown, &qs) < 0)
        return NULL;
    json_t *out = json_array();
    for (size_t i = 0; i < SCREENS; i++) {
        if (!shown[i])
            continue;
        json_t *q = json_pack("{s:s, s:s}", "id", screens[i].id, "label", screens[i].label);
        if (i == SCREENS - 1) {
            json_t *choices = json_array();
            for (int f = PRESCRIPTION_ELECTRONIC; f <= PRESCRIPTION_PAPER; f++)
                if (qs.prescription_forms & PRESCRIPTION_FORM_BIT(f))
                    json_array_append_new(
                        choices, json_pack("{s:s, s:s}", "id",
                                           prescription_form_id((enum prescription_form)f), "label",
                                           prescription_form_label((enum prescription_form)f)));
            json_object_set_new(q, "choices", choices);
        }
        json_array_append_new(out, q);
    }
    return out;
}

static json_t *display_body(const bool allow[SCREENS], bool pharmacy, json_t *saved, int version,
                            const char *at, const char *by)
{
    json_t *items = json_array();
    for (size_t i = 0; i < SCREENS; i++) {
        if (pharmacy && i == SCREENS - 1)
            continue; /* a pharmacy issues no prescription: nothing to choose */
        /* Unsaved: every allowed screen shown. A screen no longer allowed is not shown. */
        bool shown = screen_shown(allow, saved, i);
        const struct setting_item *item = setting_find(screens[i].setting);
        json_t *screen =
            json_pack("{s:s, s:s, s:b, s:b, s:{s:s, s:s, s:s}}", "id", screens[i].id, "label",
                      screens[i].label, "allowed", allow[i], "shown", shown, "setting", "id",
                      screens[i].setting, "label", item->label, "section", item->section);
        /* What allows it, in the settings' words (the screen says so beside a disabled one). */
        char requirement[256];
        if (i == SCREENS - 1)
            snprintf(
                requirement, sizeof requirement,
                "「電子処方箋利用区分」を「利用しない」以外にし、「発行形態選択タイミング」を「資格"
                "確認時に確認する」にすると表示できます。");
        else
            snprintf(requirement, sizeof requirement, "「%s」を利用する設定にすると表示できます。",
                     item->label);
        json_object_set_new(screen, "requirement", json_string(requirement));
        json_array_append_new(items, screen);
    }
    json_t *o = json_pack("{s:o, s:i}", "screens", items, "version", version);
    json_object_set_new(o, "updated_at", at[0] ? json_string(at) : json_null());
    json_object_set_new(o, "updated_by", by[0] ? json_string(by) : json_null());
    return o;
}

enum MHD_Result api_reader_display_get(struct request *req)
{
    struct db *db = db_thread();
    bool allow[SCREENS], pharmacy;
    struct qual_settings qs;
    json_t *saved;
    int version;
    char at[32], by[17];
    int rc = allowed(db, req->principal.institution, allow, &pharmacy, &qs);
    if (rc < 0 || (rc = store_reader_display_get(db, req->principal.institution, &saved, &version,
                                                 at, by)) < 0)
        return reply_db_failure(req, rc);
    json_t *body = display_body(allow, pharmacy, saved, version, at, by);
    json_decref(saved);
    return reply_json_steal(req, MHD_HTTP_OK, body);
}

struct display_change {
    const struct request *req;
    const char *screens;
    int version;
};

/* The change and its audit row, together or not at all. */
static int display_tx(struct db *db, void *p)
{
    struct display_change *c = p;
    const struct principal *w = &c->req->principal;
    int rc = store_reader_display_save(db, w->institution, c->screens, c->version, w->user_id);
    if (rc <= 0)
        return rc;
    json_t *d = json_pack("{s:s}", "screens", c->screens);
    rc = store_audit_insert(db, w->institution, "account", w->user_id,
                            "reader.display_settings.update", NULL, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_reader_display_put(struct request *req)
{
    json_t *values = json_object_get(req->json, "screens");
    json_t *version = json_object_get(req->json, "version");
    const char *key;
    json_t *v;
    json_object_foreach(req->json, key, v)
    {
        if (strcmp(key, "screens") != 0 && strcmp(key, "version") != 0)
            return reply_error(req, ERR_REQUEST_UNKNOWN_FIELD, key);
    }
    if (!values || !version)
        return reply_error(req, ERR_REQUEST_FIELD_MISSING, !values ? "screens" : "version");
    if (!json_is_object(values))
        return reply_error(req, ERR_REQUEST_FIELD_TYPE, "screens");
    if (!json_is_integer(version) || json_integer_value(version) < 1 ||
        json_integer_value(version) > 2147483647)
        return reply_error(req, ERR_REQUEST_FIELD_TYPE, "version");
    struct db *db = db_thread();
    bool allow[SCREENS], pharmacy;
    struct qual_settings qs;
    int rc = allowed(db, req->principal.institution, allow, &pharmacy, &qs);
    if (rc < 0)
        return reply_db_failure(req, rc);
    json_t *clean = json_object();
    char field[64];
    json_object_foreach(values, key, v)
    {
        size_t i = 0;
        while (i < SCREENS && strcmp(screens[i].id, key) != 0)
            i++;
        enum err_code bad = i == SCREENS                   ? ERR_READER_SCREEN_UNKNOWN
                            : !json_is_boolean(v)          ? ERR_REQUEST_FIELD_TYPE
                            : json_is_true(v) && !allow[i] ? ERR_READER_SCREEN_NOT_ALLOWED
                                                           : ERR__COUNT;
        if (bad != ERR__COUNT) {
            json_decref(clean);
            snprintf(field, sizeof field, "screens.%s", key);
            return reply_error(req, bad, field);
        }
        json_object_set(clean, key, v);
    }
    char *text = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(clean);
    struct display_change c = {req, text, (int)json_integer_value(version)};
    rc = text ? db_tx(db, "readers.display", DB_READ_COMMITTED, display_tx, &c) : DB_HARD;
    free(text);
    if (rc < 0)
        return reply_db_failure(req, rc);
    if (rc == 0)
        return reply_error(req, ERR_READER_VERSION_CONFLICT, "version");
    return api_reader_display_get(req);
}

/* The patient's answers at the reader (its touch panel, through the reader's own face_reader
 * account): only to the screens the reader put after its last card, once. */
struct answers_input {
    json_t *consents;
    struct in_enum prescription_form;
};

static const struct input_field answers_fields[] = {
    IN_LIST("consents", true, CONSENT__COUNT, struct answers_input, consents),
    IN_PARSED("prescription_form", false, prescription_form_value, struct answers_input,
              prescription_form),
};

struct answering {
    const struct request *req;
    const char *name;
    struct answers_input in;
    enum err_code refusal; /* ERR__COUNT: none */
    const char *field;
    json_t *answers; /* what was recorded */
};

static json_t *question(json_t *questions, const char *id)
{
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        if (json_is_string(json_object_get(q, "id")) &&
            strcmp(json_string_value(json_object_get(q, "id")), id) == 0)
            return q;
    }
    return NULL;
}

static bool refuse(struct answering *a, enum err_code code, const char *field)
{
    a->refusal = code;
    a->field = field;
    return false;
}

/* Every answer names a question put, and a form among its choices. */
static bool answers_fit(struct answering *a, json_t *questions, unsigned *consents,
                        enum prescription_form *form)
{
    size_t i;
    json_t *v;
    *consents = 0;
    *form = PRESCRIPTION_NONE;
    json_array_foreach(a->in.consents, i, v)
    {
        enum consent_item item;
        if (!json_is_string(v) || !consent_item_parse(json_string_value(v), &item))
            return refuse(a, ERR_QUALIFICATION_CONSENT_UNKNOWN, "consents");
        if (!question(questions, json_string_value(v)))
            return refuse(a, ERR_READER_QUESTION_NOT_ASKED, "consents");
        *consents |= CONSENT_BIT(item);
    }
    if (!a->in.prescription_form.set)
        return true;
    *form = (enum prescription_form)a->in.prescription_form.value;
    json_t *q = question(questions, "prescription_form");
    if (!q || !question(json_object_get(q, "choices"), a->in.prescription_form.id))
        return refuse(a, ERR_READER_QUESTION_NOT_ASKED, "prescription_form");
    return true;
}

static int answers_tx(struct db *db, void *p)
{
    struct answering *a = p;
    const struct principal *w = &a->req->principal;
    json_decref(a->answers);
    a->answers = NULL;
    a->refusal = ERR__COUNT;
    json_t *last;
    char account[17];
    int rc = store_reader_last(db, w->institution, a->name, &last, account);
    if (rc <= 0) {
        if (rc == 0)
            refuse(a, ERR_READER_NOT_FOUND, NULL);
        return rc < 0 ? rc : 1;
    }
    json_t *questions = json_object_get(last, "questions");
    const char *result = json_string_value(json_object_get(last, "result"));
    const char *serial = json_string_value(json_object_get(last, "serial_number"));
    const char *ref = json_string_value(json_object_get(last, "reference_number"));
    unsigned consents;
    enum prescription_form form;
    struct found_person fp = {0};
    if (strcmp(account, w->user_id) != 0)
        refuse(a, ERR_READER_ANSWER_FORBIDDEN, NULL);
    else if (!result || strcmp(result, "checked") != 0 || !serial || !ref ||
             json_array_size(questions) == 0 || json_object_get(last, "answers"))
        refuse(a, ERR_READER_NO_QUESTIONS, NULL); // NOLINT(bugprone-branch-clone): two causes
    else if (answers_fit(a, questions, &consents, &form) &&
             (rc = store_qual_person_by_serial(db, w->institution, serial, &fp)) == 0)
        refuse(a, ERR_READER_NO_QUESTIONS, NULL); /* the card's test data went meanwhile */
    if (a->refusal != ERR__COUNT || rc < 0) {
        json_decref(last);
        found_person_free(&fp);
        return rc < 0 ? rc : 1;
    }
    json_t *given = json_array();
    for (int i = 0; rc > 0 && i < CONSENT__COUNT; i++)
        if (consents & CONSENT_BIT(i)) {
            rc = store_qual_consent_give(db, w->institution, fp.id,
                                         consent_item_id((enum consent_item)i));
            json_array_append_new(given, json_string(consent_item_id((enum consent_item)i)));
        }
    if (rc > 0 && form)
        rc = store_check_prescription_form(db, w->institution, strtoll(ref, NULL, 10),
                                           prescription_form_code(form));
    a->answers = json_pack("{s:o, s:o}", "consents", given, "prescription_form",
                           form ? json_string(prescription_form_id(form)) : json_null());
    if (rc > 0)
        rc = store_reader_answered(db, w->institution, a->name, a->answers);
    if (rc > 0)
        rc = store_audit_insert(db, w->institution, "account", w->user_id, "reader.answers",
                                a->name, NULL, a->answers);
    json_decref(last);
    found_person_free(&fp);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_reader_answers(struct request *req)
{
    struct answering a = {.req = req, .name = request_param(req, "name"), .refusal = ERR__COUNT};
    if (req->principal.account_role != ROLE_FACE_READER)
        return reply_error(req, ERR_READER_ANSWER_FORBIDDEN, NULL);
    struct input_error e;
    if (!INPUT_PARSE(req->json, answers_fields, &a.in, &e))
        return reply_error(req, e.code, e.field);
    struct db *db = db_thread();
    int rc = db_tx(db, "readers.answers", DB_READ_COMMITTED, answers_tx, &a);
    if (rc < 0) {
        json_decref(a.answers);
        return reply_db_failure(req, rc);
    }
    if (a.refusal != ERR__COUNT) {
        json_decref(a.answers);
        return reply_error(req, a.refusal, a.field);
    }
    json_t *last = NULL;
    char account[17];
    rc = store_reader_last(db, req->principal.institution, a.name, &last, account);
    if (rc <= 0 || !last) { /* just written */
        json_decref(a.answers);
        json_decref(last);
        return reply_db_failure(req, db_must_exist(rc < 0 ? rc : DB_NONE, "reader last result"));
    }
    json_decref(a.answers);
    return reply_json_steal(req, MHD_HTTP_OK,
                            json_pack("{s:s, s:o}", "name", a.name, "last_result", last));
}
