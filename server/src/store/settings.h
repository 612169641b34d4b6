/* Environment settings and the terms of use (schema/0004_settings.sql). */
#ifndef ONSHI_STORE_SETTINGS_H
#define ONSHI_STORE_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>

struct db;

struct settings_row {
    json_t *stored; /* item → value as last saved; NULL: never changed (the defaults) */
    int version;
    char updated_at[32]; /* empty when never changed */
    char updated_by[17];
    char kind[16];   /* the institution's kind */
    json_t *related; /* 関連医療機関情報, an array */
    char terms_version[32];
    bool terms_agreed;    /* to the current version */
    bool pmh_participant; /* marked by the operator: 医療費助成情報 may be 利用する */
};

/* 1 (free with settings_row_free), DB_NONE when there is no such institution. */
int store_settings_get(struct db *db, const char *code, struct settings_row *out);
void settings_row_free(struct settings_row *r);
/* The value the institution saved for item `id`, or NULL (then the default applies:
 * setting_in_force in core/settings.h). */
const char *settings_row_stored(const struct settings_row *r, const char *id);
/* Saves a complete set made against `version`: 1, or DB_NONE when it is stale. */
int store_settings_save(struct db *db, const char *code, const char *settings_json, int version,
                        const char *by);
/* The current terms: 1 with *body malloc'd. */
int store_terms_current(struct db *db, char version[32], char published_at[32], char **body);
/* Marks the institution as a PMH participant or not (*was: the mark before); turning it off
 * puts a saved 医療費助成情報 = 利用する back to 利用しない (*cleared, as a change by `by`).
 * 1, DB_NONE when there is no such institution, <0. Call within a transaction. */
int store_institution_pmh_set(struct db *db, const char *code, bool on, const char *by, bool *was,
                              bool *cleared);
int store_terms_agree(struct db *db, const char *code, const char *version, const char *by);

#endif
