#include "jobs/bulk_process.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/account_draft.h"
#include "core/bulk_file.h"
#include "core/bulk_rows.h"
#include "core/settings.h"
#include "core/text.h"
#include "store/bulk.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/settings.h"
#include "util/config.h"
#include "util/log.h"
#include "util/sealed.h"
#include "util/secret.h"
#include "util/strbuf.h"

enum { PROGRESS_ROWS = 500 };

enum verdict { ROW_OK, ROW_INVALID, ROW_DUPLICATE };

struct row {
    const char *col[BULK_COLUMNS]; /* as in the file (owned by the job's JSON) */
    enum verdict verdict;
    struct bulk_row_check check; /* the problems, or what to register */
    char password[INITIAL_PASSWORD_LEN + 1];
    char *hash;
    bool registered;
};

struct job {
    const struct bulk_claim *claim;
    const char *token;
    json_t *json;
    struct row *rows;
    int n;
    int invalid, duplicates, registered;
    char expires[32]; /* the initial passwords' expiry, as the result file shows it */
    bool cp932;       /* 利用文字コード = Shift-JIS: the result file in CP932 */
};

/* エラー詳細: 【column】message, one per line. */
static void problems_text(const struct bulk_row_check *c, struct strbuf *sb)
{
    for (int i = 0; i < c->nproblems; i++)
        sb_printf(sb, "%s【%s】%s", i ? "\n" : "", bulk_file_header[c->problems[i].column],
                  error_table[c->problems[i].code].message);
}

int bulk_find_duplicates(struct db *db, const char *institution, const char *const *ids, int n,
                         bool *duplicate)
{
    json_t *seen = json_object();
    struct strbuf list = {0};
    sb_puts(&list, "{");
    for (int i = 0; i < n; i++) {
        duplicate[i] = false;
        if (!ids[i])
            continue;
        /* Unique whatever the case (GEN01 and gen01 are one ID). IDs passed the ID rules
         * (ASCII letters and digits only), so lower-casing them byte by byte is exact. */
        char key[17]; /* user IDs are at most 16 characters */
        size_t len = strlen(ids[i]);
        if (len > sizeof key - 1)
            len = sizeof key - 1;
        for (size_t c = 0; c < len; c++)
            key[c] = (char)tolower((unsigned char)ids[i][c]);
        key[len] = '\0';
        if (json_object_get(seen, key)) {
            duplicate[i] = true;
            continue;
        }
        json_object_set_new(seen, key, json_integer(i));
        /* Quoted, since an unquoted NULL in an array literal is the null value. */
        sb_printf(&list, "%s\"%s\"", list.len > 1 ? "," : "", key);
    }
    sb_puts(&list, "}");
    json_t *taken = NULL;
    int rc = store_bulk_existing(db, institution, list.data, &taken);
    sb_free(&list);
    size_t k;
    json_t *id;
    json_array_foreach(taken, k, id)
    {
        json_t *at = json_object_get(seen, json_string_value(id));
        if (at)
            duplicate[json_integer_value(at)] = true;
    }
    json_decref(taken);
    json_decref(seen);
    return rc < 0 ? rc : 0;
}

static int find_duplicates(struct db *db, struct job *j)
{
    const char **ids = calloc((size_t)j->n + 1, sizeof *ids);
    bool *dup = calloc((size_t)j->n + 1, sizeof *dup);
    int rc = ids && dup ? 0 : DB_HARD;
    for (int i = 0; rc == 0 && i < j->n; i++)
        ids[i] = j->rows[i].verdict == ROW_OK ? j->rows[i].col[1] : NULL;
    if (rc == 0)
        rc = bulk_find_duplicates(db, j->claim->institution, ids, j->n, dup);
    for (int i = 0; rc == 0 && i < j->n; i++)
        if (dup[i])
            j->rows[i].verdict = ROW_DUPLICATE;
    free(ids);
    free(dup);
    return rc;
}

static void csv_field(struct strbuf *sb, const char *s, bool last)
{
    char *quoted = malloc(strlen(s) * 2 + 3);
    size_t n = quoted ? csv_write(quoted, strlen(s) * 2 + 3, s, strlen(s)) : 0;
    if (quoted) {
        sb_append(sb, quoted, n);
        secret_wipe(quoted, n); /* it may be a password */
    }
    free(quoted);
    sb_puts(sb, last ? "\r\n" : ",");
}

/* A cell of text the file's author chose: made inert for spreadsheets (core/text.h). */
static void csv_text(struct strbuf *sb, const char *s)
{
    if (!text_starts_formula(s)) {
        csv_field(sb, s, false);
        return;
    }
    struct strbuf guarded = {0};
    sb_puts(&guarded, "'");
    sb_puts(&guarded, s);
    csv_field(sb, guarded.data ? guarded.data : "", false);
    sb_free(&guarded);
}

/* The UTF-8 text in CP932; the input is wiped. A character CP932 lacks (only possible in
 * rows that failed the checks, so in a file without passwords) is written as [U+XXXX]: the
 * author sees what was sent, not a look-alike (iconv's //TRANSLIT made ½ " 1/2 "). Each
 * input byte takes at most 4 output bytes ("[U+XXXX]" for a 2-byte character). NULL when
 * out of memory. */
static char *to_cp932(char *utf8, size_t *len)
{
    size_t cap = *len * 4 + 16, left = cap, inleft = *len;
    char *out = malloc(cap), *o = out, *in = utf8;
    iconv_t cd = iconv_open("CP932", "UTF-8");
    bool ok = out && cd != (iconv_t)-1;
    while (ok && inleft > 0 && iconv(cd, &in, &inleft, &o, &left) == (size_t)-1) {
        size_t n = 0;
        uint32_t cp = errno == EILSEQ ? utf8_decode(in, inleft, &n) : 0;
        int w = n > 0 ? snprintf(o, left, "[U+%04" PRIX32 "]", cp) : -1;
        ok = errno == EILSEQ && w > 0 && (size_t)w < left;
        if (ok) {
            o += w, left -= (size_t)w;
            in += n, inleft -= n;
        }
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    secret_wipe(utf8, *len);
    free(utf8);
    if (!ok) {
        if (out)
            secret_wipe(out, cap);
        free(out);
        return NULL;
    }
    *len = (size_t)(o - out);
    return out;
}

/* The result file, CRLF: UTF-8 with a BOM (spreadsheet programs then read it right), or
 * CP932 when the institution's 利用文字コード says Shift-JIS. */
static char *result_file(const struct job *j, size_t *len)
{
    static const char *const header[] = {
        "行番号",         "権限区分",         "ユーザID",
        "ユーザ名",       "ユーザ名（カナ）", "利用開始年月日",
        "利用終了年月日", "初期パスワード",   "初期パスワード有効期限",
        "結果",           "エラー詳細"};
    /* Sized up front: a buffer that grows leaves copies of the passwords behind. */
    struct strbuf sb = {0};
    sb_reserve(&sb, (size_t)j->n * 512 + 4096);
    if (!j->cp932)
        sb_puts(&sb, "\xEF\xBB\xBF");
    for (int c = 0; c < 11; c++)
        csv_field(&sb, header[c], c == 10);
    bool failed = j->invalid > 0;
    for (int i = 0; i < j->n; i++) {
        const struct row *r = &j->rows[i];
        char number[16];
        snprintf(number, sizeof number, "%d", i + 1);
        csv_field(&sb, number, false);
        for (int c = 0; c < BULK_COLUMNS; c++)
            csv_text(&sb, r->col[c]);
        bool ok = r->registered;
        csv_field(&sb, ok ? r->password : "", false);
        csv_field(&sb, ok ? j->expires : "", false);
        const char *result = ok                            ? "登録完了"
                             : r->verdict == ROW_INVALID   ? "入力チェックエラー"
                             : r->verdict == ROW_DUPLICATE ? "ID重複"
                                                           : "未登録";
        csv_field(&sb, result, false);
        struct strbuf problems = {0};
        if (r->verdict == ROW_INVALID)
            problems_text(&r->check, &problems);
        const char *detail = r->verdict == ROW_INVALID ? problems.data
                             : r->verdict == ROW_DUPLICATE
                                 ? error_table[ERR_ACCOUNT_USER_ID_TAKEN].message
                             : failed ? "【入力チェックエラーなし:未登録】"
                                      : "";
        csv_field(&sb, detail, true);
        sb_free(&problems);
    }
    char *text = sb_steal(&sb, len);
    return j->cp932 ? to_cp932(text, len) : text;
}

static const char *outcome_status(const struct job *j)
{
    if (j->invalid)
        return "failed_validation";
    return j->duplicates ? "completed_with_duplicates" : "completed";
}

/* Everything that must happen together: registration, the sealed result, the job's end. */
static int finish_tx(struct db *db, void *p)
{
    struct job *j = p;
    const struct bulk_claim *c = j->claim;
    int rc = store_bulk_hold(db, c->reception_number, j->token);
    if (rc <= 0)
        return rc; /* another worker took the job over */
    j->registered = 0;
    for (int i = 0; i < j->n; i++)
        j->rows[i].registered = false;
    if (!j->invalid) {
        struct bulk_stage_row *stage = calloc((size_t)j->n + 1, sizeof *stage);
        int k = 0;
        for (int i = 0; stage && i < j->n; i++) {
            struct row *r = &j->rows[i];
            if (r->verdict == ROW_OK)
                stage[k++] = (struct bulk_stage_row){r->col[1],
                                                     role_id(r->check.role),
                                                     r->check.names.name,
                                                     r->check.names.name_kana,
                                                     r->check.start,
                                                     r->check.end,
                                                     r->hash};
        }
        json_t *inserted = NULL;
        rc = !stage ? DB_HARD : k > 0 ? store_bulk_stage(db, c->reception_number, stage, k) : 0;
        free(stage);
        if (rc >= 0 && k > 0)
            rc = store_bulk_register(db, c->institution, c->reception_number, &inserted);
        if (rc < 0) {
            json_decref(inserted);
            return rc;
        }
        json_t *set = json_object();
        size_t x;
        json_t *id;
        json_array_foreach(inserted, x, id)
            json_object_set_new(set, json_string_value(id), json_true());
        json_decref(inserted);
        for (int i = 0; i < j->n; i++) {
            struct row *r = &j->rows[i];
            if (r->verdict != ROW_OK)
                continue;
            /* An ID registered by someone else since the check is a duplicate too. */
            r->registered = json_object_get(set, r->col[1]) != NULL;
            j->registered += r->registered;
            if (!r->registered)
                r->verdict = ROW_DUPLICATE;
        }
        json_decref(set);
    }
    j->duplicates = 0;
    for (int i = 0; i < j->n; i++)
        j->duplicates += j->rows[i].verdict == ROW_DUPLICATE;
    size_t len = 0;
    char *csv = result_file(j, &len);
    if (!csv)
        return DB_HARD;
    unsigned char *sealed_file = NULL;
    size_t sealed_len = 0;
    char *hex = NULL;
    if (seal(c->reception_number, csv, len, &sealed_file, &sealed_len) == 0 &&
        (hex = malloc(sealed_len * 2 + 3))) {
        strcpy(hex, "\\x");
        for (size_t i = 0; i < sealed_len; i++)
            snprintf(hex + 2 + 2 * i, 3, "%02x", sealed_file[i]);
    }
    secret_wipe(csv, len);
    free(csv);
    free(sealed_file);
    if (!hex)
        return DB_HARD;
    struct bulk_outcome o = {outcome_status(j),
                             j->registered,
                             j->duplicates,
                             j->invalid,
                             NULL,
                             hex,
                             config_current()->initial_password_days};
    rc = store_bulk_finish(db, c->reception_number, j->token, &o);
    free(hex);
    if (rc <= 0)
        return rc;
    json_t *d =
        json_pack("{s:s, s:i, s:i, s:i, s:i}", "status", o.status, "rows", j->n, "registered",
                  j->registered, "duplicates", j->duplicates, "errors", j->invalid);
    rc = store_audit_insert(db, c->institution, "account", c->uploaded_by, "bulk.processed",
                            c->reception_number, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

static void job_free(struct job *j)
{
    for (int i = 0; i < j->n; i++) {
        struct row *r = &j->rows[i];
        bulk_row_clear(&r->check);
        secret_wipe(r->password, sizeof r->password);
        free(r->hash);
    }
    free(j->rows);
    json_decref(j->json);
}

/* Reads the job's rows and checks them all. False on a malformed job or no memory. */
static bool prepare(struct db *db, struct job *j)
{
    const struct bulk_claim *c = j->claim;
    enum institution_kind kind;
    /* The tier is the uploader's kind: the master's jobs register admins, admins' the rest. */
    enum role manager;
    if (!role_parse(c->tier, &manager) || manager != ROLE_MASTER)
        manager = ROLE_ADMIN;
    j->json = c->rows_json ? json_loads(c->rows_json, 0, NULL) : NULL;
    if (!json_is_array(j->json) || !institution_kind_parse(c->institution_kind, &kind))
        return false;
    j->n = (int)json_array_size(j->json);
    j->rows = calloc((size_t)j->n + 1, sizeof *j->rows);
    if (!j->rows)
        return false;
    for (int i = 0; i < j->n; i++) {
        struct row *r = &j->rows[i];
        json_t *cols = json_array_get(j->json, (size_t)i);
        for (int k = 0; k < BULK_COLUMNS; k++) {
            r->col[k] = json_string_value(json_array_get(cols, (size_t)k));
            if (!r->col[k])
                return false;
        }
        bulk_row_check(r->col, manager, kind, &r->check);
        r->verdict = r->check.nproblems ? ROW_INVALID : ROW_OK;
        j->invalid += r->verdict == ROW_INVALID;
        /* 処理件数 for the result screen and the live-update events; outside any
         * transaction, so that each step is seen at once. */
        if ((i + 1) % PROGRESS_ROWS == 0 || i + 1 == j->n)
            store_bulk_progress(db, c->reception_number, j->token, i + 1);
    }
    char expires[32];
    if (!time_jst_slashed(time(NULL) + (time_t)config_current()->initial_password_days * 86400,
                          expires, sizeof expires))
        return false;
    snprintf(j->expires, sizeof j->expires, "%s", expires);
    return true;
}

static int fail_system(struct db *db, const struct bulk_claim *c, const char *token)
{
    struct bulk_outcome o = {"failed_system",
                             0,
                             0,
                             0,
                             "システムエラーのため登録できませんでした。再度登録してください。",
                             NULL,
                             0};
    int rc = store_bulk_finish(db, c->reception_number, token, &o);
    log_msg(LOG_ERROR, "bulk job %s failed", c->reception_number);
    return rc < 0 ? -1 : 0;
}

int bulk_process(struct db *db, const struct bulk_claim *c, const char *token)
{
    /* A job that keeps failing (it took its worker down, or the database refuses it)
     * ends as a system error instead of being tried forever. */
    if (c->attempts > 3)
        return fail_system(db, c, token);
    struct job j = {.claim = c, .token = token};
    bool ok = prepare(db, &j);
    int rc = ok ? find_duplicates(db, &j) : 0;
    if (ok && rc < 0) {
        job_free(&j);
        return -1;
    }
    for (int i = 0; ok && !j.invalid && i < j.n; i++) {
        struct row *r = &j.rows[i];
        if (r->verdict != ROW_OK)
            continue;
        /* ≥96 random bits: the fast salted hash is enough (util/secret.h). */
        ok = secret_initial_password(r->password) == 0 &&
             (r->hash = secret_hash_initial(r->password)) != NULL;
    }
    if (!ok) {
        job_free(&j);
        return fail_system(db, c, token);
    }
    struct settings_row settings;
    if (store_settings_get(db, c->institution, &settings) > 0) {
        const char *id = "char_encoding";
        j.cp932 = strcmp(setting_in_force(id, settings_row_stored(&settings, id)), "sjis") == 0;
        settings_row_free(&settings);
    }
    /* The checks may have taken a while: the lease is renewed before the transaction, so
     * that no other worker takes the job over meanwhile. */
    if (store_bulk_renew(db, c->reception_number, token, config_current()->bulk_lease_seconds) <=
        0) {
        job_free(&j);
        return 0; /* lost: another worker holds it now */
    }
    rc = db_tx(db, "bulk.finish", DB_READ_COMMITTED, finish_tx, &j);
    job_free(&j);
    if (rc == DB_HARD)
        return fail_system(db, c, token);
    return rc < 0 ? -1 : 0;
}
