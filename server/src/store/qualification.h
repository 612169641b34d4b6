/* What a qualification check and a medical-information view read and write: test persons,
 * their consents, and the two history tables (schema/0005, 0006). */
#ifndef ONSHI_STORE_QUALIFICATION_H
#define ONSHI_STORE_QUALIFICATION_H

#include <jansson.h>
#include <stdbool.h>

struct db;

struct found_person {
    long long id;
    json_t *person; /* owned */
    bool card_registered;
};

void found_person_free(struct found_person *f);

/* 1 one person, 2 several (the first in *out), 0 none, <0 errors. */
int store_qual_person_by_number(struct db *db, const char *code, const char *insurer,
                                const char *symbol, const char *number, const char *branch,
                                struct found_person *out);
/* The holder of a linked card, locked until the transaction ends: 1, 0 none, <0. */
int store_qual_person_by_serial(struct db *db, const char *code, const char *serial,
                                struct found_person *out);
int store_qual_card_registered(struct db *db, const char *code, long long id);
/* Consents of a person: an object item → the time given (YYYYMMDDHHmmss, Japan) or null
 * when revoked (new reference in *out): 1, or <0. */
int store_qual_consents(struct db *db, const char *code, long long id, json_t **out);
int store_qual_consent_give(struct db *db, const char *code, long long id, const char *item);
/* 同意取消 of `items` (a PostgreSQL array literal, "{drug,checkup}") for the person of the
 * card `serial`, whichever way each was given: the number of distinct items that were in
 * force (all of them withdrawn now), or <0. Fewer than asked means one was not given. */
int store_consents_withdraw(struct db *db, const char *code, const char *serial, const char *items);

/* A qualification-check history row; NULL for what is unknown. */
struct check_row {
    const char *account_id, *account_kind, *route, *reference_classification;
    const char *insurer_number, *symbol, *number, *branch;
    const char *validity, *result_status, *result_code, *file_identifier;
    const char *prescription_form; /* PrescriptionIssueSelect the patient chose: "1", "2" */
};
/* Writes the row; its id in *id. 1, or <0. */
int store_check_insert(struct db *db, const char *code, const struct check_row *row, long long *id);
/* The prescription form ("1", "2") chosen after check `id` was written (at the reader). */
int store_check_prescription_form(struct db *db, const char *code, long long id, const char *form);

struct view_row {
    const char *viewer_id, *viewer_kind;
    const char *insurer_number, *symbol, *number, *branch;
    const char *category, *consent, *method;
    const char *patient_name, *patient_name_kana; /* as the person is named at the view */
};
/* Writes the row with the viewer's ユーザ名 as the account has it now (history keeps it). */
int store_view_insert(struct db *db, const char *code, const struct view_row *row);

#endif
