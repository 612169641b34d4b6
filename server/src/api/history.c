#include "api/history.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/history.h"
#include "core/settings.h"
#include "http/query.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/history.h"
#include "store/institution.h"
#include "store/settings.h"
#include "util/config.h"
#include "util/log.h"

/* The search conditions every history request shares. */
struct search {
    char from[HISTORY_BOUND_SIZE], to[HISTORY_BOUND_SIZE]; /* UTC; `to` exclusive */
    const char *from_text, *to_text;
    const char *category; /* "all" for the checks */
};

static enum MHD_Result parse_search(struct request *req, bool views, struct search *s, bool *ok)
{
    long long from_us, to_us;
    *ok = false;
    s->from_text = query_arg(req, "from");
    s->to_text = query_arg(req, "to");
    s->category = "all";
    if (!s->from_text)
        return reply_error(req, ERR_REQUEST_FIELD_MISSING, "from");
    if (!s->to_text)
        return reply_error(req, ERR_REQUEST_FIELD_MISSING, "to");
    if (!history_bound_parse(s->from_text, false, s->from, &from_us))
        return reply_error(req, ERR_REQUEST_FIELD_DATE, "from");
    if (!history_bound_parse(s->to_text, true, s->to, &to_us))
        return reply_error(req, ERR_REQUEST_FIELD_DATE, "to");
    if (to_us < from_us)
        return reply_error(req, ERR_HISTORY_RANGE_INVALID, "to");
    if (views && query_arg(req, "category")) {
        s->category = query_arg(req, "category");
        if (!history_category_valid(s->category))
            return reply_error(req, ERR_HISTORY_CATEGORY_UNKNOWN, "category");
    }
    *ok = true;
    return MHD_YES;
}

static bool wants_cp932(struct request *req);

/* One page, with what a download of the same conditions would be: its encoding (利用文字コード,
 * which not every account that may download can read in the settings) and its row limit. */
static enum MHD_Result page(struct request *req, enum history_kind kind)
{
    struct search s;
    bool ok;
    enum MHD_Result ret = parse_search(req, kind == HISTORY_VIEWS, &s, &ok);
    if (!ok)
        return ret;
    int pg, per;
    if (!query_int(req, "page", 1, 1, 1000000, &pg))
        return reply_error(req, ERR_REQUEST_FIELD_RANGE, "page");
    if (!query_int(req, "per_page", 20, 1, 100, &per))
        return reply_error(req, ERR_REQUEST_FIELD_RANGE, "per_page");
    json_t *items;
    long total = 0;
    struct db *db = db_thread();
    int rc = store_history_page(db, kind, req->principal.institution, s.from, s.to, s.category, per,
                                (pg - 1) * per, &items, &total);
    if (rc < 0)
        return reply_db_failure(req, rc);
    return reply_json_steal(req, MHD_HTTP_OK,
                            json_pack("{s:o, s:I, s:i, s:i, s:s, s:i}", "items", items, "total",
                                      (json_int_t)total, "page", pg, "per_page", per,
                                      "csv_encoding", wants_cp932(req) ? "sjis" : "utf8",
                                      "csv_max_rows", HISTORY_CSV_MAX_ROWS));
}

enum MHD_Result api_history_checks(struct request *req)
{
    return page(req, HISTORY_CHECKS);
}

enum MHD_Result api_history_views(struct request *req)
{
    return page(req, HISTORY_VIEWS);
}

/* Downloads in flight in this process: each holds a database connection and a snapshot, so
 * one institution may hold half of history_download_limit and one account a quarter (at least
 * one each): a client that opens downloads and never reads them cannot shut others out. */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot {
    bool used;
    char institution[16];
    char account[17];
} slots[256]; /* history_download_limit's maximum */

static int share(int limit, int part)
{
    int n = (limit + part - 1) / part;
    return n < 1 ? 1 : n;
}

/* A slot for this account, or -1 when the process, the institution or the account has all
 * it may. */
static int slot_take(const struct principal *p, int limit)
{
    int total = 0, institution = 0, account = 0, free_slot = -1;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < (int)(sizeof slots / sizeof slots[0]); i++) {
        if (!slots[i].used) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        total++;
        if (strcmp(slots[i].institution, p->institution) == 0) {
            institution++;
            account += strcmp(slots[i].account, p->user_id) == 0;
        }
    }
    bool ok = free_slot >= 0 && total < limit && institution < share(limit, 2) &&
              account < share(limit, 4);
    if (ok) {
        slots[free_slot].used = true;
        snprintf(slots[free_slot].institution, sizeof slots[free_slot].institution, "%s",
                 p->institution);
        snprintf(slots[free_slot].account, sizeof slots[free_slot].account, "%s", p->user_id);
    }
    pthread_mutex_unlock(&slots_lock);
    return ok ? free_slot : -1;
}

static void slot_release(int i)
{
    pthread_mutex_lock(&slots_lock);
    slots[i].used = false;
    pthread_mutex_unlock(&slots_lock);
}

struct download {
    int slot;
    struct csv_stream *stream;
    size_t bom_left;     /* UTF-8 files start with a BOM (what spreadsheet software expects) */
    struct timespec end; /* past this, the download is cut off */
};

static ssize_t download_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct download *d = cls;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > d->end.tv_sec) {
        log_msg(LOG_WARN, "history download cut off after history_download_seconds");
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = 0;
    for (; d->bom_left && n < max; d->bom_left--)
        buf[n++] = "\xEF\xBB\xBF"[3 - d->bom_left];
    ssize_t got = history_csv_read(d->stream, buf + n, max - n);
    if (got < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a cut-off transfer */
    if (got == 0 && n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n + got;
}

static void download_free(void *cls)
{
    struct download *d = cls;
    history_csv_close(d->stream);
    slot_release(d->slot);
    free(d);
}

static bool wants_cp932(struct request *req)
{
    struct settings_row row;
    struct db *db = db_thread();
    if (store_settings_get(db, req->principal.institution, &row) <= 0)
        return false;
    bool sjis =
        strcmp(setting_in_force("char_encoding", settings_row_stored(&row, "char_encoding")),
               "sjis") == 0;
    settings_row_free(&row);
    return sjis;
}

/* HEAD's body: nothing, from the same kind of response as GET's, so the headers say what
 * GET would (a file of unknown length, not Content-Length: 0). */
static ssize_t nothing_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    (void)pos;
    (void)buf;
    (void)max;
    return MHD_CONTENT_READER_END_OF_STREAM;
}

/* The file's answer: its body from `read`, its type, name and encoding in the headers. */
static enum MHD_Result csv_reply(struct request *req, enum history_kind kind, bool cp932,
                                 MHD_ContentReaderCallback read, struct download *d)
{
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read, d,
                                                               d ? download_free : NULL);
    if (!r) {
        if (d)
            download_free(d);
        return MHD_NO;
    }
    char disposition[160];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s_%s.csv\"",
             kind == HISTORY_CHECKS ? "qualification_checks" : "medical_info_views",
             req->principal.institution);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return reply_response(req, MHD_HTTP_OK, r);
}

static enum MHD_Result csv(struct request *req, enum history_kind kind)
{
    struct search s;
    bool ok;
    enum MHD_Result ret = parse_search(req, kind == HISTORY_VIEWS, &s, &ok);
    if (!ok)
        return ret;
    const struct config *c = config_current();
    bool cp932 = wants_cp932(req);
    if (request_is_head(req)) /* headers only: no slot, no query, no audit row */
        return csv_reply(req, kind, cp932, nothing_read, NULL);
    int slot = slot_take(&req->principal, c->history_download_limit);
    if (slot < 0)
        return reply_error(req, ERR_SERVER_BUSY, NULL);
    struct db_options dbo = {c->database_url, c->db_connect_timeout, false};
    long count = 0;
    struct download *d = calloc(1, sizeof *d);
    int rc = d ? history_csv_open(&dbo, kind, req->principal.institution, s.from, s.to, s.category,
                                  cp932, HISTORY_CSV_MAX_ROWS, c->history_download_seconds, &count,
                                  &d->stream)
               : DB_HARD;
    if (d)
        d->slot = slot;
    if (rc <= 0) {
        free(d);
        slot_release(slot);
        if (rc < 0)
            return reply_db_failure(req, rc);
        json_t *details =
            json_pack("[{s:I, s:i}]", "count", (json_int_t)count, "limit", HISTORY_CSV_MAX_ROWS);
        return reply_error_details(req, ERR_HISTORY_TOO_MANY_ROWS, NULL, details);
    }
    d->bom_left = cp932 ? 0 : 3;
    clock_gettime(CLOCK_MONOTONIC, &d->end);
    d->end.tv_sec += c->history_download_seconds;
    /* No file leaves without its audit row. */
    json_t *audit =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "history",
                  kind == HISTORY_CHECKS ? "qualification_checks" : "medical_info_views", "from",
                  s.from_text, "to", s.to_text, "category", s.category, "rows", (json_int_t)count,
                  "encoding", cp932 ? "sjis" : "utf8");
    struct db *db = db_thread();
    rc = store_audit_insert(db, req->principal.institution, "account", req->principal.user_id,
                            "history.download", NULL, NULL, audit);
    json_decref(audit);
    if (rc < 0) {
        download_free(d);
        return reply_db_failure(req, rc);
    }
    return csv_reply(req, kind, cp932, download_read, d);
}

enum MHD_Result api_history_checks_csv(struct request *req)
{
    return csv(req, HISTORY_CHECKS);
}

enum MHD_Result api_history_views_csv(struct request *req)
{
    return csv(req, HISTORY_VIEWS);
}
