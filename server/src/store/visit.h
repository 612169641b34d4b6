/* Per-institution URL tokens and what arrives through them (schema/0007_visit_urls.sql). */
#ifndef ONSHI_STORE_VISIT_H
#define ONSHI_STORE_VISIT_H

#include <jansson.h>
#include <stdbool.h>

struct db;

enum { VISIT_TOKEN_LEN = 43 };

struct visit_current {
    char kind[16];
    int generation;
    char token[VISIT_TOKEN_LEN + 1];
    bool can_revert;
    char previous_token[VISIT_TOKEN_LEN + 1]; /* what 変更前に戻す brings back ("" none) */
    char initial_token[VISIT_TOKEN_LEN + 1];  /* what 最初のURLに戻す brings back */
};

/* The current token of both kinds (home_visit, online_care in that order), with their previous
 * and first tokens: their number. */
int store_visit_list(struct db *db, const char *code, struct visit_current out[2]);
/* The current token of one kind: 1, 0 none, <0. */
int store_visit_current(struct db *db, const char *code, const char *kind,
                        struct visit_current *out);

enum visit_op { VISIT_CHANGE, VISIT_REVERT, VISIT_RESET };
enum visit_refusal { VISIT_OK, VISIT_NO_PREVIOUS, VISIT_ALREADY_INITIAL };

/* One operation inside the caller's transaction: 1 done (or *refusal says why not), <0. */
int store_visit_apply(struct db *db, const char *code, const char *kind, enum visit_op op,
                      const char *by, enum visit_refusal *refusal, int *generation);

/* Whoever a token belongs to. */
struct visit_owner {
    char institution_code[11];
    char kind[16];
    char state[16];
    int generation;
    char institution_name[512];
    char institution_kind[16];
    json_t *settings; /* as saved (owned), NULL when never changed */
};
void visit_owner_free(struct visit_owner *o);
/* 1 found, 0 unknown token, <0. */
int store_visit_by_token(struct db *db, const char *token, struct visit_owner *out);

/* Records a consent registration (or, with `withdraw`, a 同意取消) through `token` if it is
 * still current, in one transaction; items as a PostgreSQL array literal ("{drug,checkup}"),
 * `item_count` of them. In the verification environment also gives the consents to the
 * card's test person, or withdraws them however they were given. 1 and received_at, 0 the
 * token is no longer current, 2 a withdrawal named an item not in force (nothing written),
 * <0. */
int store_visit_consent(struct db *db, const struct visit_owner *o, const char *token,
                        const char *serial, const char *items, int item_count, bool withdraw,
                        const char *address, bool verification, char received_at[32]);

#endif
