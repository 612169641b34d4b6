/* Card readers, the bridge's heartbeat and the readers' screens (schema/0008_readers.sql). */
#ifndef ONSHI_STORE_READERS_H
#define ONSHI_STORE_READERS_H

#include <jansson.h>
#include <stdbool.h>

struct db;

int store_reader_service(struct db *db, const char *code, bool up);
int store_reader_seen(struct db *db, const char *code, const char *name);
int store_reader_state(struct db *db, const char *code, const char *name, const char *state);
int store_reader_result(struct db *db, const char *code, const char *name, const json_t *result);
/* The reader's bound account if it is usable: 1 (user_id, role written), 0 none, <0. */
int store_reader_binding(struct db *db, const char *code, const char *name, char user_id[17],
                         char role[16]);
int store_reader_visual_expire(struct db *db, const char *code, int seconds);
/* The reader's last card (last_result, new reference or NULL) and its bound account (empty:
 * none), locked until the transaction ends: 1, 0 no such reader, <0. */
int store_reader_last(struct db *db, const char *code, const char *name, json_t **last,
                      char account[17]);
/* The patient's answers to the reader's screens, kept with its last card: 1, or <0. */
int store_reader_answered(struct db *db, const char *code, const char *name, const json_t *answers);

/* {service: {up, seen_at}, items: [...]} (new reference in *out): 1, or <0. */
int store_readers_list(struct db *db, const char *code, int visual_seconds, json_t **out);
/* 1 when the institution has readers (a bridge reported for it, or readers seen), 0 not, <0. */
int store_readers_present(struct db *db, const char *code);
/* 1 updated (new version in *version), 0 not (*exists says whether the reader is known, so
 * the version was stale), <0. */
int store_reader_update(struct db *db, const char *code, const char *name, const char *mode,
                        bool visual, const char *account, int *version, bool *exists);

/* The saved screens (NULL: never saved) and version (1 when never saved): 1, or <0. */
int store_reader_display_get(struct db *db, const char *code, json_t **screens, int *version,
                             char updated_at[32], char updated_by[17]);
/* 1 saved, 0 stale version, <0. */
int store_reader_display_save(struct db *db, const char *code, const char *screens_json,
                              int version, const char *by);

#endif
