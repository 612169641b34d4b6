#include "store/history.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static const struct stmt_def stmts[] = {
    {STMT_CHECKS_COUNT, "checks_count",
     "SELECT count(*) FROM qualification_checks WHERE institution_code = "
     "$1 AND checked_at >= $2::timestamptz AND checked_at < $3::timestamptz",
     3},
    {STMT_CHECKS_PAGE, "checks_page",
     "SELECT " SQL_TS(
         "checked_at") ", account_id, account_kind, route, "
                       "reference_classification, insurer_number, insured_symbol, "
                       "insured_number, "
                       "insured_branch, validity, result_status, result_code, file_identifier "
                       "FROM qualification_checks WHERE institution_code = $1 AND checked_at "
                       ">= "
                       "$2::timestamptz AND checked_at < $3::timestamptz ORDER BY checked_at "
                       "DESC, id DESC "
                       "LIMIT $4::int OFFSET $5::int",
     5},
    {STMT_VIEWS_COUNT, "views_count",
     "SELECT count(*) FROM medical_info_views WHERE institution_code = $1 "
     "AND viewed_at >= $2::timestamptz AND viewed_at < $3::timestamptz "
     "AND ($4 = 'all' OR category = $4)",
     4},
    {STMT_VIEWS_PAGE, "views_page",
     "SELECT " SQL_TS("viewed_at") ", viewer_id, viewer_name, viewer_kind, insurer_number, "
                                   "insured_symbol, insured_number, insured_branch, "
                                   "patient_name, patient_name_kana, category, consent, method "
                                   "FROM "
                                   "medical_info_views "
                                   "WHERE institution_code = $1 AND viewed_at >= $2::timestamptz "
                                   "AND viewed_at < "
                                   "$3::timestamptz AND ($4 = 'all' OR category = $4) ORDER BY "
                                   "viewed_at DESC, id DESC "
                                   "LIMIT $5::int OFFSET $6::int",
     6},
    /* One onshid at a time keeps the partitions; the others skip the round. */
    {STMT_HISTORY_LOCK, "history_lock",
     "SELECT pg_try_advisory_xact_lock(hashtextextended("
     "'onshi.history_partitions', 0))",
     0},
    /* A year ahead, so that the DDL (which needs the parent's lock) runs about once a month. */
    {STMT_HISTORY_ENSURE, "history_ensure",
     "SELECT history_partitions_ensure((now() AT TIME ZONE "
     "'Asia/Tokyo')::date, 12)",
     0},
    {STMT_HISTORY_DROP, "history_drop",
     "SELECT history_partitions_drop_before(((now() AT TIME ZONE "
     "'Asia/Tokyo')::date - make_interval(months => $1::int - 1))::date)",
     1},
};
STMT_TABLE(history_statements, stmts);

static int read_flag(const PGresult *r, void *out)
{
    *(bool *)out = col_bool(r, 0, 0);
    return 1;
}

/* One DDL statement in a transaction of its own, under the advisory lock. Creating or
 * dropping a partition needs the parent table's lock, which waits behind any running
 * download while every insert queues behind the wait: give up after 100 ms and try again
 * at the next round instead. 1 done, 0 another onshid holds the lock, <0. */
static int partition_tx(struct db *db, enum stmt_id id, const struct db_params *p, int *count)
{
    if (db_exec_sql(db, "BEGIN") < 0)
        return DB_SOFT;
    bool mine = false;
    int rc = db_exec_sql(db, "SET LOCAL lock_timeout = '100ms'");
    if (rc == 0)
        rc = db_row(db, STMT_HISTORY_LOCK, NULL, read_flag, &mine);
    long long n = 0;
    if (rc >= 0 && mine && (rc = db_row_int64(db, id, p, &n)) > 0)
        *count = (int)n;
    if (rc < 0 || db_exec_sql(db, "COMMIT") < 0) {
        db_exec_sql(db, "ROLLBACK");
        return rc < 0 ? rc : DB_SOFT;
    }
    return mine ? 1 : 0;
}

int store_history_maintain(struct db *db, int retention_months, int *created, int *dropped)
{
    struct db_params p = DB_PARAMS_INIT;
    param_int(&p, retention_months);
    int rc = partition_tx(db, STMT_HISTORY_ENSURE, NULL, created);
    int rd = rc >= 0 ? partition_tx(db, STMT_HISTORY_DROP, &p, dropped) : rc;
    return rc < 0 ? rc : rd;
}

static const char *const check_keys[] = {"checked_at",
                                         "user_id",
                                         "account_kind",
                                         "route",
                                         "reference_classification",
                                         "insurer_number",
                                         "insured_card_symbol",
                                         "insured_number",
                                         "insured_branch_number",
                                         "validity",
                                         "result_status",
                                         "result_code",
                                         "file_identifier"};
static const char *const view_keys[] = {"viewed_at",      "user_id",
                                        "user_name",      "account_kind",
                                        "insurer_number", "insured_card_symbol",
                                        "insured_number", "insured_branch_number",
                                        "patient_name",   "patient_name_kana",
                                        "category",       "consent",
                                        "method"};

static int history_page(struct db *db, enum history_kind kind, const char *code, const char *from,
                        const char *to, const char *category, int limit, int offset, json_t **items,
                        long *total)
{
    bool checks = kind == HISTORY_CHECKS;
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, from);
    param_text(&p, to);
    if (!checks)
        param_text(&p, category);
    *items = NULL;
    long long count = 0;
    int n = db_row_int64(db, checks ? STMT_CHECKS_COUNT : STMT_VIEWS_COUNT, &p, &count);
    if (n <= 0)
        return n < 0 ? n : DB_HARD;
    *total = (long)count;
    param_int(&p, limit);
    param_int(&p, offset);
    PGresult *r;
    n = db_query(db, checks ? STMT_CHECKS_PAGE : STMT_VIEWS_PAGE, &p, &r);
    if (n < 0)
        return n;
    const char *const *keys = checks ? check_keys : view_keys;
    int nkeys = checks ? (int)(sizeof check_keys / sizeof check_keys[0])
                       : (int)(sizeof view_keys / sizeof view_keys[0]);
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        for (int k = 0; k < nkeys; k++)
            json_object_set_new(o, keys[k], col_json_text(r, i, k));
        json_array_append_new(a, o);
    }
    PQclear(r);
    *items = a;
    return 1;
}

struct page_args {
    enum history_kind kind;
    const char *code, *from, *to, *category;
    int limit, offset;
    json_t **items;
    long *total;
};

static int page_tx(struct db *db, void *p)
{
    struct page_args *a = p;
    json_decref(*a->items);
    *a->items = NULL;
    return history_page(db, a->kind, a->code, a->from, a->to, a->category, a->limit, a->offset,
                        a->items, a->total);
}

int store_history_page(struct db *db, enum history_kind kind, const char *code, const char *from,
                       const char *to, const char *category, int limit, int offset, json_t **items,
                       long *total)
{
    /* The count and the page from one snapshot: the total agrees with the items. */
    struct page_args a = {kind, code, from, to, category, limit, offset, items, total};
    *items = NULL;
    int rc = db_tx(db, "history.page", DB_REPEATABLE_READ, page_tx, &a);
    if (rc < 0) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

/* The CSV files. COPY takes no bind parameters, so the search conditions travel as bound
 * values into transaction-local settings (set_config) that the constant query reads: no
 * value is ever spliced into SQL text. */
#define JST(col) "to_char(" col " AT TIME ZONE 'Asia/Tokyo', 'YYYY/MM/DD HH24:MI:SS')"
#define KIND_LABEL(col)                                                                            \
    "CASE " col " WHEN 'admin' THEN '管理者' WHEN 'general' THEN '一般利用者' "            \
    "WHEN 'medical_viewer' THEN '医療情報閲覧' "                                             \
    "WHEN 'webapi' THEN 'WebAPI用' WHEN 'linked_app' THEN '連携アプリケーション用' "   \
    "ELSE '顔認証付きカードリーダー用' END"
/* Text a client chose, made inert for spreadsheets (OWASP "CSV injection"): schema/0012. */
#define INERT(col) "onshi_csv_inert(" col ")"
#define IN_RANGE(col)                                                                              \
    "institution_code = current_setting('onshi.csv_institution') AND " col                         \
    " >= current_setting('onshi.csv_from')::timestamptz AND " col                                  \
    " < current_setting('onshi.csv_to')::timestamptz"

/* clang-format off */
static const char checks_select[] =
    "SELECT " JST("checked_at") " AS \"資格確認日時\", account_id AS \"ユーザID\", "
    KIND_LABEL("account_kind") " AS \"権限区分\", "
    "CASE route WHEN 'screen' THEN '画面' WHEN 'webapi' THEN 'WebAPI' "
    "WHEN 'linked_app' THEN '連携アプリケーション' ELSE '顔認証付きカードリーダー' END AS \"照会経路\", "
    "CASE reference_classification WHEN '1' THEN 'マイナンバーカード' ELSE '被保険者証' END "
    "AS \"照会区分\", insurer_number AS \"保険者番号\", " INERT("insured_symbol") " AS "
    "\"被保険者証記号\", " INERT("insured_number") " AS \"被保険者証番号\", "
    INERT("insured_branch") " AS \"被保険者証枝番\", "
    "CASE validity WHEN '1' THEN '有効' WHEN '2' THEN '無効' WHEN '3' THEN '無効（新しい資格あり）' "
    "WHEN '4' THEN '該当資格なし' WHEN '5' THEN '複数該当' END AS \"資格有効性\", "
    "CASE result_status WHEN '1' THEN '正常' ELSE 'エラー' END AS \"処理結果\", "
    "result_code AS \"処理結果コード\", " INERT("file_identifier") " AS \"任意のファイル識別子\" "
    "FROM qualification_checks WHERE " IN_RANGE("checked_at") " ORDER BY checked_at, id";

static const char views_select[] =
    "SELECT " JST("viewed_at") " AS \"閲覧日時\", viewer_id AS \"ユーザID\", "
    INERT("viewer_name") " AS \"ユーザ名\", "
    KIND_LABEL("viewer_kind") " AS \"権限区分\", insurer_number AS \"保険者番号\", "
    INERT("insured_symbol") " AS \"被保険者証記号\", " INERT("insured_number")
    " AS \"被保険者証番号\", " INERT("insured_branch") " AS \"被保険者証枝番\", "
    INERT("patient_name") " AS \"氏名\", " INERT("patient_name_kana") " AS \"氏名（カナ）\", "
    "CASE category WHEN 'checkup' THEN '特定健診情報' WHEN 'drug' THEN '薬剤情報' "
    "ELSE '手術・診療・薬剤情報' END AS \"照会情報区分\", "
    "CASE consent WHEN 'given' THEN '同意あり' ELSE '同意不要' END AS \"閲覧同意\", "
    "CASE method WHEN 'normal' THEN '通常' ELSE '緊急時' END AS \"閲覧方法\" "
    "FROM medical_info_views WHERE " IN_RANGE("viewed_at")
    " AND (current_setting('onshi.csv_category') = 'all' OR "
    "category = current_setting('onshi.csv_category')) ORDER BY viewed_at, id";
/* clang-format on */

const char *history_csv_select(enum history_kind kind)
{
    return kind == HISTORY_CHECKS ? checks_select : views_select;
}

struct csv_stream {
    struct db *db;
    iconv_t cp932;   /* UTF-8 → CP932, or (iconv_t)-1 for UTF-8 files */
    char *converted; /* the row in CP932 */
    size_t converted_size;
    char *row;   /* the row being handed out (from PQgetCopyData) */
    size_t len;  /* its length, with CRLF */
    size_t sent; /* bytes of it already handed out */
    bool done;
};

static int exec_ok(struct db *db, PGresult *r, ExecStatusType want, const char *what)
{
    int rc = PQresultStatus(r) == want ? 1 : db_classify(db, r, what);
    PQclear(r);
    return rc;
}

void history_csv_close(struct csv_stream *s)
{
    if (!s)
        return;
    if (s->row)
        PQfreemem(s->row);
    if (s->cp932 != (iconv_t)-1)
        iconv_close(s->cp932);
    free(s->converted);
    db_close(s->db); /* an unfinished COPY ends with the connection */
    free(s);
}

int history_csv_open(const struct db_options *opt, enum history_kind kind, const char *code,
                     const char *from, const char *to, const char *category, bool cp932,
                     long max_rows, int timeout_s, long *count, struct csv_stream **out)
{
    char err[256];
    struct db_options o = *opt;
    o.prepare = false;
    *out = NULL;
    struct csv_stream *s = calloc(1, sizeof *s);
    if (s)
        s->cp932 = (iconv_t)-1;
    if (s && cp932 && (s->cp932 = iconv_open("CP932", "UTF-8")) == (iconv_t)-1) {
        free(s);
        return DB_HARD;
    }
    if (!s || !(s->db = db_open(&o, err, sizeof err))) {
        history_csv_close(s);
        return DB_SOFT;
    }
    PGconn *c = db_conn(s->db);
    bool checks = kind == HISTORY_CHECKS;
    int rc = db_exec_sql(s->db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc == 0) {
        char ms[24];
        snprintf(ms, sizeof ms, "%lld", (long long)timeout_s * 1000);
        const char *p[] = {ms};
        rc = exec_ok(s->db,
                     PQexecParams(c, "SELECT set_config('statement_timeout', $1, true)", 1, NULL, p,
                                  NULL, NULL, 0),
                     PGRES_TUPLES_OK, "history_csv statement_timeout");
        rc = rc > 0 ? 0 : DB_HARD;
    }
    if (rc == 0) {
        /* The page's count, unprepared: this connection prepares nothing. */
        const struct stmt_def *d = stmt_get(checks ? STMT_CHECKS_COUNT : STMT_VIEWS_COUNT);
        const char *p[] = {code, from, to, category};
        PGresult *r = d ? PQexecParams(c, d->sql, d->nparams, NULL, p, NULL, NULL, 0) : NULL;
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            *count = col_int64(r, 0, 0);
        rc = exec_ok(s->db, r, PGRES_TUPLES_OK, d ? d->name : "history_csv count");
    }
    if (rc > 0 && *count > max_rows) {
        history_csv_close(s);
        return 0;
    }
    if (rc > 0) {
        const char *p[] = {code, from, to, category ? category : "all"};
        rc = exec_ok(s->db,
                     PQexecParams(c,
                                  "SELECT set_config('onshi.csv_institution', $1, true), "
                                  "set_config('onshi.csv_from', $2, true), "
                                  "set_config('onshi.csv_to', $3, true), "
                                  "set_config('onshi.csv_category', $4, true)",
                                  4, NULL, p, NULL, NULL, 0),
                     PGRES_TUPLES_OK, "history_csv settings");
    }
    char copy[sizeof checks_select + sizeof views_select + 64];
    snprintf(copy, sizeof copy, "COPY (%s) TO STDOUT WITH (FORMAT csv, HEADER true)",
             history_csv_select(kind));
    if (rc > 0)
        rc = exec_ok(s->db, PQexec(c, copy), PGRES_COPY_OUT, "history_csv COPY");
    if (rc <= 0) {
        history_csv_close(s);
        return rc < 0 ? rc : DB_HARD;
    }
    *out = s;
    return 1;
}

/* The row in CP932 in place of the UTF-8 one, returning its new length (the query text has
 * Japanese in it and must stay UTF-8, so PostgreSQL cannot convert for us). Characters
 * CP932 lacks fail the file. */
static int to_cp932(struct csv_stream *s, int len)
{
    size_t need = (size_t)len + 1; /* CP932 never takes more bytes than UTF-8 */
    if (s->converted_size < need) {
        char *b = realloc(s->converted, need);
        if (!b)
            return -1;
        s->converted = b;
        s->converted_size = need;
    }
    char *in = s->row, *out = s->converted;
    size_t inleft = (size_t)len, outleft = s->converted_size;
    iconv(s->cp932, NULL, NULL, NULL, NULL);
    if (iconv(s->cp932, &in, &inleft, &out, &outleft) == (size_t)-1)
        return -1;
    size_t n = (size_t)(out - s->converted);
    memcpy(s->row, s->converted, n); /* never longer: fits where the row was */
    return (int)n;
}

ssize_t history_csv_read(struct csv_stream *s, char *buf, size_t max)
{
    size_t n = 0;
    while (n < max) {
        if (s->row && s->sent < s->len) {
            size_t k = s->len - s->sent < max - n ? s->len - s->sent : max - n;
            /* The row's own text, then CR LF in place of COPY's LF. */
            for (size_t i = 0; i < k; i++, s->sent++) {
                size_t body = s->len - 2;
                buf[n++] = (char)(s->sent < body ? s->row[s->sent] : s->sent == body ? '\r' : '\n');
            }
            continue;
        }
        if (s->row) {
            PQfreemem(s->row);
            s->row = NULL;
        }
        if (s->done)
            break;
        PGconn *c = db_conn(s->db);
        int len = PQgetCopyData(c, &s->row, 0);
        if (len > 0) {
            if (s->row[len - 1] != '\n' ||
                (s->cp932 != (iconv_t)-1 && (len = to_cp932(s, len)) <= 0))
                return -1;
            s->len = (size_t)len + 1; /* LF becomes CR LF */
            s->sent = 0;
            continue;
        }
        if (len == -2)
            return -1;
        s->row = NULL;
        int rc = exec_ok(s->db, PQgetResult(c), PGRES_COMMAND_OK, "history_csv COPY end");
        if (rc <= 0 || db_exec_sql(s->db, "COMMIT") < 0)
            return -1;
        s->done = true;
    }
    return (ssize_t)n;
}
