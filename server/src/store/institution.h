/* Institutions, their operator-issued accounts, related institutions and the audit log. */
#ifndef ONSHI_STORE_INSTITUTION_H
#define ONSHI_STORE_INSTITUTION_H

#include <jansson.h>

struct db;

/* Each returns a db_status: rows affected (>0), DB_NONE, DB_CONFLICT, DB_SOFT or DB_HARD. */
int store_institution_insert(struct db *db, const char *code, const char *name, const char *kind,
                             const char *start_date);
/* Copies the name (caller frees) into *name when the institution exists. */
int store_institution_name(struct db *db, const char *code, char **name);
int store_account_insert_operator(struct db *db, const char *code, const char *user_id,
                                  const char *role, const char *name, const char *start_date,
                                  const char *password_hash);
int store_related_upsert(struct db *db, const char *code, const char *related_code,
                         const char *name, const char *established_on, const char *abolished_on);
/* details: a JSON object (not stolen). */
int store_audit_insert(struct db *db, const char *code, const char *actor_kind, const char *actor,
                       const char *action, const char *target, const char *source,
                       const json_t *details);
/* One page of the institution's audit log, newest first, as JSON objects appended to
 * `items`; *total counts all matches. Filters may be NULL. */
int store_audit_list(struct db *db, const char *code, const char *from, const char *to,
                     const char *actor, const char *action, const char *target, int limit,
                     int offset, json_t *items, long *total);
/* All institutions as a JSON array of {institution_code, name, kind, start_date, accounts}. */
int store_institution_list(struct db *db, json_t **out);

#endif
