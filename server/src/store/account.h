/* Accounts managed through the API (manual ch. 2). */
#ifndef ONSHI_STORE_ACCOUNT_H
#define ONSHI_STORE_ACCOUNT_H

#include <stdbool.h>

struct db;

struct account_row {
    char user_id[17];
    char role[16];
    char *name;      /* malloc'd */
    char *name_kana; /* malloc'd */
    char start_date[11];
    char end_date[11];
    bool enabled;
    bool locked;
    bool password_is_initial;
    bool password_expired;
    char password_expires_at[32];
    char last_login_at[32]; /* empty if never */
    char created_at[32];
    char updated_at[32];
    long version;
};

struct account_policy {
    int lockout_threshold;
    int initial_password_days;
    int password_expiry_days;
};

/* 1, DB_CONFLICT when the ID exists or existed (deleted IDs stay as tombstones). */
int store_account_insert(struct db *db, const char *code, const char *user_id, const char *role,
                         const char *name, const char *name_kana, const char *start_date,
                         const char *end_date, const char *password_hash);
/* 1 with *out filled (free with account_row_free), DB_NONE if absent or deleted. */
int store_account_get(struct db *db, const char *code, const char *user_id,
                      const struct account_policy *policy, struct account_row *out);
void account_row_free(struct account_row *row);

struct account_change {
    const char *name, *name_kana, *enabled, *start_date, *end_date; /* NULL: unchanged */
    const char *version;
};
/* 1 applied; DB_NONE when absent, deleted, the version is stale or the dates would cross. */
int store_account_update(struct db *db, const char *code, const char *user_id,
                         const struct account_change *c);
/* 1 deleted (tombstone), DB_NONE when absent, already deleted or (with a version, NULL for
 * any) the version is stale. */
int store_account_delete(struct db *db, const char *code, const char *user_id, const char *version);
/* 1 with the new initial password's expiry in expires_at (≥32 bytes). */
int store_account_reset_password(struct db *db, const char *code, const char *user_id,
                                 const char *hash, int valid_days, char expires_at[32]);

/* Search filters; NULL / -1 for "any". */
struct account_filter {
    const char *roles;     /* a text[] literal of the kinds the caller manages, e.g. {admin} */
    const char *user_id;   /* partial, case-insensitive */
    const char *name;      /* partial, normalised */
    const char *name_kana; /* partial, normalised */
    int enabled;           /* -1, 0, 1 */
    int locked;            /* -1, 0, 1 */
    const char *start_from;
    const char *end_until;
    const char *password_state;          /* initial, expired or active */
    const char *password_expires_before; /* a day: passwords due before it, never-due excluded */
    const char *last_login_before;       /* a day: dormant since (or never signed in, older) */
    const char *human_roles;             /* text[] literal: kinds whose chosen passwords expire */
    const char *sort; /* user_id, name_kana, start_date, end_date, last_login_at, "-" first for
                         descending; never NULL */
    int limit, offset;
};

/* One page of accounts in `sort` order, user ID breaking ties (*rows, *nrows: free with
 * account_rows_free) and the total number matching. */
int store_account_list(struct db *db, const char *code, const struct account_filter *f,
                       const struct account_policy *policy, struct account_row **rows, int *nrows,
                       long *total);
void account_rows_free(struct account_row *rows, int n);

#endif
