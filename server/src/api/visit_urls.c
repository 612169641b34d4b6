#include "api/visit_urls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/settings.h"
#include "http/input.h"
#include "http/reply.h"
#include "render/qr.h"
#include "render/visit_sheet.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/settings.h"
#include "store/visit.h"
#include "util/config.h"
#include "util/secret.h"

enum { QR_MODULE_PX = 10 }; /* ~450 px: prints sharp at 4 cm and more */

const char *visit_kind_label(const char *kind)
{
    if (strcmp(kind, "home_visit") == 0)
        return "訪問診療等";
    if (strcmp(kind, "online_care") == 0)
        return "オンライン診療等";
    return NULL;
}

void visit_url(const char *token, char *out, size_t len)
{
    /* The configuration guarantees a base without a trailing slash. */
    snprintf(out, len, "%s/visit/%s", config_current()->public_base_url, token);
}

/* Whether the kind's function is turned on (訪問診療等機能 / オンライン診療等機能). */
static bool kind_on(const struct settings_row *row, const char *kind)
{
    return strcmp(setting_in_force(kind, settings_row_stored(row, kind)), "use") == 0;
}

/* The institution's settings and name: patients see the settings' display name, else the
 * institution's name (as api/visit_page.c chooses it). 1, or a failure status. */
static int names(struct db *db, const char *code, struct settings_row *row, char **name)
{
    *name = NULL;
    int rc = db_must_exist(store_settings_get(db, code, row), "settings");
    if (rc < 0)
        return rc;
    rc = db_must_exist(store_institution_name(db, code, name), "institution");
    if (rc < 0)
        settings_row_free(row);
    return rc;
}

enum MHD_Result api_visit_urls_list(struct request *req)
{
    struct db *db = db_thread();
    struct visit_current cur[2];
    struct settings_row row;
    char *name;
    int n = store_visit_list(db, req->principal.institution, cur);
    int rc = n < 0 ? n : names(db, req->principal.institution, &row, &name);
    if (rc < 0)
        return reply_db_failure(req, rc);
    const char *display =
        setting_in_force("visit_display_name", settings_row_stored(&row, "visit_display_name"));
    bool from_settings = display[0] != '\0';
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        char url[512], first[512], previous[512];
        visit_url(cur[i].token, url, sizeof url);
        visit_url(cur[i].initial_token, first, sizeof first);
        visit_url(cur[i].previous_token, previous, sizeof previous);
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:s, s:o, s:s, s:s}", "kind",
                      cur[i].kind, "label", visit_kind_label(cur[i].kind), "url", url, "generation",
                      cur[i].generation, "active", kind_on(&row, cur[i].kind), "can_revert",
                      cur[i].can_revert, "is_initial", cur[i].generation == 1, "initial_url", first,
                      "previous_url", cur[i].can_revert ? json_string(previous) : json_null(),
                      "display_name", from_settings ? display : name, "display_name_source",
                      from_settings ? "settings" : "institution"));
    }
    free(name);
    settings_row_free(&row);
    return reply_json_steal(req, MHD_HTTP_OK, json_pack("{s:o}", "items", items));
}

struct operation {
    const struct request *req;
    const char *kind;
    enum visit_op op;
    enum visit_refusal refusal;
    int generation;
};

static int operation_tx(struct db *db, void *p)
{
    static const char *const actions[] = {"visit_url.change", "visit_url.revert",
                                          "visit_url.reset"};
    struct operation *o = p;
    const struct principal *w = &o->req->principal;
    int rc = store_visit_apply(db, w->institution, o->kind, o->op, w->user_id, &o->refusal,
                               &o->generation);
    if (rc < 0 || o->refusal != VISIT_OK)
        return rc;
    json_t *d = json_pack("{s:s, s:i}", "kind", o->kind, "generation", o->generation);
    rc = store_audit_insert(db, w->institution, "account", w->user_id, actions[o->op], o->kind,
                            NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

struct confirm_input {
    struct in_bool confirm;
};

static const struct input_field confirm_fields[] = {
    IN_FLAG("confirm", true, struct confirm_input, confirm),
};

static enum MHD_Result operate(struct request *req, enum visit_op op)
{
    const char *kind = request_param(req, "kind");
    if (!visit_kind_label(kind))
        return reply_error(req, ERR_VISIT_URL_KIND_UNKNOWN, NULL);
    struct confirm_input in = {0};
    struct input_error e;
    if (!INPUT_PARSE(req->json, confirm_fields, &in, &e))
        return reply_error(req, e.code, e.field);
    /* The manual's warning: the current URL stops working. Only an explicit yes goes on. */
    if (!in.confirm.value)
        return reply_error(req, ERR_VISIT_URL_CONFIRM_REQUIRED, "confirm");
    struct operation o = {req, kind, op, VISIT_OK, 0};
    struct db *db = db_thread();
    int rc = db_tx(db, "visit_urls.operation", DB_READ_COMMITTED, operation_tx, &o);
    if (rc < 0)
        return reply_db_failure(req, rc);
    if (o.refusal == VISIT_NO_PREVIOUS)
        return reply_error(req, ERR_VISIT_URL_NO_PREVIOUS, NULL);
    if (o.refusal == VISIT_ALREADY_INITIAL)
        return reply_error(req, ERR_VISIT_URL_ALREADY_INITIAL, NULL);
    return api_visit_urls_list(req);
}

enum MHD_Result api_visit_url_change(struct request *req)
{
    return operate(req, VISIT_CHANGE);
}

enum MHD_Result api_visit_url_revert(struct request *req)
{
    return operate(req, VISIT_REVERT);
}

enum MHD_Result api_visit_url_reset(struct request *req)
{
    return operate(req, VISIT_RESET);
}

/* The current URL of the kind in the path, with an ETag tied to its token. */
static bool current_url(struct request *req, char *url, size_t len, char etag[40],
                        enum MHD_Result *ret)
{
    const char *kind = request_param(req, "kind");
    struct visit_current cur;
    if (!visit_kind_label(kind)) {
        *ret = reply_error(req, ERR_VISIT_URL_KIND_UNKNOWN, NULL);
        return false;
    }
    struct db *db = db_thread();
    /* Every institution has both kinds from its creation. */
    int n =
        db_must_exist(store_visit_current(db, req->principal.institution, kind, &cur), "visit url");
    if (n < 0) {
        *ret = reply_db_failure(req, n);
        return false;
    }
    visit_url(cur.token, url, len);
    /* A digest of the URL: an unchanged code revalidates without naming the token. */
    char digest[DIGEST_PARAM_LEN + 1];
    if (secret_digest_param(url, digest) != 0) {
        *ret = reply_error(req, ERR_SERVER_INTERNAL, NULL);
        return false;
    }
    snprintf(etag, 40, "\"%.32s\"", digest + 2); /* the hex after "\x" */
    return true;
}

static bool not_modified(struct request *req, const char *etag)
{
    const char *inm =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    return inm && strstr(inm, etag) != NULL;
}

static enum MHD_Result file_reply(struct request *req, char *data, size_t len, const char *type,
                                  const char *etag, const char *filename)
{
    struct MHD_Response *r =
        data ? MHD_create_response_from_buffer_with_free_callback(len, data, &free)
             : MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    if (etag)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            etag ? "private, no-cache" : "private, no-store");
    if (data) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, filename);
    }
    return reply_response(req, data ? MHD_HTTP_OK : MHD_HTTP_NOT_MODIFIED, r);
}

enum MHD_Result api_visit_url_qr_png(struct request *req)
{
    char url[512], etag[40], disposition[96];
    enum MHD_Result ret;
    if (!current_url(req, url, sizeof url, etag, &ret))
        return ret;
    if (not_modified(req, etag))
        return file_reply(req, NULL, 0, NULL, etag, NULL);
    char *png;
    size_t len;
    if (qr_png(url, QR_MODULE_PX, &png, &len) != 0)
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s_%s.png\"",
             request_param(req, "kind"), req->principal.institution);
    return file_reply(req, png, len, "image/png", etag, disposition);
}

enum MHD_Result api_visit_url_qr_pdf(struct request *req)
{
    char url[512], etag[40], disposition[96];
    enum MHD_Result ret;
    if (!current_url(req, url, sizeof url, etag, &ret))
        return ret;
    struct settings_row row;
    char *name;
    int rc = names(db_thread(), req->principal.institution, &row, &name);
    if (rc < 0)
        return reply_db_failure(req, rc);
    const char *display =
        setting_in_force("visit_display_name", settings_row_stored(&row, "visit_display_name"));
    char date[64];
    time_jst_text(time(NULL), date, sizeof date);
    char *cut = strstr(date, "日"); /* the date part of "2026年11月24日 18時15分" */
    if (cut)
        cut[strlen("日")] = '\0';
    struct visit_sheet s = {display[0] ? display : name,
                            visit_kind_label(request_param(req, "kind")), url, date};
    char *pdf;
    size_t len;
    rc = visit_sheet_pdf(&s, &pdf, &len);
    settings_row_free(&row);
    free(name);
    if (rc != 0)
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s_%s.pdf\"",
             request_param(req, "kind"), req->principal.institution);
    /* The sheet also carries the date and the display name: no ETag, never cached. */
    return file_reply(req, pdf, len, "application/pdf", NULL, disposition);
}
