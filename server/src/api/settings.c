#include "api/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/settings.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/settings.h"
#include "util/config.h"

static const char *const scope_ids[] = {"all", "clinic", "pharmacy"};

static json_t *strings(const char *const *list)
{
    json_t *a = json_array();
    for (; list && *list; list++)
        json_array_append_new(a, json_string(*list));
    return a;
}

/* When a dependent item may be chosen, in the manual's words, and what it keeps otherwise. */
static json_t *condition(const struct setting_item *it)
{
    if (!it->condition)
        return json_null();
    return json_pack("{s:s, s:o, s:s, s:s}", "item", it->depends_on, "values",
                     strings(it->condition->values), "otherwise", it->condition->otherwise, "text",
                     it->condition->text);
}

/* The sections of this kind's screen in order, with the manual's notes under each heading. */
static json_t *sections(enum institution_kind kind)
{
    json_t *out = json_array();
    for (size_t s = 0; s < setting_sections_count; s++) {
        bool used = false;
        for (size_t i = 0; i < setting_items_count && !used; i++)
            used = setting_applies(&setting_items[i], kind) &&
                   strcmp(setting_items[i].section, setting_sections[s].label) == 0;
        if (used)
            json_array_append_new(out, json_pack("{s:s, s:o}", "label", setting_sections[s].label,
                                                 "notes", strings(setting_sections[s].notes)));
    }
    return out;
}

/* What the console draws the screen from: the items of this kind of institution. An item
 * only for PMH participants is, elsewhere, restricted to its default with the reason. */
static json_t *catalogue(enum institution_kind kind, bool pmh_participant)
{
    json_t *items = json_array();
    for (size_t i = 0; i < setting_items_count; i++) {
        const struct setting_item *it = &setting_items[i];
        if (!setting_applies(it, kind))
            continue;
        json_t *choices = json_null();
        if (it->choices) {
            choices = json_array();
            for (const struct setting_choice *c = it->choices; c->id; c++)
                json_array_append_new(choices,
                                      json_pack("{s:s, s:s, s:b}", "id", c->id, "label", c->label,
                                                "default", strcmp(c->id, it->default_value) == 0));
        }
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b}", "id", it->id, "label", it->label,
                      "section", it->section, "choices", choices, "default", it->default_value,
                      "applies_to", scope_ids[it->scope], "needs_terms", it->needs_terms);
        json_object_set_new(o, "depends_on",
                            it->depends_on ? json_string(it->depends_on) : json_null());
        json_object_set_new(o, "condition", condition(it));
        json_object_set_new(o, "required", json_boolean(it->required));
        json_object_set_new(o, "notes", strings(it->notes));
        if (!it->choices)
            json_object_set_new(o, "max_length", json_integer(it->max_chars));
        json_object_set_new(
            o, "restriction",
            it->participants_only && !pmh_participant
                ? json_pack("{s:s, s:s}", "value", it->default_value, "text", it->restriction)
                : json_null());
        json_array_append_new(items, o);
    }
    return items;
}

/* The values in force: the manual's defaults, overlaid with what was saved. */
static json_t *effective(enum institution_kind kind, const struct settings_row *row)
{
    json_t *values = json_object();
    for (size_t i = 0; i < setting_items_count; i++) {
        const struct setting_item *it = &setting_items[i];
        if (!setting_applies(it, kind))
            continue;
        json_object_set_new(values, it->id,
                            json_string(setting_in_force_at(
                                it->id, settings_row_stored(row, it->id), row->pmh_participant)));
    }
    return values;
}

static bool load(struct request *req, struct settings_row *row, enum institution_kind *kind,
                 enum MHD_Result *reply)
{
    struct db *db = db_thread();
    int rc = db_must_exist(store_settings_get(db, req->principal.institution, row), "settings");
    if (rc > 0 && institution_kind_parse(row->kind, kind))
        return true;
    if (rc > 0) { /* a kind the schema's CHECK does not allow */
        settings_row_free(row);
        rc = db_must_exist(DB_NONE, "institution kind");
    }
    *reply = reply_db_failure(req, rc);
    return false;
}

static json_t *settings_body(const struct settings_row *row, enum institution_kind kind)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:O, s:i}", "values", effective(kind, row), "catalogue",
                          catalogue(kind, row->pmh_participant), "sections", sections(kind),
                          "related_institutions", row->related, "version", row->version);
    json_object_set_new(o, "updated_at",
                        row->updated_at[0] ? json_string(row->updated_at) : json_null());
    json_object_set_new(o, "updated_by",
                        row->updated_by[0] ? json_string(row->updated_by) : json_null());
    json_object_set_new(
        o, "terms",
        json_pack("{s:s, s:b}", "version", row->terms_version, "agreed", row->terms_agreed));
    json_object_set_new(o, "pmh_participant", json_boolean(row->pmh_participant));
    return o;
}

enum MHD_Result api_settings_get(struct request *req)
{
    struct settings_row row;
    enum institution_kind kind;
    enum MHD_Result ret;
    if (!load(req, &row, &kind, &ret))
        return ret;
    json_t *body = settings_body(&row, kind);
    settings_row_free(&row);
    return reply_json_steal(req, MHD_HTTP_OK, body);
}

/* A JSON object of strings as the checker's pairs (pointing into the object). */
static size_t pairs(json_t *o, struct setting_value *out, size_t max)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (n < max)
            out[n++] = (struct setting_value){key, json_is_string(v) ? json_string_value(v) : ""};
    }
    return n;
}

struct change {
    const struct request *req;
    const char *json;
    int version;
    const char *agree; /* the terms version agreed with this change, or NULL */
    json_t *diff;
};

static int change_tx(struct db *db, void *p)
{
    struct change *c = p;
    const struct principal *w = &c->req->principal;
    int rc = store_settings_save(db, w->institution, c->json, c->version, w->user_id);
    if (rc <= 0)
        return rc;
    if (c->agree && (rc = store_terms_agree(db, w->institution, c->agree, w->user_id)) < 0)
        return rc;
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "settings.update", NULL,
                            NULL, c->diff);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_settings_put(struct request *req)
{
    json_t *values = json_object_get(req->json, "values");
    json_t *version = json_object_get(req->json, "version");
    json_t *agreed = json_object_get(req->json, "terms_agreed");
    if (!values)
        return reply_error(req, ERR_REQUEST_FIELD_MISSING, "values");
    if (!json_is_object(values))
        return reply_error(req, ERR_REQUEST_FIELD_TYPE, "values");
    if (!version)
        return reply_error(req, ERR_REQUEST_FIELD_MISSING, "version");
    if (!json_is_integer(version) || json_integer_value(version) < 1 ||
        json_integer_value(version) > 2147483647)
        return reply_error(req, ERR_REQUEST_FIELD_TYPE, "version");
    if (agreed && !json_is_boolean(agreed))
        return reply_error(req, ERR_REQUEST_FIELD_TYPE, "terms_agreed");
    struct settings_row row;
    enum institution_kind kind;
    enum MHD_Result ret;
    if (!load(req, &row, &kind, &ret))
        return ret;
    json_t *current = effective(kind, &row);
    json_t *next = json_copy(current);
    const char *key;
    json_t *v;
    json_object_foreach(values, key, v) json_object_set(next, key, v);
    struct setting_value nv[64], cv[64];
    size_t nn = pairs(next, nv, 64), nc = pairs(current, cv, 64);
    struct setting_problem problems[SETTINGS_MAX_PROBLEMS];
    bool agreeing = json_is_true(agreed);
    int np = 0;
    json_object_foreach(values, key, v)
    {
        if (!json_is_string(v) && np < SETTINGS_MAX_PROBLEMS)
            problems[np++] = (struct setting_problem){ERR_SETTINGS_VALUE_INVALID, key};
    }
    if (np == 0 && json_object_size(next) > 64)
        problems[np++] = (struct setting_problem){ERR_SETTINGS_ITEM_UNKNOWN, "values"};
    if (np == 0)
        np = settings_check_for(kind, row.pmh_participant, nv, nn, cv, nc,
                                agreeing || row.terms_agreed, problems);
    if (np != 0) {
        char field[96];
        json_t *details = json_array();
        for (int i = 0; i < np; i++)
            json_array_append_new(details, json_pack("{s:s, s:s, s:s}", "code",
                                                     error_table[problems[i].code].code, "item",
                                                     problems[i].item, "message",
                                                     error_table[problems[i].code].message));
        snprintf(field, sizeof field, "values.%s", problems[0].item);
        ret = reply_error_details(req, problems[0].code, field, details);
    } else {
        json_t *diff = json_object();
        json_object_foreach(next, key, v)
        {
            json_t *before = json_object_get(current, key);
            if (!json_equal(before, v))
                json_object_set_new(diff, key,
                                    json_pack("{s:O, s:O}", "before", before, "after", v));
        }
        char *text = json_dumps(next, JSON_COMPACT | JSON_SORT_KEYS);
        struct change c = {req, text, (int)json_integer_value(version),
                           agreeing && !row.terms_agreed ? row.terms_version : NULL,
                           json_pack("{s:o}", "changes", diff)};
        struct db *db = db_thread();
        int rc = !text ? DB_HARD : db_tx(db, "settings.change", DB_READ_COMMITTED, change_tx, &c);
        free(text);
        json_decref(c.diff);
        if (rc == DB_NONE || rc == DB_CONFLICT)
            ret = reply_error(req, ERR_SETTINGS_VERSION_CONFLICT, "version");
        else if (rc < 0)
            ret = reply_db_failure(req, rc);
        else {
            struct settings_row saved;
            enum institution_kind k2;
            if (load(req, &saved, &k2, &ret)) {
                ret = reply_json_steal(req, MHD_HTTP_OK, settings_body(&saved, k2));
                settings_row_free(&saved);
            }
        }
    }
    json_decref(current);
    json_decref(next);
    settings_row_free(&row);
    return ret;
}

enum MHD_Result api_terms_get(struct request *req)
{
    char version[32], published[32];
    char *body;
    struct settings_row row;
    enum institution_kind kind;
    enum MHD_Result ret;
    if (!load(req, &row, &kind, &ret))
        return ret;
    bool agreed = row.terms_agreed; /* this institution, to the current version */
    settings_row_free(&row);
    struct db *db = db_thread();
    int rc = db_must_exist(store_terms_current(db, version, published, &body), "terms");
    if (rc < 0)
        return reply_db_failure(req, rc);
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "version", version, "published_at", published,
                          "body", body, "agreed", agreed);
    free(body);
    return reply_json_steal(req, MHD_HTTP_OK, o);
}
