#include "api/account_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/accounts.h"
#include "core/date.h"
#include "http/defer.h"
#include "http/input.h"
#include "http/reply.h"
#include "render/account_sheet.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/session.h"
#include "util/password_hash.h"
#include "util/secret.h"

struct sheet_input {
    const char *user_id;
    const char *initial_password;
};

static const struct input_field sheet_fields[] = {
    IN_TEXT("user_id", true, 1, 16, struct sheet_input, user_id),
    IN_TEXT("initial_password", true, 1, 128, struct sheet_input, initial_password),
};

/* Everything the worker needs, copied: the request's memory is not the worker's. */
struct sheet {
    char institution_code[11];
    char user_id[17];
    char role_label[64];
    char expires_at[64];
    char *password;
    char *hash; /* the account's current initial-password hash */
    char *institution_name;
    char *user_name;
    bool matches;
    char *pdf; /* NULL when drawing failed */
    size_t pdf_len;
};

static void sheet_free(void *p)
{
    struct sheet *s = p;
    if (s->password) {
        secret_wipe(s->password, strlen(s->password));
        free(s->password);
    }
    free(s->hash);
    free(s->institution_name);
    free(s->user_name);
    free(s->pdf);
    free(s);
}

/* Worker: the check (the password must be the one the account really has, so no sheet can
 * be forged) and the drawing, both CPU work kept off the HTTP threads. */
static void sheet_work(void *p)
{
    struct sheet *s = p;
    s->matches = password_verify(s->password, s->hash);
    if (!s->matches)
        return;
    char issued[64];
    if (!time_jst_text(time(NULL), issued, sizeof issued))
        return;
    const struct account_sheet doc = {
        s->institution_code, s->institution_name, s->role_label, s->user_id,
        s->user_name,        s->password,         s->expires_at, issued};
    if (account_sheet_pdf(&doc, &s->pdf, &s->pdf_len) != 0)
        s->pdf = NULL;
}

static enum MHD_Result sheet_done(struct request *req, void *p)
{
    struct sheet *s = p;
    const struct principal *w = &req->principal;
    const char *action = !s->matches ? "account_sheet.refused" : "account_sheet.issued";
    json_t *d = s->matches ? json_object() : json_pack("{s:s}", "reason", "password_mismatch");
    struct db *db = db_thread();
    int rc =
        store_audit_insert(db, w->institution, "account", w->user_id, action, s->user_id, NULL, d);
    json_decref(d);
    if (!s->matches)
        return reply_error(req, ERR_ACCOUNT_SHEET_PASSWORD_MISMATCH, "initial_password");
    if (!s->pdf)
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    if (rc < 0) /* no sheet leaves without its audit row */
        return reply_db_failure(req, rc);
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(s->pdf_len, s->pdf, &free);
    if (!r)
        return MHD_NO;
    s->pdf = NULL; /* the response owns it now */
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"account-%s-%s.pdf\"",
             s->institution_code, s->user_id);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/pdf");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    return reply_response(req, MHD_HTTP_OK, r);
}

/* Fills in what the sheet shows about the account; false with the reason in *e when there
 * is no sheet to make. */
static bool gather(struct request *req, const struct account_row *row, struct sheet *s,
                   enum err_code *e)
{
    struct db *db = db_thread();
    struct password_state ps = {0};
    int rc = store_password_state(db, req->principal.institution, row->user_id, 0, &ps);
    if (rc <= 0) {
        *e = rc == DB_NONE ? ERR_ACCOUNT_NOT_FOUND : db_failure_code(rc);
        return false;
    }
    bool ok = false;
    time_t due;
    enum role r = ROLE_GENERAL;
    role_parse(row->role, &r);
    if (!ps.current_is_initial)
        *e = ERR_ACCOUNT_SHEET_NOT_INITIAL;
    else if (row->password_expired)
        *e = ERR_ACCOUNT_SHEET_INITIAL_EXPIRED;
    else if (!timestamp_parse_utc(row->password_expires_at, &due) ||
             !time_jst_text(due, s->expires_at, sizeof s->expires_at) ||
             !(s->user_name = strdup(row->name)))
        *e = ERR_SERVER_INTERNAL;
    else if ((rc = db_must_exist(
                  store_institution_name(db, req->principal.institution, &s->institution_name),
                  "institution")) < 0)
        *e = db_failure_code(rc);
    else {
        ok = true;
        s->hash = ps.current;
        ps.current = NULL;
        snprintf(s->institution_code, sizeof s->institution_code, "%s", req->principal.institution);
        snprintf(s->user_id, sizeof s->user_id, "%s", row->user_id);
        snprintf(s->role_label, sizeof s->role_label, "%s", role_label(r));
    }
    password_state_free(&ps);
    return ok;
}

enum MHD_Result api_account_sheet_create(struct request *req)
{
    struct sheet_input in = {0};
    struct input_error err;
    if (!INPUT_PARSE(req->json, sheet_fields, &in, &err))
        return reply_error(req, err.code, err.field);
    struct account_row row;
    enum MHD_Result ret;
    /* Whoever may initialise the account's password may print its sheet. */
    if (!accounts_load_target(req, in.user_id, role_initialises_password, &row, &ret))
        return ret;
    enum err_code e = ERR_SERVER_INTERNAL;
    struct sheet *s = calloc(1, sizeof *s);
    bool ok = s && gather(req, &row, s, &e) && (s->password = strdup(in.initial_password));
    account_row_free(&row);
    if (!ok) {
        if (s)
            sheet_free(s);
        return reply_error(req, e, NULL);
    }
    return http_defer(req, sheet_work, sheet_done, NULL, s, sheet_free);
}
