#include "store/test_data.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

int store_test_person_insert(struct db *db, const char *code, const struct test_person_insert *in,
                             char created_at[32])
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", in->limit);
    const char *registered = in->serial_number ? (in->card_registered ? "true" : "false") : NULL;
    const char *p[] = {code,
                       in->source,
                       in->category,
                       in->qualification_type,
                       in->serial_number,
                       registered,
                       in->insurer_number,
                       in->symbol,
                       in->number,
                       in->branch,
                       in->payer_number,
                       in->recipient_number,
                       in->person_json,
                       in->created_by,
                       limit};
    PGresult *r;
    int n = db_exec(db, STMT_TEST_PERSON_INSERT, 15, p, &r);
    if (n > 0)
        snprintf(created_at, 32, "%s", PQgetvalue(r, 0, 0));
    if (n >= 0)
        PQclear(r);
    return n;
}

int store_test_data_lock(struct db *db, const char *code)
{
    const char *p[] = {code};
    int n = db_exec_command(db, STMT_TEST_DATA_LOCK, 1, p);
    return n < 0 ? n : 1;
}

int store_test_card_unlink(struct db *db, const char *code, const char *serial)
{
    const char *p[] = {code, serial};
    return db_exec_command(db, STMT_TEST_CARD_UNLINK, 2, p);
}

int store_test_persons_delete(struct db *db, const char *code, const char *source)
{
    const char *p[] = {code, source};
    return db_exec_command(db, STMT_TEST_PERSONS_DELETE, 2, p);
}

int store_test_data_list(struct db *db, const char *code, json_t **items)
{
    const char *p[] = {code};
    PGresult *r;
    *items = NULL;
    int n = db_exec(db, STMT_TEST_DATA_LIST, 1, p, &r);
    if (n < 0)
        return n;
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *person = json_loads(PQgetvalue(r, i, 3), 0, NULL);
        if (!person) {
            json_decref(a);
            PQclear(r);
            return DB_HARD;
        }
        json_t *o =
            json_pack("{s:s, s:o, s:s, s:s}", "source", PQgetvalue(r, i, 0), "person", person,
                      "created_by", PQgetvalue(r, i, 4), "created_at", PQgetvalue(r, i, 5));
        if (!PQgetisnull(r, i, 1)) {
            json_object_set_new(o, "serial_number", json_string(PQgetvalue(r, i, 1)));
            json_object_set_new(o, "card_registered", json_boolean(PQgetvalue(r, i, 2)[0] == 't'));
        }
        json_array_append_new(a, o);
    }
    PQclear(r);
    *items = a;
    return 1;
}

int store_test_consents_revoked(struct db *db, const char *code)
{
    const char *p[] = {code};
    PGresult *r;
    int n = db_exec(db, STMT_TEST_CONSENTS_REVOKED, 1, p, &r);
    if (n < 0)
        return n;
    int count = n > 0 ? db_int(r, 0, 0) : 0;
    PQclear(r);
    return count;
}

int store_test_consents_reset(struct db *db, const char *code)
{
    const char *p[] = {code};
    return db_exec_command(db, STMT_TEST_CONSENTS_RESET, 1, p);
}
