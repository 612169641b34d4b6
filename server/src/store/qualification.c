#include "store/qualification.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

void found_person_free(struct found_person *f)
{
    json_decref(f->person);
    f->person = NULL;
}

static int found(PGresult *r, int n, struct found_person *out)
{
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n;
    }
    out->id = db_int64(r, 0, 0);
    out->person = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
    out->card_registered = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    return out->person ? (n > 1 ? 2 : 1) : DB_HARD;
}

int store_qual_person_by_number(struct db *db, const char *code, const char *insurer,
                                const char *symbol, const char *number, const char *branch,
                                struct found_person *out)
{
    const char *p[] = {code, insurer, number, symbol, branch};
    PGresult *r;
    int n = db_exec(db, STMT_QUAL_PERSON_BY_NUMBER, 5, p, &r);
    return found(r, n, out);
}

int store_qual_person_by_serial(struct db *db, const char *code, const char *serial,
                                struct found_person *out)
{
    const char *p[] = {code, serial};
    PGresult *r;
    int n = db_exec(db, STMT_QUAL_PERSON_BY_SERIAL, 2, p, &r);
    return found(r, n, out);
}

int store_qual_card_registered(struct db *db, const char *code, long long id)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {code, ids};
    int n = db_exec_command(db, STMT_QUAL_CARD_REGISTERED, 2, p);
    return n < 0 ? n : 1;
}

int store_qual_consents(struct db *db, const char *code, long long id, json_t **out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {code, ids};
    PGresult *r;
    *out = NULL;
    int n = db_exec(db, STMT_QUAL_CONSENTS, 2, p, &r);
    if (n < 0)
        return n;
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(o, PQgetvalue(r, i, 0),
                            PQgetisnull(r, i, 1) ? json_null() : json_string(PQgetvalue(r, i, 1)));
    PQclear(r);
    *out = o;
    return 1;
}

int store_qual_consent_give(struct db *db, const char *code, long long id, const char *item)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {code, ids, item};
    int n = db_exec_command(db, STMT_QUAL_CONSENT_GIVE, 3, p);
    return n < 0 ? n : 1;
}

int store_consents_withdraw(struct db *db, const char *code, const char *serial, const char *items)
{
    const char *p[] = {code, serial, items};
    PGresult *r;
    int n = db_exec(db, STMT_CONSENTS_WITHDRAW, 3, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n < 0 ? n : DB_HARD; /* an aggregate always has its row */
    }
    int count = db_int(r, 0, 0);
    PQclear(r);
    return count;
}

int store_check_insert(struct db *db, const char *code, const struct check_row *w, long long *id)
{
    const char *p[] = {code,
                       w->account_id,
                       w->account_kind,
                       w->route,
                       w->reference_classification,
                       w->insurer_number,
                       w->symbol,
                       w->number,
                       w->branch,
                       w->validity,
                       w->result_status,
                       w->result_code,
                       w->file_identifier,
                       w->prescription_form};
    PGresult *r;
    int n = db_exec(db, STMT_CHECK_INSERT, 14, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n < 0 ? n : DB_HARD;
    }
    *id = db_int64(r, 0, 0);
    PQclear(r);
    return 1;
}

int store_check_prescription_form(struct db *db, const char *code, long long id, const char *form)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {code, ids, form};
    int n = db_exec_command(db, STMT_CHECK_PRESCRIPTION_FORM, 3, p);
    return n < 0 ? n : 1;
}

int store_view_insert(struct db *db, const char *code, const struct view_row *w)
{
    const char *p[] = {code,       w->viewer_id, w->viewer_kind,  w->insurer_number,
                       w->symbol,  w->number,    w->branch,       w->category,
                       w->consent, w->method,    w->patient_name, w->patient_name_kana};
    int n = db_exec_command(db, STMT_VIEW_INSERT, 12, p);
    return n < 0 ? n : 1;
}
