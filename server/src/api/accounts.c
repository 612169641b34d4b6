#include "api/accounts.h"

#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/account_draft.h"
#include "core/date.h"
#include "http/input.h"
#include "http/query.h"
#include "http/reply.h"
#include "store/account.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/session.h"
#include "util/config.h"
#include "util/secret.h"

static struct account_policy current_policy(void)
{
    const struct config *c = config_current();
    return (struct account_policy){c->lockout_threshold, c->initial_password_days,
                                   c->password_expiry_days};
}

static json_t *nullable(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *account_json(const struct account_row *a)
{
    enum role r = ROLE_GENERAL;
    role_parse(a->role, &r);
    const char *state = a->password_is_initial ? "initial"
                        : a->password_expired  ? "expired"
                                               : "active";
    /* System accounts' chosen passwords never expire. */
    bool expires = a->password_is_initial || role_is_human(r);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "user_id", a->user_id,
                  "role", a->role, "role_label", role_label(r), "name", a->name, "name_kana",
                  a->name_kana, "start_date", a->start_date, "end_date", a->end_date, "enabled",
                  a->enabled, "locked", a->locked, "password_state", state);
    json_object_set_new(o, "password_expires_at",
                        expires ? json_string(a->password_expires_at) : json_null());
    json_object_set_new(o, "last_login_at", nullable(a->last_login_at));
    json_object_set_new(o, "created_at", json_string(a->created_at));
    json_object_set_new(o, "updated_at", json_string(a->updated_at));
    json_object_set_new(o, "version", json_integer(a->version));
    return o;
}

/* The kinds an account may be registered as (the two master kinds come with the
 * institution). */
static int registrable_role(const char *id)
{
    enum role r;
    return role_parse(id, &r) && role_registrable(r) ? (int)r : -1;
}

struct create_input {
    struct in_enum role;
    const char *user_id;
    const char *name;
    const char *name_kana;
    const char *start_date;
    const char *end_date;
};

static const struct input_field create_fields[] = {
    IN_PARSED("role", true, registrable_role, struct create_input, role),
    IN_TEXT("user_id", true, 1, 16, struct create_input, user_id),
    IN_TEXT("name", true, 1, 64, struct create_input, name),
    IN_TEXT("name_kana", true, 1, 128, struct create_input, name_kana),
    IN_DAY("start_date", true, struct create_input, start_date),
    IN_DAY("end_date", false, struct create_input, end_date),
};

struct create {
    const struct request *req;
    const struct create_input *in;
    const char *name, *kana, *end;
    char *hash;
};

static int create_tx(struct db *db, void *p)
{
    struct create *c = p;
    const struct principal *w = &c->req->principal;
    int rc = store_account_insert(db, w->institution, c->in->user_id, c->in->role.id, c->name,
                                  c->kana, c->in->start_date, c->end, c->hash);
    if (rc < 0)
        return rc;
    json_t *d =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", c->in->role.id, "name", c->name, "name_kana",
                  c->kana, "start_date", c->in->start_date, "end_date", c->end);
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "account.create",
                            c->in->user_id, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_account_create(struct request *req)
{
    struct create_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, create_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    enum role target = (enum role)in.role.value, me = req->principal.account_role;
    enum institution_kind kind = req->principal.inst_kind;
    if (!role_manages(me, target))
        return reply_error(req, ERR_AUTH_FORBIDDEN, "role");
    const char *end = in.end_date ? in.end_date : "9999-12-31";
    struct account_draft draft = {target, in.user_id, in.name, in.name_kana, {0}, {0}};
    date_parse(in.start_date, &draft.start);
    date_parse(end, &draft.end);
    struct account_names names;
    struct account_problem problems[ACCOUNT_MAX_PROBLEMS];
    /* The rules bulk registration applies too (core/account_draft.h); the first problem
     * answers. */
    if (account_draft_check(&draft, me, kind, &names, problems) > 0)
        return reply_error(req, problems[0].code, problems[0].field);
    char *name = names.name, *kana = names.name_kana;
    enum MHD_Result ret;
    /* A server-generated initial password: ≥96 random bits, so the fast hash suffices and
     * no hashing worker is needed (util/secret.h). */
    char password[INITIAL_PASSWORD_LEN + 1];
    struct create c = {req, &in, name, kana, end, NULL};
    if (secret_initial_password(password) != 0 || !(c.hash = secret_hash_initial(password))) {
        ret = reply_error(req, ERR_SERVER_INTERNAL, NULL);
        goto out;
    }
    struct db *db = db_thread();
    int rc = db_tx(db, "accounts.create", DB_READ_COMMITTED, create_tx, &c);
    free(c.hash);
    struct account_row row;
    struct account_policy policy = current_policy();
    if (rc == DB_CONFLICT)
        ret = reply_error(req, ERR_ACCOUNT_USER_ID_TAKEN, "user_id");
    else if (rc < 0 || (rc = store_account_get(db, req->principal.institution, in.user_id, &policy,
                                               &row)) < 0)
        ret = reply_db_failure(req, rc);
    else if (rc == 0) /* deleted by another administrator since */
        ret = reply_error(req, ERR_ACCOUNT_NOT_FOUND, NULL);
    else {
        json_t *body =
            json_pack("{s:o, s:s}", "account", account_json(&row), "initial_password", password);
        account_row_free(&row);
        ret = reply_json_steal(req, MHD_HTTP_CREATED, body);
    }
    secret_wipe(password, sizeof password);
out:
    free(name);
    free(kana);
    return ret;
}

enum MHD_Result api_account_get(struct request *req)
{
    struct account_row row;
    enum MHD_Result ret;
    /* Accounts the caller may not find look exactly like ones that do not exist. */
    if (!accounts_load_target(req, request_param(req, "user_id"), role_finds, &row, &ret))
        return ret;
    json_t *body = json_pack("{s:o}", "account", account_json(&row));
    account_row_free(&row);
    return reply_json_steal(req, MHD_HTTP_OK, body);
}

/* A text[] literal ("{admin,general}") of the kinds `pick` accepts; `only`, when not NULL,
 * narrows it to that one kind. */
static void role_set(char out[128], bool (*pick)(enum role me, enum role r), enum role me,
                     const enum role *only)
{
    strcpy(out, "{");
    for (int r = 0; r < ROLE__COUNT; r++)
        if (pick(me, (enum role)r) && (!only || (enum role)r == *only)) {
            if (out[1])
                strcat(out, ",");
            strcat(out, role_id((enum role)r));
        }
    strcat(out, "}");
}

static bool human(enum role me, enum role r)
{
    (void)me;
    return role_is_human(r);
}

static const char *const password_states[] = {"initial", "expired", "active", NULL};
static const char *const account_sorts[] = {
    "user_id",  "-user_id",  "name_kana",     "-name_kana",     "start_date", "-start_date",
    "end_date", "-end_date", "last_login_at", "-last_login_at", NULL};

static bool one_of(const char *v, const char *const *choices)
{
    for (; *choices; choices++)
        if (strcmp(*choices, v) == 0)
            return true;
    return false;
}

enum MHD_Result api_account_list(struct request *req)
{
    enum role me = req->principal.account_role;
    /* The kinds the caller may find, narrowed by ?role=. */
    char roles[128], humans[128];
    const char *want = query_arg(req, "role");
    enum role wanted;
    if (want && !role_parse(want, &wanted))
        return reply_error(req, ERR_REQUEST_FIELD_RANGE, "role");
    role_set(roles, role_finds, me, want ? &wanted : NULL);
    role_set(humans, human, me, NULL);

    struct account_filter f = {.roles = roles,
                               .human_roles = humans,
                               .user_id = query_arg(req, "user_id"),
                               .password_state = query_arg(req, "password_state"),
                               .password_expires_before = query_arg(req, "password_expires_before"),
                               .last_login_before = query_arg(req, "last_login_before"),
                               .sort = query_arg(req, "sort") ? query_arg(req, "sort") : "user_id"};
    int page, per_page;
    struct date d;
    const char *bad = NULL;
    enum err_code code = ERR_REQUEST_FIELD_RANGE;
    f.start_from = query_arg(req, "start_from");
    f.end_until = query_arg(req, "end_until");
    if (!query_bool(req, "enabled", &f.enabled))
        bad = "enabled", code = ERR_REQUEST_FIELD_TYPE;
    else if (!query_bool(req, "locked", &f.locked))
        bad = "locked", code = ERR_REQUEST_FIELD_TYPE;
    else if (f.password_state && !one_of(f.password_state, password_states))
        bad = "password_state";
    else if (!one_of(f.sort, account_sorts))
        bad = "sort";
    else if (!query_int(req, "page", 1, 1, 100000, &page))
        bad = "page";
    else if (!query_int(req, "per_page", 20, 1, 100, &per_page))
        bad = "per_page";
    else if (f.user_id && strlen(f.user_id) > 16)
        bad = "user_id";
    const struct {
        const char *name, *value;
    } dates[] = {{"start_from", f.start_from},
                 {"end_until", f.end_until},
                 {"password_expires_before", f.password_expires_before},
                 {"last_login_before", f.last_login_before}};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0] && !bad; i++)
        if (dates[i].value && !date_parse(dates[i].value, &d))
            bad = dates[i].name, code = ERR_REQUEST_FIELD_DATE;
    if (bad)
        return reply_error(req, code, bad);
    /* Names are searched as they are stored: full-width. */
    char *name = query_arg(req, "name") ? account_name_normalise(query_arg(req, "name")) : NULL;
    char *kana =
        query_arg(req, "name_kana") ? account_name_normalise(query_arg(req, "name_kana")) : NULL;
    if ((query_arg(req, "name") && !name) || (query_arg(req, "name_kana") && !kana)) {
        free(name);
        free(kana);
        return reply_error(req, ERR_REQUEST_BAD_ENCODING, name ? "name_kana" : "name");
    }
    f.name = name;
    f.name_kana = kana;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    struct account_policy policy = current_policy();
    struct account_row *rows;
    int n;
    long total;
    struct db *db = db_thread();
    int rc = store_account_list(db, req->principal.institution, &f, &policy, &rows, &n, &total);
    free(name);
    free(kana);
    if (rc < 0)
        return reply_db_failure(req, rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, account_json(&rows[i]));
    account_rows_free(rows, n);
    return reply_json_steal(req, MHD_HTTP_OK,
                            json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
                                      (json_int_t)total, "page", page, "per_page", per_page));
}

/* 1 with *row filled when the caller may act on the account (`allowed`), DB_NONE when it may
 * not, it is absent, deleted or of another tenant; <0 on a database error. */
static int load_target(struct request *req, const char *user_id,
                       bool (*allowed)(enum role, enum role), struct account_row *row)
{
    enum role target;
    struct account_policy policy = current_policy();
    struct db *db = db_thread();
    int rc = store_account_get(db, req->principal.institution, user_id, &policy, row);
    if (rc <= 0)
        return rc;
    if (role_parse(row->role, &target) && allowed(req->principal.account_role, target))
        return 1;
    account_row_free(row);
    return DB_NONE;
}

bool accounts_load_target(struct request *req, const char *user_id,
                          bool (*allowed)(enum role, enum role), struct account_row *row,
                          enum MHD_Result *reply)
{
    int rc = load_target(req, user_id, allowed, row);
    if (rc > 0)
        return true;
    *reply = rc < 0 ? reply_db_failure(req, rc) : reply_error(req, ERR_ACCOUNT_NOT_FOUND, NULL);
    return false;
}

struct patch_input {
    const char *name;
    const char *name_kana;
    struct in_bool enabled;
    const char *start_date;
    const char *end_date;
    struct in_int version;
};

static const struct input_field patch_fields[] = {
    IN_TEXT("name", false, 1, 64, struct patch_input, name),
    IN_TEXT("name_kana", false, 1, 128, struct patch_input, name_kana),
    IN_FLAG("enabled", false, struct patch_input, enabled),
    IN_DAY("start_date", false, struct patch_input, start_date),
    IN_DAY("end_date", false, struct patch_input, end_date),
    IN_NUMBER("version", true, 1, 2147483647, struct patch_input, version),
};

struct patch {
    const struct request *req;
    const char *user_id;
    struct account_change change;
    json_t *details;
};

static int patch_tx(struct db *db, void *p)
{
    struct patch *x = p;
    const struct principal *w = &x->req->principal;
    int rc = store_account_update(db, w->institution, x->user_id, &x->change);
    if (rc <= 0)
        return rc;
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "account.update", x->user_id,
                            NULL, x->details);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_account_update(struct request *req)
{
    struct patch_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, patch_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    struct account_row row;
    enum MHD_Result ret;
    if (!accounts_load_target(req, request_param(req, "user_id"), role_manages, &row, &ret))
        return ret;
    struct date ds, de;
    date_parse(in.start_date ? in.start_date : row.start_date, &ds);
    date_parse(in.end_date ? in.end_date : row.end_date, &de);
    char *name = in.name ? account_name_normalise(in.name) : NULL;
    char *kana = in.name_kana ? account_name_normalise(in.name_kana) : NULL;
    enum err_code e;
    char version[24];
    snprintf(version, sizeof version, "%ld", in.version.value);
    struct patch x = {
        req, row.user_id, {name, kana, NULL, in.start_date, in.end_date, version}, json_object()};
    if (date_compare(&de, &ds) < 0)
        ret = reply_error(req, ERR_ACCOUNT_DATE_ORDER, "end_date");
    else if (in.name && (!name || !account_name_check(name, &e)))
        ret = reply_error(req, name ? e : ERR_ACCOUNT_NAME_CHARSET, "name");
    else if (in.name_kana && (!kana || !account_name_kana_check(kana, &e)))
        ret = reply_error(req, kana ? e : ERR_ACCOUNT_NAME_KANA_CHARSET, "name_kana");
    else {
        if (in.enabled.set)
            x.change.enabled = in.enabled.value ? "true" : "false";
        /* The audit keeps before and after of what the request changed. */
        const struct {
            const char *field, *before, *after;
        } diff[] = {{"name", row.name, name},
                    {"name_kana", row.name_kana, kana},
                    {"enabled", row.enabled ? "true" : "false", x.change.enabled},
                    {"start_date", row.start_date, in.start_date},
                    {"end_date", row.end_date, in.end_date}};
        for (size_t i = 0; i < sizeof diff / sizeof diff[0]; i++)
            if (diff[i].after)
                json_object_set_new(
                    x.details, diff[i].field,
                    json_pack("{s:s, s:s}", "before", diff[i].before, "after", diff[i].after));
        struct db *db = db_thread();
        int rc = db_tx(db, "accounts.patch", DB_READ_COMMITTED, patch_tx, &x);
        struct account_row updated;
        struct account_policy policy = current_policy();
        if (rc == DB_NONE)
            ret = reply_error(req, ERR_ACCOUNT_VERSION_CONFLICT, "version");
        else if (rc < 0 || (rc = store_account_get(db, req->principal.institution, row.user_id,
                                                   &policy, &updated)) < 0)
            ret = reply_db_failure(req, rc);
        else if (rc == 0) /* deleted by another administrator since */
            ret = reply_error(req, ERR_ACCOUNT_NOT_FOUND, NULL);
        else {
            ret = reply_json_steal(req, MHD_HTTP_OK,
                                   json_pack("{s:o}", "account", account_json(&updated)));
            account_row_free(&updated);
        }
    }
    json_decref(x.details);
    free(name);
    free(kana);
    account_row_free(&row);
    return ret;
}

struct simple_change {
    const struct request *req;
    const char *user_id;
    const char *hash;
    const char *version; /* delete: NULL for any */
    char expires_at[32];
};

static int delete_tx(struct db *db, void *p)
{
    struct simple_change *x = p;
    const struct principal *w = &x->req->principal;
    int rc = store_account_delete(db, w->institution, x->user_id, x->version);
    if (rc <= 0)
        return rc;
    json_t *d = json_object();
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "account.delete", x->user_id,
                            NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_account_delete(struct request *req)
{
    struct account_row row;
    enum MHD_Result ret;
    if (!accounts_load_target(req, request_param(req, "user_id"), role_manages, &row, &ret))
        return ret;
    struct simple_change x = {.req = req, .user_id = row.user_id};
    struct db *db = db_thread();
    int rc = db_tx(db, "accounts.delete", DB_READ_COMMITTED, delete_tx, &x);
    account_row_free(&row);
    if (rc == DB_NONE)
        return reply_error(req, ERR_ACCOUNT_NOT_FOUND, NULL);
    if (rc < 0)
        return reply_db_failure(req, rc);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    return r ? reply_response(req, MHD_HTTP_NO_CONTENT, r) : MHD_NO;
}

/* POST /api/v1/accounts/batch: the console's bulk actions on search results. */
enum batch_action { BATCH_ENABLE, BATCH_DISABLE, BATCH_DELETE };
static const struct in_choice batch_actions[] = {
    {"enable", BATCH_ENABLE}, {"disable", BATCH_DISABLE}, {"delete", BATCH_DELETE}, {NULL, 0}};

struct batch_input {
    struct in_enum action;
    json_t *accounts;
};

static const struct input_field batch_fields[] = {
    IN_CHOICE("action", true, batch_actions, struct batch_input, action),
    IN_LIST("accounts", true, 100, struct batch_input, accounts),
};

struct batch_item {
    const char *user_id;
    struct in_int version;
};

static const struct input_field batch_item_fields[] = {
    IN_TEXT("user_id", true, 1, 16, struct batch_item, user_id),
    IN_NUMBER("version", true, 1, 2147483647, struct batch_item, version),
};

/* A 400 naming the item: accounts[3].version. */
static enum MHD_Result reply_item_error(struct request *req, enum err_code code, size_t i,
                                        const char *field)
{
    char name[48];
    snprintf(name, sizeof name, field ? "accounts[%zu].%s" : "accounts[%zu]", i, field);
    return reply_error(req, code, name);
}

static json_t *batch_result(const char *user_id, const char *status, json_t *account,
                            enum err_code error)
{
    json_t *o = json_pack("{s:s, s:s}", "user_id", user_id, "status", status);
    if (account)
        json_object_set_new(o, "account", account);
    if (error != ERR__COUNT)
        json_object_set_new(o, "error",
                            json_pack("{s:s, s:s}", "code", error_table[error].code, "message",
                                      error_table[error].message));
    return o;
}

/* One account, in its own transaction with its version check, exactly as PATCH (enabled)
 * or DELETE would change and audit it. */
static json_t *batch_apply(struct request *req, enum batch_action action,
                           const struct batch_item *it)
{
    struct account_row row;
    int rc = load_target(req, it->user_id, role_manages, &row);
    if (rc == 0)
        return batch_result(it->user_id, "not_found", NULL, ERR_ACCOUNT_NOT_FOUND);
    if (rc < 0)
        return batch_result(it->user_id, "error", NULL, db_failure_code(rc));
    char version[24];
    snprintf(version, sizeof version, "%ld", it->version.value);
    struct db *db = db_thread();
    bool removing = action == BATCH_DELETE;
    if (removing) {
        struct simple_change x = {.req = req, .user_id = row.user_id, .version = version};
        rc = db_tx(db, "accounts.delete", DB_READ_COMMITTED, delete_tx, &x);
    } else {
        const char *after = action == BATCH_ENABLE ? "true" : "false";
        struct patch x = {req,
                          row.user_id,
                          {NULL, NULL, after, NULL, NULL, version},
                          json_pack("{s:{s:s, s:s}}", "enabled", "before",
                                    row.enabled ? "true" : "false", "after", after)};
        rc = db_tx(db, "accounts.patch", DB_READ_COMMITTED, patch_tx, &x);
        json_decref(x.details);
    }
    account_row_free(&row);
    if (rc < 0)
        return batch_result(it->user_id, "error", NULL, db_failure_code(rc));
    if (rc > 0 && removing)
        return batch_result(it->user_id, "ok", NULL, ERR__COUNT);
    /* The account as it is now: changed, or the current values a stale version missed. */
    struct account_policy policy = current_policy();
    int got = store_account_get(db, req->principal.institution, it->user_id, &policy, &row);
    if (got <= 0 && rc > 0) /* changed, but not readable right now */
        return batch_result(it->user_id, "ok", NULL, ERR__COUNT);
    if (got <= 0) /* deleted meanwhile, or the database failed */
        return got == 0 ? batch_result(it->user_id, "not_found", NULL, ERR_ACCOUNT_NOT_FOUND)
                        : batch_result(it->user_id, "error", NULL, db_failure_code(got));
    json_t *account = account_json(&row);
    account_row_free(&row);
    return rc > 0 ? batch_result(it->user_id, "ok", account, ERR__COUNT)
                  : batch_result(it->user_id, "version_conflict", account,
                                 ERR_ACCOUNT_VERSION_CONFLICT);
}

enum MHD_Result api_account_batch(struct request *req)
{
    struct batch_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, batch_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    size_t n = json_array_size(in.accounts);
    if (n == 0)
        return reply_error(req, ERR_REQUEST_FIELD_RANGE, "accounts");
    struct batch_item items[100];
    /* The whole body is checked before anything is applied. */
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(in.accounts, i);
        items[i] = (struct batch_item){0};
        if (!json_is_object(o))
            return reply_item_error(req, ERR_REQUEST_FIELD_TYPE, i, NULL);
        if (!INPUT_PARSE(o, batch_item_fields, &items[i], &err))
            return reply_item_error(req, err.code, i, err.field);
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[j].user_id, items[i].user_id) == 0)
                return reply_item_error(req, ERR_ACCOUNT_BATCH_DUPLICATE, i, "user_id");
    }
    if (!db_thread()) /* rather than a list of 503s */
        return reply_db_failure(req, DB_SOFT);
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(results,
                              batch_apply(req, (enum batch_action)in.action.value, &items[i]));
    return reply_json_steal(req, MHD_HTTP_OK, json_pack("{s:o}", "results", results));
}

static int reset_tx(struct db *db, void *p)
{
    struct simple_change *x = p;
    const struct principal *w = &x->req->principal;
    int rc = store_account_reset_password(db, w->institution, x->user_id, x->hash,
                                          config_current()->initial_password_days, x->expires_at);
    if (rc <= 0)
        return rc;
    if ((rc = store_sessions_delete_all(db, w->institution, x->user_id)) < 0)
        return rc;
    json_t *d = json_object();
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "account.password_reset",
                            x->user_id, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

enum MHD_Result api_account_password_reset(struct request *req)
{
    struct account_row row;
    enum MHD_Result ret;
    if (!accounts_load_target(req, request_param(req, "user_id"), role_initialises_password, &row,
                              &ret))
        return ret;
    char password[INITIAL_PASSWORD_LEN + 1];
    char *hash = NULL;
    struct simple_change x = {.req = req, .user_id = row.user_id};
    if (secret_initial_password(password) != 0 || !(hash = secret_hash_initial(password))) {
        account_row_free(&row);
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    }
    x.hash = hash;
    struct db *db = db_thread();
    int rc = db_tx(db, "accounts.reset", DB_READ_COMMITTED, reset_tx, &x);
    free(hash);
    account_row_free(&row);
    if (rc == DB_NONE)
        ret = reply_error(req, ERR_ACCOUNT_NOT_FOUND, NULL);
    else if (rc < 0)
        ret = reply_db_failure(req, rc);
    else
        ret = reply_json_steal(
            req, MHD_HTTP_OK,
            json_pack("{s:s, s:s}", "initial_password", password, "expires_at", x.expires_at));
    secret_wipe(password, sizeof password);
    return ret;
}
