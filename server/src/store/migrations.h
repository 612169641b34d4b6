/* The schema migrations compiled into this binary (generated from schema/ by embed_sql),
 * and the code that applies and checks them. */
#ifndef ONSHI_MIGRATIONS_H
#define ONSHI_MIGRATIONS_H

#include <stddef.h>
#include <stdio.h>

struct db;

struct migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct migration migrations[];
extern const int migrations_count;

/* The version this binary expects: the number of the last migration it carries. */
int schema_expected_version(void);

/* Reads the database's schema version (0 for an empty database). 0 on success. */
int schema_read_version(struct db *db, int *version, char *err, size_t errlen);

/* Applies the missing migrations, each in its own transaction, under an advisory lock so
 * that two migrators cannot interleave. Progress lines go to `progress` (may be NULL).
 * Refuses a database newer than this binary. Returns the number applied, or -1. */
int schema_migrate(struct db *db, FILE *progress, char *err, size_t errlen);

/* 0 when the database is exactly at the expected version; otherwise -1 with a message
 * saying whether it is older or newer and what to do. */
int schema_check_current(struct db *db, char *err, size_t errlen);

#endif
