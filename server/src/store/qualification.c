#include "store/qualification.h"

#include "store/db.h"

static const struct stmt_def stmts[] = {
    /* By insurance card (記号 and 枝番 only when given), or by 公費負担者番号 and 受給者番号.
     * Two rows mean 複数該当. */
    {STMT_QUAL_PERSON_BY_NUMBER, "qual_person_by_number",
     "SELECT id, person::text, coalesce(card_registered, true) FROM test_persons "
     "WHERE institution_code = $1 AND ((insurer_number = $2 AND insured_number = $3 "
     "AND ($4 = '' OR coalesce(insured_symbol, '') = $4) "
     "AND ($5 = '' OR coalesce(insured_branch, '') = $5)) "
     "OR (payer_number = $2 AND recipient_number = $3)) ORDER BY id LIMIT 2",
     5},
    {STMT_QUAL_PERSON_BY_SERIAL, "qual_person_by_serial",
     "SELECT id, person::text, card_registered FROM test_persons "
     "WHERE institution_code = $1 AND serial_number = $2 "
     "FOR UPDATE",
     2},
    {STMT_QUAL_CARD_REGISTERED, "qual_card_registered",
     "UPDATE test_persons SET card_registered = true "
     "WHERE institution_code = $1 AND id = $2::bigint",
     2},
    /* Per item: given (by any way, not revoked) and the latest such time in Japan time. */
    {STMT_QUAL_CONSENTS, "qual_consents",
     "SELECT item, to_char(max(given_at) FILTER (WHERE revoked_at IS NULL) AT TIME ZONE "
     "'Asia/Tokyo', 'YYYYMMDDHH24MISS') FROM test_consents WHERE institution_code = $1 "
     "AND person_id = $2::bigint GROUP BY item",
     2},
    {STMT_QUAL_CONSENT_GIVE, "qual_consent_give",
     "INSERT INTO test_consents (institution_code, person_id, item, source) "
     "VALUES ($1, $2::bigint, $3, 'card') ON CONFLICT (institution_code, person_id, item, "
     "source) DO UPDATE SET given_at = now(), revoked_at = NULL",
     3},
    /* 同意取消: every way the items were given to the card's person ends now; the number of
     * distinct items that were in force (fewer than asked: one was never given). */
    {STMT_CONSENTS_WITHDRAW, "consents_withdraw",
     "WITH w AS (UPDATE test_consents c SET revoked_at = now() FROM test_persons p "
     "WHERE p.institution_code = $1 AND p.serial_number = $2 AND c.institution_code = $1 "
     "AND c.person_id = p.id AND c.item = ANY($3::text[]) AND c.revoked_at IS NULL "
     "RETURNING c.item) SELECT count(DISTINCT item) FROM w",
     3},
    {STMT_CHECK_INSERT, "check_insert",
     "INSERT INTO qualification_checks (institution_code, account_id, account_kind, route, "
     "reference_classification, insurer_number, insured_symbol, insured_number, "
     "insured_branch, validity, result_status, result_code, file_identifier, "
     "prescription_form) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
     14},
    {STMT_VIEW_INSERT, "view_insert",
     "INSERT INTO medical_info_views (institution_code, viewer_id, viewer_kind, "
     "insurer_number, insured_symbol, insured_number, insured_branch, category, consent, "
     "method, patient_name, patient_name_kana, viewer_name) VALUES ($1, $2, $3, $4, $5, "
     "$6, $7, $8, $9, $10, $11, $12, (SELECT name FROM accounts WHERE institution_code = "
     "$1 AND user_id = $2))",
     12},
    /* The form a patient chose after the check (at the reader): that check's row, made within
     * the day (the bound lets the partitions be pruned). */
    {STMT_CHECK_PRESCRIPTION_FORM, "check_prescription_form",
     "UPDATE qualification_checks SET prescription_form = $3 "
     "WHERE institution_code = $1 AND id = $2::bigint AND "
     "checked_at > now() - interval '1 day'",
     3},
};
STMT_TABLE(qualification_statements, stmts);

void found_person_free(struct found_person *f)
{
    json_decref(f->person);
    f->person = NULL;
}

/* 1, or 2 when a second row matched too (複数該当). */
static int read_found(const PGresult *r, void *p)
{
    struct found_person *out = p;
    out->id = col_int64(r, 0, 0);
    out->person = col_json(r, 0, 1);
    out->card_registered = col_bool(r, 0, 2);
    return out->person ? (PQntuples(r) > 1 ? 2 : 1) : DB_HARD;
}

int store_qual_person_by_number(struct db *db, const char *code, const char *insurer,
                                const char *symbol, const char *number, const char *branch,
                                struct found_person *out)
{
    return db_row(db, STMT_QUAL_PERSON_BY_NUMBER, DB_TEXTS(code, insurer, number, symbol, branch),
                  read_found, out);
}

int store_qual_person_by_serial(struct db *db, const char *code, const char *serial,
                                struct found_person *out)
{
    return db_row(db, STMT_QUAL_PERSON_BY_SERIAL, DB_TEXTS(code, serial), read_found, out);
}

/* The institution and a row's bigint id (a test person's, a check's), the first two parameters. */
static void code_and_id(struct db_params *p, const char *code, long long id)
{
    param_text(p, code);
    param_int(p, id);
}

int store_qual_card_registered(struct db *db, const char *code, long long id)
{
    struct db_params p = DB_PARAMS_INIT;
    code_and_id(&p, code, id);
    int n = db_command(db, STMT_QUAL_CARD_REGISTERED, &p);
    return n < 0 ? n : 1;
}

int store_qual_consents(struct db *db, const char *code, long long id, json_t **out)
{
    struct db_params p = DB_PARAMS_INIT;
    code_and_id(&p, code, id);
    PGresult *r;
    *out = NULL;
    int n = db_query(db, STMT_QUAL_CONSENTS, &p, &r);
    if (n < 0)
        return n;
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(o, col_text(r, i, 0), col_json_text(r, i, 1));
    PQclear(r);
    *out = o;
    return 1;
}

int store_qual_consent_give(struct db *db, const char *code, long long id, const char *item)
{
    struct db_params p = DB_PARAMS_INIT;
    code_and_id(&p, code, id);
    param_text(&p, item);
    int n = db_command(db, STMT_QUAL_CONSENT_GIVE, &p);
    return n < 0 ? n : 1;
}

int store_consents_withdraw(struct db *db, const char *code, const char *serial, const char *items)
{
    long long count = 0;
    int n = db_row_int64(db, STMT_CONSENTS_WITHDRAW, DB_TEXTS(code, serial, items), &count);
    if (n <= 0)
        return n < 0 ? n : DB_HARD; /* an aggregate always has its row */
    return (int)count;
}

int store_check_insert(struct db *db, const char *code, const struct check_row *w, long long *id)
{
    int n = db_row_int64(db, STMT_CHECK_INSERT,
                         DB_TEXTS(code, w->account_id, w->account_kind, w->route,
                                  w->reference_classification, w->insurer_number, w->symbol,
                                  w->number, w->branch, w->validity, w->result_status,
                                  w->result_code, w->file_identifier, w->prescription_form),
                         id);
    return n == DB_NONE ? DB_HARD : n;
}

int store_check_prescription_form(struct db *db, const char *code, long long id, const char *form)
{
    struct db_params p = DB_PARAMS_INIT;
    code_and_id(&p, code, id);
    param_text(&p, form);
    int n = db_command(db, STMT_CHECK_PRESCRIPTION_FORM, &p);
    return n < 0 ? n : 1;
}

int store_view_insert(struct db *db, const char *code, const struct view_row *w)
{
    int n = db_command(db, STMT_VIEW_INSERT,
                       DB_TEXTS(code, w->viewer_id, w->viewer_kind, w->insurer_number, w->symbol,
                                w->number, w->branch, w->category, w->consent, w->method,
                                w->patient_name, w->patient_name_kana));
    return n < 0 ? n : 1;
}
