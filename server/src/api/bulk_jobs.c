#include "api/bulk_jobs.h"

#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bulk_file.h"
#include "core/bulk_rows.h"
#include "core/date.h"
#include "core/settings.h"
#include "http/reply.h"
#include "jobs/bulk_process.h"
#include "store/bulk.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/settings.h"
#include "util/config.h"
#include "util/log.h"
#include "util/sealed.h"
#include "util/secret.h"
#include "util/strbuf.h"

enum {
    MAX_FILE_BYTES = 5 * 1024 * 1024,
    MAX_ROWS = 10000,
    BULK_CHECK_MAX_PROBLEMS = 1000, /* listed by POST /bulk-checks; the total is given */
};

#define TEMPLATE_FILENAME "アカウント一括登録用ファイル.csv"

static const struct {
    const char *id, *label;
    bool downloadable;
} statuses[] = {
    {"waiting", "登録待ち", false},
    {"processing", "登録中", false},
    {"completed", "登録完了", true},
    {"completed_with_duplicates", "登録完了(一部ID重複あり)", true},
    {"failed_validation", "登録失敗(入力チェックエラー)", true},
    {"failed_structure", "登録失敗(ファイル構造エラー)", false},
    {"failed_system", "登録失敗(システムエラー)", false},
};

const char *bulk_status_label(const char *status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(statuses[i].id, status) == 0)
            return statuses[i].label;
    return NULL;
}

static bool downloadable(const char *status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(statuses[i].id, status) == 0)
            return statuses[i].downloadable;
    return false;
}

/* The master's jobs and the admins' jobs are listed apart (manual ch. 2 §6). */
static const char *tier_of(const struct request *req)
{
    return req->principal.account_role == ROLE_MASTER ? "master" : "admin";
}

/* Whose rules a file's rows are checked by: the master registers admins, admins the rest. */
static enum role manager_of(const struct request *req)
{
    return req->principal.account_role == ROLE_MASTER ? ROLE_MASTER : ROLE_ADMIN;
}

/* --- the upload, read as it arrives -------------------------------------------------- */

struct upload {
    struct bulk_file *file;
    bool multipart;
    struct MHD_PostProcessor *pp; /* multipart/form-data, until the handler ends it */
    bool unsupported;             /* neither text/csv nor multipart/form-data */
    bool form_broken;             /* multipart framing libmicrohttpd could not follow */
    bool file_part;               /* a multipart part named "file" was seen */
};

static bool media_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum MHD_Result file_part(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    (void)off;
    struct upload *u = cls;
    if (strcmp(key, "file") != 0)
        return MHD_YES; /* other form fields are ignored */
    u->file_part = true;
    return size == 0 || bulk_file_feed(u->file, data, size) ? MHD_YES : MHD_NO;
}

static void *upload_open(struct request *req)
{
    struct upload *u = calloc(1, sizeof *u);
    if (!u || !(u->file = bulk_file_new(MAX_FILE_BYTES, MAX_ROWS))) {
        free(u);
        return NULL;
    }
    const char *ct =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (media_type_is(ct, "multipart/form-data")) {
        u->multipart = true;
        /* libmicrohttpd parses the parts and hands the file's bytes over in pieces. */
        if (!(u->pp = MHD_create_post_processor(req->conn, 16 * 1024, file_part, u)))
            u->form_broken = true; /* e.g. no boundary */
    } else if (!media_type_is(ct, "text/csv")) {
        u->unsupported = true;
    }
    return u;
}

static bool upload_chunk(void *state, const char *data, size_t len)
{
    struct upload *u = state;
    if (u->unsupported || u->form_broken)
        return false;
    if (!u->pp)
        return bulk_file_feed(u->file, data, len);
    if (MHD_post_process(u->pp, data, len) == MHD_YES)
        return true;
    if (bulk_file_error(u->file, NULL) == BULK_FILE_OK)
        u->form_broken = true; /* the file itself was fine so far: the framing is not */
    return false;
}

static void upload_close(void *state)
{
    struct upload *u = state;
    if (u->pp)
        MHD_destroy_post_processor(u->pp);
    bulk_file_free(u->file);
    free(u);
}

const struct upload_sink bulk_upload_sink = {upload_open, upload_chunk, upload_close};

/* Why a file could not be read, as the uploader reads it. */
static void structure_message(enum bulk_file_error e, int row, char *out, size_t len)
{
    switch (e) {
    case BULK_FILE_TOO_MANY_ROWS:
        snprintf(out, len, "データ行が%d行を超えています。", MAX_ROWS);
        break;
    case BULK_FILE_EMPTY:
        snprintf(out, len, "見出し行の後にデータ行がありません。");
        break;
    case BULK_FILE_HEADER:
        snprintf(out, len,
                 "1行目が見出し行（権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,"
                 "利用終了年月日）ではありません。");
        break;
    case BULK_FILE_COLUMNS:
        snprintf(out, len, "データ%d行目の項目数が6ではありません。", row);
        break;
    case BULK_FILE_ENCODING:
        snprintf(out, len,
                 "文字コードがUTF-8又はShift_JIS（CP932）ではありません（データ%d行目）。", row);
        break;
    case BULK_FILE_QUOTING:
        snprintf(out, len, "データ%d行目のダブルクォーテーション（\"）の使い方が正しくありません。",
                 row);
        break;
    case BULK_FILE_FIELD_TOO_LONG:
        snprintf(out, len, "データ%d行目に長すぎる項目があります（%d バイト以内）。", row,
                 BULK_MAX_FIELD);
        break;
    default:
        snprintf(out, len, "ファイルを読み込めませんでした。");
    }
}

struct queued {
    const struct request *req;
    const char *status;
    int rows;
    const char *failure;
    const char *rows_json;
    char reception_number[32];
    char received_at[32];
};

static int queue_tx(struct db *db, void *p)
{
    struct queued *q = p;
    const struct principal *w = &q->req->principal;
    int rc = store_bulk_insert(db, w->institution, tier_of(q->req), w->user_id, q->status, q->rows,
                               q->failure, q->rows_json, q->reception_number, q->received_at);
    if (rc <= 0)
        return rc;
    if (strcmp(q->status, "waiting") == 0 && (rc = store_bulk_notify(db, q->reception_number)) < 0)
        return rc;
    json_t *d = json_pack("{s:s, s:i}", "status", q->status, "rows", q->rows);
    rc = store_audit_insert(db, w->institution, "account", w->user_id, "bulk.upload",
                            q->reception_number, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

static json_t *rows_json(const struct bulk_file *f)
{
    json_t *rows = json_array();
    for (int i = 0; i < bulk_file_rows(f); i++) {
        const char *const *r = bulk_file_row(f, i);
        json_t *row = json_array();
        for (int c = 0; c < BULK_COLUMNS; c++)
            json_array_append_new(row, json_string(r[c]));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* The uploaded file, read to its end: either readable (ok) or with the structure problem
 * of the job's 登録失敗(ファイル構造エラー) in `failure`. */
struct received {
    struct bulk_file *file; /* the upload's, or `empty` */
    struct bulk_file *empty;
    bool ok;
    char failure[256];
    int failure_row; /* the data row of the structure problem, 0 for the file as a whole */
};

static void received_free(struct received *r)
{
    bulk_file_free(r->empty);
}

/* ERR__COUNT when the body was read to a verdict; else the error to answer (with *field). */
static enum err_code receive(struct request *req, struct received *out, const char **field)
{
    *out = (struct received){0};
    *field = NULL;
    struct upload *u = req->upload_state;
    const char *ct =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if ((u && u->unsupported) ||
        (!u && !media_type_is(ct, "text/csv") && !media_type_is(ct, "multipart/form-data")))
        return ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE;
    /* Ending the post processor says whether the closing boundary came: a body cut short
     * would otherwise lose its last bytes quietly. */
    if (u && u->pp) {
        if (MHD_destroy_post_processor(u->pp) != MHD_YES && !req->upload_stopped)
            u->form_broken = true;
        u->pp = NULL;
    }
    if (u && u->form_broken)
        return ERR_BULK_FORM_INVALID;
    *field = "file";
    if ((u && u->multipart && !u->file_part) || (!u && media_type_is(ct, "multipart/form-data")))
        return ERR_BULK_FILE_MISSING;
    *field = NULL;
    out->empty = u ? NULL : bulk_file_new(MAX_FILE_BYTES, MAX_ROWS);
    out->file = u ? u->file : out->empty;
    if (!out->file)
        return ERR_SERVER_INTERNAL;
    out->ok = (!req->upload_stopped || bulk_file_error(out->file, NULL) != BULK_FILE_OK) &&
              bulk_file_finish(out->file);
    enum bulk_file_error e = bulk_file_error(out->file, &out->failure_row);
    if (!out->ok && e == BULK_FILE_OK) /* out of memory */
        return ERR_SERVER_INTERNAL;
    if (e == BULK_FILE_TOO_LARGE) {
        *field = "file";
        return ERR_BULK_FILE_TOO_LARGE;
    }
    if (!out->ok)
        structure_message(e, out->failure_row, out->failure, sizeof out->failure);
    return ERR__COUNT;
}

enum MHD_Result api_bulk_create(struct request *req)
{
    if (!sealed_key_ready())
        return reply_error(req, ERR_BULK_UNAVAILABLE, NULL);
    struct received in;
    const char *field;
    enum err_code err = receive(req, &in, &field);
    if (err != ERR__COUNT) {
        received_free(&in);
        return reply_error(req, err, field);
    }
    bool ok = in.ok;
    json_t *rows = ok ? rows_json(in.file) : NULL;
    char *text = rows ? json_dumps(rows, JSON_COMPACT) : NULL;
    json_decref(rows);
    struct queued q = {req,
                       ok ? "waiting" : "failed_structure",
                       ok ? bulk_file_rows(in.file) : 0,
                       ok ? NULL : in.failure,
                       text,
                       "",
                       ""};
    struct db *db = db_thread();
    int rc = ok && !text ? DB_HARD : db_tx(db, "bulk_jobs.queue", DB_READ_COMMITTED, queue_tx, &q);
    free(text);
    if (rc == DB_NONE || rc == DB_CONFLICT) {
        received_free(&in);
        return reply_error(req, ERR_BULK_BUSY, NULL);
    }
    if (rc < 0) {
        received_free(&in);
        return reply_db_failure(req, rc);
    }
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:i}", "reception_number", q.reception_number,
                             "status", q.status, "status_label", bulk_status_label(q.status),
                             "received_at", q.received_at, "rows", q.rows);
    json_object_set_new(body, "failure", ok ? json_null() : json_string(in.failure));
    received_free(&in);
    return reply_json_steal(req, MHD_HTTP_ACCEPTED, body);
}

/* --- checking a file without registering it ------------------------------------------- */

static json_t *problem_json(int row, int column, enum err_code code)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:s}", "row", row, "column", bulk_file_header[column],
                     "field", bulk_row_fields[column], "code", error_table[code].code, "message",
                     error_table[code].message);
}

/* The verdict the job would reach for the file (jobs/bulk_process.c, same rules, same
 * duplicate lookup), with nothing written: no job, no audit row, no passwords. */
enum MHD_Result api_bulk_check(struct request *req)
{
    struct received in;
    const char *field;
    enum err_code err = receive(req, &in, &field);
    if (err != ERR__COUNT) {
        received_free(&in);
        return reply_error(req, err, field);
    }
    json_t *problems = json_array();
    int n = in.ok ? bulk_file_rows(in.file) : 0, errors = 0, duplicates = 0, total = 0;
    if (in.ok) {
        enum role manager = manager_of(req);
        enum institution_kind kind = req->principal.inst_kind;
        struct bulk_row_check *checks = calloc((size_t)n + 1, sizeof *checks);
        const char **ids = calloc((size_t)n + 1, sizeof *ids);
        bool *dup = calloc((size_t)n + 1, sizeof *dup);
        struct db *db = db_thread();
        int rc = !checks || !ids || !dup ? DB_HARD : 0;
        for (int i = 0; rc == 0 && i < n; i++) {
            const char *const *col = bulk_file_row(in.file, i);
            bulk_row_check(col, manager, kind, &checks[i]);
            bulk_row_clear(&checks[i]); /* the names are for registering only */
            errors += checks[i].nproblems > 0;
            ids[i] = checks[i].nproblems ? NULL : col[1];
        }
        if (rc == 0)
            rc = bulk_find_duplicates(db, req->principal.institution, ids, n, dup);
        for (int i = 0; rc == 0 && i < n; i++) {
            duplicates += dup[i];
            for (int k = 0; k < checks[i].nproblems; k++, total++)
                if (total < BULK_CHECK_MAX_PROBLEMS)
                    json_array_append_new(problems,
                                          problem_json(i + 1, checks[i].problems[k].column,
                                                       checks[i].problems[k].code));
            if (dup[i] && total++ < BULK_CHECK_MAX_PROBLEMS)
                json_array_append_new(problems, problem_json(i + 1, 1, ERR_ACCOUNT_USER_ID_TAKEN));
        }
        free(checks);
        free(ids);
        free(dup);
        if (rc < 0) {
            json_decref(problems);
            received_free(&in);
            return reply_db_failure(req, rc);
        }
    }
    const char *status = !in.ok       ? "failed_structure"
                         : errors     ? "failed_validation"
                         : duplicates ? "completed_with_duplicates"
                                      : "completed";
    /* The encoding is known once the header was read. */
    enum bulk_file_error e = bulk_file_error(in.file, NULL);
    bool encoding_known = in.ok || (e != BULK_FILE_HEADER && e != BULK_FILE_EMPTY &&
                                    !(e == BULK_FILE_ENCODING && in.failure_row == 0));
    json_t *body =
        json_pack("{s:s, s:s, s:o, s:o, s:i, s:i, s:i, s:i, s:o, s:i, s:i}", "status", status,
                  "status_label", bulk_status_label(status), "failure",
                  in.ok ? json_null() : json_string(in.failure), "encoding",
                  !encoding_known                                      ? json_null()
                  : bulk_file_encoding(in.file) == BULK_ENCODING_CP932 ? json_string("cp932")
                                                                       : json_string("utf-8"),
                  "rows", n, "errors", errors, "duplicates", duplicates, "registrable",
                  errors ? 0 : n - duplicates, "problems", problems, "problems_total", total,
                  "problems_limit", BULK_CHECK_MAX_PROBLEMS);
    json_object_set_new(body, "failure_row",
                        in.ok || in.failure_row == 0 ? json_null() : json_integer(in.failure_row));
    received_free(&in);
    return reply_json_steal(req, MHD_HTTP_OK, body);
}

/* --- the template file ------------------------------------------------------------------ */

/* One example per kind, for the institution's kind (the system accounts' ID prefixes
 * differ at a pharmacy). */
static void example_row(struct strbuf *sb, enum role r, bool pharmacy, const char *start)
{
    const char *id = "", *name = "", *kana = "";
    switch (r) {
    case ROLE_ADMIN:
        id = "kanri901", name = "管理　見本", kana = "カンリ　ミホン";
        break;
    case ROLE_GENERAL:
        id = "ippan901", name = "一般　見本", kana = "イッパン　ミホン";
        break;
    case ROLE_MEDICAL_VIEWER:
        id = "iryou901", name = "医療　見本", kana = "イリョウ　ミホン";
        break;
    case ROLE_WEBAPI:
        id = pharmacy ? "A1901" : "A0901", name = "受付システム見本",
        kana = "ウケツケシステム　ミホン";
        break;
    case ROLE_LINKED_APP:
        id = pharmacy ? "R1901" : "R0901", name = "連携アプリ見本", kana = "レンケイアプリ　ミホン";
        break;
    case ROLE_FACE_READER:
        id = "F0901", name = "顔認証端末見本", kana = "カオニンショウタンマツ　ミホン";
        break;
    default:
        return;
    }
    sb_printf(sb, "%s,%s,%s,%s,%s,\r\n", role_label(r), id, name, kana, start);
}

/* Percent-encodes UTF-8 for filename* (RFC 8187). */
static void percent_encode(const char *s, char *out, size_t len)
{
    size_t o = 0;
    for (; *s && o + 4 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '.' || c == '-' || c == '_')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, len - o, "%%%02X", c);
    }
    out[o] = '\0';
}

enum MHD_Result api_bulk_template(struct request *req)
{
    enum role manager = manager_of(req);
    enum institution_kind kind = req->principal.inst_kind;
    struct db *db = db_thread();
    struct settings_row settings;
    int rc = store_settings_get(db, req->principal.institution, &settings);
    if (rc < 0)
        return reply_db_failure(req, rc);
    bool cp932 = false;
    if (rc > 0) {
        const char *id = "char_encoding";
        cp932 = strcmp(setting_in_force(id, settings_row_stored(&settings, id)), "sjis") == 0;
        settings_row_free(&settings);
    } else {
        cp932 = strcmp(setting_in_force("char_encoding", NULL), "sjis") == 0;
    }
    struct date today = date_today_jst(time(NULL));
    char start[16];
    snprintf(start, sizeof start, "%04d/%02d/%02d", today.year, today.month, today.day);
    struct strbuf sb = {0};
    if (!cp932)
        sb_puts(&sb, "\xEF\xBB\xBF"); /* spreadsheet programs then read it as UTF-8 */
    for (int c = 0; c < BULK_COLUMNS; c++)
        sb_printf(&sb, "%s%s", bulk_file_header[c], c + 1 < BULK_COLUMNS ? "," : "\r\n");
    for (int r = 0; r < ROLE__COUNT; r++)
        if (role_manages(manager, (enum role)r))
            example_row(&sb, (enum role)r, kind == KIND_PHARMACY, start);
    size_t len = 0;
    char *text = sb_steal(&sb, &len);
    if (text && cp932) {
        /* Every character of the examples has a CP932 encoding. */
        iconv_t cd = iconv_open("CP932", "UTF-8");
        char *out = cd != (iconv_t)-1 ? malloc(len + 1) : NULL, *o = out, *in = text;
        size_t inleft = len, left = len;
        bool ok = out && iconv(cd, &in, &inleft, &o, &left) != (size_t)-1;
        if (cd != (iconv_t)-1)
            iconv_close(cd);
        free(text);
        text = ok ? out : NULL;
        len = ok ? (size_t)(o - out) : 0;
        if (!ok)
            free(out);
    }
    if (!text)
        return reply_error(req, ERR_SERVER_INTERNAL, NULL);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(len, text, &free);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    char encoded[256], disposition[400];
    percent_encode(TEMPLATE_FILENAME, encoded, sizeof encoded);
    snprintf(disposition, sizeof disposition,
             "attachment; filename=\"bulk-template.csv\"; filename*=UTF-8''%s", encoded);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    return reply_response(req, MHD_HTTP_OK, resp);
}

/* --- the result screen ---------------------------------------------------------------- */

void bulk_job_present(json_t *job)
{
    const char *status = json_string_value(json_object_get(job, "status"));
    bool finished = strcmp(status, "waiting") != 0 && strcmp(status, "processing") != 0;
    bool counted =
        finished && strcmp(status, "failed_structure") != 0 && strcmp(status, "failed_system") != 0;
    json_object_set_new(job, "status_label", json_string(bulk_status_label(status)));
    /* 処理件数: the rows a finished job went through, or a running job has checked so far. */
    bool running = strcmp(status, "processing") == 0;
    json_t *processed = counted   ? json_incref(json_object_get(job, "rows"))
                        : running ? json_incref(json_object_get(job, "processed_rows"))
                                  : json_null();
    json_object_set_new(job, "processed", processed);
    json_object_del(job, "processed_rows");
    bool has_result = json_is_true(json_object_get(job, "has_result"));
    json_object_del(job, "has_result");
    json_object_set_new(job, "downloadable", json_boolean(has_result && downloadable(status)));
}

enum MHD_Result api_bulk_list(struct request *req)
{
    json_t *items = json_array();
    struct db *db = db_thread();
    int rc = store_bulk_list(db, req->principal.institution, tier_of(req), NULL, items);
    if (rc < 0) {
        json_decref(items);
        return reply_db_failure(req, rc);
    }
    size_t i;
    json_t *job;
    json_array_foreach(items, i, job) bulk_job_present(job);
    return reply_json_steal(req, MHD_HTTP_OK, json_pack("{s:o}", "items", items));
}

enum MHD_Result api_bulk_get(struct request *req)
{
    json_t *items = json_array();
    struct db *db = db_thread();
    int rc = store_bulk_list(db, req->principal.institution, tier_of(req),
                             request_param(req, "reception_number"), items);
    if (rc <= 0) {
        json_decref(items);
        return rc < 0 ? reply_db_failure(req, rc) : reply_error(req, ERR_BULK_NOT_FOUND, NULL);
    }
    json_t *job = json_incref(json_array_get(items, 0));
    json_decref(items);
    bulk_job_present(job);
    return reply_json_steal(req, MHD_HTTP_OK, json_pack("{s:o}", "job", job));
}

/* The response's free callback: the file holds initial passwords. */
static void free_wiped(void *text)
{
    secret_wipe(text, strlen(text));
    free(text);
}

enum MHD_Result api_bulk_result(struct request *req)
{
    if (!sealed_key_ready())
        return reply_error(req, ERR_BULK_UNAVAILABLE, NULL);
    const char *rn = request_param(req, "reception_number");
    char status[32];
    unsigned char *sealed_file;
    size_t len;
    struct db *db = db_thread();
    int rc = store_bulk_result(db, req->principal.institution, tier_of(req), rn, status,
                               &sealed_file, &len);
    if (rc <= 0)
        return rc < 0 ? reply_db_failure(req, rc) : reply_error(req, ERR_BULK_NOT_FOUND, NULL);
    if (!downloadable(status)) {
        free(sealed_file);
        return reply_error(req, ERR_BULK_RESULT_UNAVAILABLE, NULL);
    }
    if (!sealed_file)
        return reply_error(req, ERR_BULK_RESULT_EXPIRED, NULL);
    char *csv;
    size_t csv_len;
    rc = unseal(rn, sealed_file, len, &csv, &csv_len);
    free(sealed_file);
    if (rc != 0) {
        log_msg(LOG_ERROR,
                "bulk job %s: its result file cannot be opened with result_key_file (not the "
                "key that sealed it?)",
                rn);
        return reply_error(req, ERR_BULK_RESULT_UNREADABLE, NULL);
    }
    json_t *d = json_object();
    rc = request_is_head(req)
             ? 1
             : store_audit_insert(db, req->principal.institution, "account", req->principal.user_id,
                                  "bulk.download", rn, NULL, d);
    json_decref(d);
    if (rc < 0) { /* no result file leaves without its audit row */
        free_wiped(csv);
        return reply_db_failure(req, rc);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(csv_len, csv, &free_wiped);
    if (!r) {
        free_wiped(csv);
        return MHD_NO;
    }
    char disposition[320];
    /* アカウント一括登録{受付番号}.csv, percent-encoded for filename*, with an ASCII fallback. */
    snprintf(disposition, sizeof disposition,
             "attachment; filename=\"bulk-%s.csv\"; filename*=UTF-8''%%E3%%82%%A2%%E3%%82%%AB"
             "%%E3%%82%%A6%%E3%%83%%B3%%E3%%83%%88%%E4%%B8%%80%%E6%%8B%%AC%%E7%%99%%BB%%E9%%8C"
             "%%B2%s.csv",
             rn, rn);
    /* UTF-8 files start with a BOM; the others were written in CP932 (利用文字コード). */
    bool utf8 = csv_len >= 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            utf8 ? "text/csv; charset=utf-8" : "text/csv; charset=Shift_JIS");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    return reply_response(req, MHD_HTTP_OK, r);
}
