#include "store/test_data.h"

#include "store/db.h"

static const struct stmt_def stmts[] = {
    /* One registration at a time per institution: the limit below counts exactly. */
    {STMT_TEST_DATA_LOCK, "test_data_lock",
     "SELECT pg_advisory_xact_lock(hashtextextended('onshi.test_data.' "
     "|| $1, 0))",
     1},
    {STMT_TEST_CARD_UNLINK, "test_card_unlink",
     "DELETE FROM test_persons WHERE institution_code = $1 "
     "AND serial_number = $2",
     2},
    /* The count keeps an institution within its limit (under STMT_TEST_DATA_LOCK). */
    {STMT_TEST_PERSON_INSERT, "test_person_insert",
     "INSERT INTO test_persons (institution_code, source, category, qualification_type, "
     "serial_number, card_registered, insurer_number, insured_symbol, insured_number, "
     "insured_branch, payer_number, recipient_number, person, created_by) "
     "SELECT $1, $2, $3, $4, $5, $6::boolean, $7, $8, $9, $10, $11, $12, $13::jsonb, $14 "
     "WHERE (SELECT count(*) FROM test_persons WHERE institution_code = $1 AND source = $2) "
     "< $15::int RETURNING " SQL_TS("created_at"),
     15},
    {STMT_TEST_PERSONS_DELETE, "test_persons_delete",
     "DELETE FROM test_persons WHERE institution_code = $1 "
     "AND source = $2",
     2},
    {STMT_TEST_DATA_LIST, "test_data_list",
     "SELECT source, serial_number, card_registered, person::text, "
     "created_by, " SQL_TS("created_at") " FROM test_persons "
                                         "WHERE institution_code = $1 ORDER BY id",
     1},
    {STMT_TEST_CONSENTS_REVOKED, "test_consents_revoked",
     "SELECT count(*) FROM test_consents WHERE institution_code = "
     "$1 AND revoked_at IS NOT NULL AND source = 'card'",
     1},
    {STMT_TEST_CONSENTS_RESET, "test_consents_reset",
     "UPDATE test_consents SET revoked_at = NULL "
     "WHERE institution_code = $1 AND revoked_at IS NOT NULL "
     "AND source = 'card'",
     1},
};
STMT_TABLE(test_data_statements, stmts);

int store_test_person_insert(struct db *db, const char *code, const struct test_person_insert *in,
                             char created_at[32])
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, in->source);
    param_text(&p, in->category);
    param_text(&p, in->qualification_type);
    param_text(&p, in->serial_number);
    param_bool_or_null(&p, in->serial_number ? in->card_registered : -1);
    param_text(&p, in->insurer_number);
    param_text(&p, in->symbol);
    param_text(&p, in->number);
    param_text(&p, in->branch);
    param_text(&p, in->payer_number);
    param_text(&p, in->recipient_number);
    param_text(&p, in->person_json);
    param_text(&p, in->created_by);
    param_int(&p, in->limit);
    return db_row_texts(db, STMT_TEST_PERSON_INSERT, &p, &(struct col_out){created_at, 32}, 1);
}

int store_test_data_lock(struct db *db, const char *code)
{
    int n = db_command(db, STMT_TEST_DATA_LOCK, DB_TEXTS(code));
    return n < 0 ? n : 1;
}

int store_test_card_unlink(struct db *db, const char *code, const char *serial)
{
    return db_command(db, STMT_TEST_CARD_UNLINK, DB_TEXTS(code, serial));
}

int store_test_persons_delete(struct db *db, const char *code, const char *source)
{
    return db_command(db, STMT_TEST_PERSONS_DELETE, DB_TEXTS(code, source));
}

int store_test_data_list(struct db *db, const char *code, json_t **items)
{
    PGresult *r;
    *items = NULL;
    int n = db_query(db, STMT_TEST_DATA_LIST, DB_TEXTS(code), &r);
    if (n < 0)
        return n;
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *person = col_json(r, i, 3);
        if (!person) {
            json_decref(a);
            PQclear(r);
            return DB_HARD;
        }
        json_t *o = json_pack("{s:s, s:o, s:s, s:s}", "source", col_text(r, i, 0), "person", person,
                              "created_by", col_text(r, i, 4), "created_at", col_text(r, i, 5));
        if (!col_null(r, i, 1)) {
            json_object_set_new(o, "serial_number", json_string(col_text(r, i, 1)));
            json_object_set_new(o, "card_registered", json_boolean(col_bool(r, i, 2)));
        }
        json_array_append_new(a, o);
    }
    PQclear(r);
    *items = a;
    return 1;
}

int store_test_consents_revoked(struct db *db, const char *code)
{
    long long count = 0;
    int n = db_row_int64(db, STMT_TEST_CONSENTS_REVOKED, DB_TEXTS(code), &count);
    return n < 0 ? n : (int)count;
}

int store_test_consents_reset(struct db *db, const char *code)
{
    return db_command(db, STMT_TEST_CONSENTS_RESET, DB_TEXTS(code));
}
