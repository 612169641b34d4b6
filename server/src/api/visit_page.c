#include "api/visit_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/visit_urls.h"
#include "core/qualification.h"
#include "core/settings.h"
#include "http/input.h"
#include "http/peer.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/visit.h"
#include "util/config.h"
#include "util/rate_limit.h"
#include "util/strbuf.h"

static const char *setting(const struct visit_owner *o, const char *id)
{
    return setting_in_force(id, json_string_value(json_object_get(o->settings, id)));
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void html_escaped(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            sb_puts(sb, "&lt;");
            break;
        case '>':
            sb_puts(sb, "&gt;");
            break;
        case '&':
            sb_puts(sb, "&amp;");
            break;
        case '"':
            sb_puts(sb, "&quot;");
            break;
        case '\'':
            sb_puts(sb, "&#39;");
            break;
        default:
            sb_try_append(sb, s, 1);
        }
    }
}

static bool wants_html(struct request *req)
{
    const char *accept =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    return accept && strstr(accept, "text/html") && !strstr(accept, "application/json");
}

static void html_head(struct strbuf *sb)
{
    sb_puts(sb, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>マイナ在宅受付Web</title></head><body><h1>マイナ在宅受付Web</h1><p>");
}

/* Sends the page in sb (taking it), never cached, allowed to load nothing. */
static enum MHD_Result send_html(struct request *req, unsigned status, struct strbuf *sb,
                                 const char *retry_after)
{
    if (!sb->data)
        return MHD_NO;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(sb->len, sb->data, &free);
    if (!r) {
        sb_free(sb);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (retry_after)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
    return reply_response(req, status, r);
}

/* A refusal as the patient's browser should show it: a short Japanese page. */
static enum MHD_Result refuse(struct request *req, enum err_code code, const char *retry_after)
{
    if (!wants_html(req))
        return retry_after
                   ? reply_error_with_header(req, code, MHD_HTTP_HEADER_RETRY_AFTER, retry_after)
                   : reply_error(req, code, NULL);
    struct strbuf sb = {0};
    html_head(&sb);
    html_escaped(&sb, error_table[code].message);
    sb_puts(&sb, "</p></body></html>\n");
    return send_html(req, (unsigned)error_table[code].http_status, &sb, retry_after);
}

/* Rate limit, then the token's owner: true with *o filled (free it), else replied. */
static bool owner(struct request *req, struct visit_owner *o, enum MHD_Result *ret)
{
    char address[64], key[RATE_LIMIT_KEY_MAX];
    int retry = 0;
    request_client_address(req, address, sizeof address);
    rate_limit_key(address, key);
    if (!rate_limit_allow(key, config_current()->visit_rate_limit, now_ms(), &retry)) {
        char value[16];
        snprintf(value, sizeof value, "%d", retry);
        *ret = refuse(req, ERR_VISIT_RATE_LIMITED, value);
        return false;
    }
    const char *token = request_param(req, "token");
    size_t len = strlen(token);
    bool shaped = len == VISIT_TOKEN_LEN && strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                                          "nopqrstuvwxyz0123456789-_") == len;
    struct db *db = db_thread();
    memset(o, 0, sizeof *o);
    int n = !shaped ? 0 : store_visit_by_token(db, token, o);
    if (n < 0) {
        *ret = reply_db_failure(req, n);
        return false;
    }
    enum err_code refusal = ERR__COUNT;
    if (n == 0)
        refusal = ERR_VISIT_NOT_FOUND;
    else if (strcmp(o->state, "current") != 0)
        refusal = ERR_VISIT_RETIRED;
    else if (strcmp(setting(o, o->kind), "use") != 0)
        refusal = ERR_VISIT_UNAVAILABLE;
    if (refusal == ERR__COUNT)
        return true;
    visit_owner_free(o);
    *ret = refuse(req, refusal, NULL);
    return false;
}

static const char *display_name(const struct visit_owner *o)
{
    const char *d = setting(o, "visit_display_name");
    return d && d[0] ? d : o->institution_name;
}

static unsigned offered(const struct visit_owner *o)
{
    unsigned bits = 0;
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (strcmp(setting(o, consent_item_setting((enum consent_item)i)), "use") == 0)
            bits |= CONSENT_BIT(i);
    return bits;
}

static enum MHD_Result html_page(struct request *req, const struct visit_owner *o, unsigned items)
{
    struct strbuf sb = {0};
    html_head(&sb);
    html_escaped(&sb, display_name(o));
    sb_puts(&sb, "</p><p>");
    sb_puts(&sb, visit_kind_label(o->kind));
    sb_puts(&sb, "の閲覧同意の登録を受け付けています。</p><p>登録できる閲覧同意:</p><ul>");
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (items & CONSENT_BIT(i)) {
            sb_puts(&sb, "<li>");
            sb_puts(&sb, consent_item_label((enum consent_item)i));
            sb_puts(&sb, "</li>");
        }
    sb_puts(&sb, "</ul><p>登録した閲覧同意は、同意取消により取り消すことができます。</p>"
                 "</body></html>\n");
    return send_html(req, MHD_HTTP_OK, &sb, NULL);
}

static json_t *items_json(unsigned items)
{
    json_t *a = json_array();
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (items & CONSENT_BIT(i))
            json_array_append_new(a, json_pack("{s:s, s:s}", "id",
                                               consent_item_id((enum consent_item)i), "label",
                                               consent_item_label((enum consent_item)i)));
    return a;
}

enum MHD_Result api_visit_page(struct request *req)
{
    struct visit_owner o;
    enum MHD_Result ret;
    if (!owner(req, &o, &ret))
        return ret;
    unsigned items = offered(&o);
    if (wants_html(req))
        ret = html_page(req, &o, items);
    else
        ret = reply_json_steal(
            req, MHD_HTTP_OK,
            json_pack("{s:{s:s, s:s}, s:s, s:s, s:o}", "institution", "institution_code",
                      o.institution_code, "name", display_name(&o), "kind", o.kind, "label",
                      visit_kind_label(o.kind), "consent_items", items_json(items)));
    visit_owner_free(&o);
    return ret;
}

struct consent_input {
    const char *serial_number;
    json_t *consents;
};

static const struct input_field consent_fields[] = {
    IN_TEXT("serial_number", true, 1, 256, struct consent_input, serial_number),
    IN_LIST("consents", true, CONSENT__COUNT, struct consent_input, consents),
};

/* A registration, or with `withdraw` a 同意取消: withdrawing is never limited by what the
 * settings offer now (a patient may take back what an earlier setting let them give). */
static enum MHD_Result consent_request(struct request *req, bool withdraw)
{
    struct visit_owner o;
    enum MHD_Result ret;
    if (!owner(req, &o, &ret))
        return ret;
    struct consent_input in = {0};
    struct input_error e;
    char serial[SERIAL_MAX_DIGITS + 1], items[CONSENT_ITEMS_LITERAL_SIZE], address[64],
        received[32];
    unsigned chosen = 0, offer = offered(&o);
    enum err_code refusal = ERR__COUNT;
    const char *field = NULL;
    size_t i;
    json_t *v;
    if (!INPUT_PARSE(req->json, consent_fields, &in, &e)) {
        refusal = e.code;
        field = e.field;
    } else if (!test_serial_normalize(in.serial_number, serial)) {
        refusal = ERR_QUALIFICATION_SERIAL_NUMBER_INVALID;
        field = "serial_number";
    } else {
        json_array_foreach(in.consents, i, v)
        {
            enum consent_item item;
            if (!json_is_string(v) || !consent_item_parse(json_string_value(v), &item))
                refusal = ERR_QUALIFICATION_CONSENT_UNKNOWN;
            else if (!withdraw && !(offer & CONSENT_BIT(item)))
                refusal = ERR_QUALIFICATION_CONSENT_NOT_OFFERED;
            else
                chosen |= CONSENT_BIT(item);
        }
        if (refusal == ERR__COUNT && !chosen)
            refusal = ERR_REQUEST_FIELD_RANGE; /* at least one consent to register */
        field = "consents";
    }
    if (refusal != ERR__COUNT) {
        visit_owner_free(&o);
        return reply_error(req, refusal, field);
    }
    int count = consent_items_literal(chosen, items);
    request_client_address(req, address, sizeof address);
    struct db *db = db_thread();
    int rc = store_visit_consent(db, &o, request_param(req, "token"), serial, items, count,
                                 withdraw, address, config_is_verification(), received);
    if (rc != 1) { /* 0: the URL was changed while this request ran */
        visit_owner_free(&o);
        return reply_error(req,
                           rc == 0   ? ERR_VISIT_RETIRED
                           : rc == 2 ? ERR_QUALIFICATION_CONSENT_NOT_GIVEN
                                     : db_failure_code(rc < 0 ? rc : DB_HARD),
                           rc == 2 ? "consents" : NULL);
    }
    ret = reply_json_steal(req, MHD_HTTP_CREATED,
                           json_pack("{s:s, s:s, s:{s:s}, s:s, s:o}", "received_at", received,
                                     "action", withdraw ? "withdraw" : "give", "institution",
                                     "name", display_name(&o), "kind", o.kind, "consents",
                                     items_json(chosen)));
    visit_owner_free(&o);
    return ret;
}

enum MHD_Result api_visit_consents(struct request *req)
{
    return consent_request(req, false);
}

enum MHD_Result api_visit_consent_withdrawals(struct request *req)
{
    return consent_request(req, true);
}
