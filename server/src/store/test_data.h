/* Test persons and their consents (schema/0005_test_data.sql). */
#ifndef ONSHI_STORE_TEST_DATA_H
#define ONSHI_STORE_TEST_DATA_H

#include <jansson.h>
#include <stdbool.h>

struct db;

/* One person to insert; NULL for the numbers the person does not have. */
struct test_person_insert {
    const char *source; /* "card_link" or "category" */
    const char *category;
    const char *qualification_type;
    const char *serial_number; /* card links only */
    bool card_registered;
    const char *insurer_number, *symbol, *number, *branch;
    const char *payer_number, *recipient_number;
    const char *person_json;
    const char *created_by;
    int limit; /* of rows of this source per institution */
};

/* Serialises the institution's test-data registrations until the transaction ends. */
int store_test_data_lock(struct db *db, const char *code);
/* 1 inserted (created_at written), 0 the limit is reached, DB_CONFLICT a serial number or
 * insurance number the institution already has, <0 other errors. */
int store_test_person_insert(struct db *db, const char *code, const struct test_person_insert *in,
                             char created_at[32]);
/* Removes the card link of one serial number: rows removed, or <0. */
int store_test_card_unlink(struct db *db, const char *code, const char *serial);
/* Removes every person of one source: rows removed, or <0. */
int store_test_persons_delete(struct db *db, const char *code, const char *source);
/* Every person of the institution, oldest first, as {source, serial_number,
 * card_registered, person, created_by, created_at}: 1, or <0. */
int store_test_data_list(struct db *db, const char *code, json_t **items);
/* Consents revoked that 閲覧同意情報初期化 would restore: their number, or <0. */
int store_test_consents_revoked(struct db *db, const char *code);
/* Restores them: rows restored, or <0. */
int store_test_consents_reset(struct db *db, const char *code);

#endif
