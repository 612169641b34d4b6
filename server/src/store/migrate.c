#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/migrations.h"

/* Any fixed number: it only has to be the same for every onshictl. */
#define MIGRATION_LOCK_KEY "7361746f6e736869"

int schema_expected_version(void)
{
    return migrations_count > 0 ? migrations[migrations_count - 1].version : 0;
}

static int exec_checked(struct db *db, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(db_conn(db), sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

int schema_read_version(struct db *db, int *version, char *err, size_t errlen)
{
    /* Two statements: the second would not even parse on a database without the table. */
    PGresult *r = PQexec(db_conn(db), "SELECT to_regclass('schema_version') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    bool present = col_bool(r, 0, 0);
    PQclear(r);
    *version = 0;
    if (!present)
        return 0;
    /* The statement /readyz runs, unprepared: migrations prepare nothing. */
    const struct stmt_def *d = stmt_get(STMT_SCHEMA_VERSION);
    r = d ? PQexec(db_conn(db), d->sql) : NULL;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    *version = col_int(r, 0, 0);
    PQclear(r);
    return 0;
fail:
    snprintf(err, errlen, "reading the schema version: %s", PQresultErrorMessage(r));
    PQclear(r);
    return -1;
}

int schema_check_current(struct db *db, char *err, size_t errlen)
{
    int have;
    if (schema_read_version(db, &have, err, errlen) != 0)
        return -1;
    int want = schema_expected_version();
    if (have == want)
        return 0;
    if (have < want)
        snprintf(err, errlen,
                 "database schema is at version %d, older than the %d this onshid expects: "
                 "run 'onshictl migrate'",
                 have, want);
    else
        snprintf(err, errlen,
                 "database schema is at version %d, newer than the %d this onshid expects: "
                 "run a newer onshid",
                 have, want);
    return -1;
}

static int apply_one(struct db *db, const struct migration *m, char *err, size_t errlen)
{
    struct db_params p = DB_PARAMS_INIT;
    param_int(&p, m->version);
    param_text(&p, m->name);
    if (exec_checked(db, "BEGIN", err, errlen) != 0)
        return -1;
    if (exec_checked(db, m->sql, err, errlen) != 0)
        goto fail;
    PGresult *r =
        PQexecParams(db_conn(db), "INSERT INTO schema_version (version, name) VALUES ($1, $2)", p.n,
                     NULL, p.values, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok || exec_checked(db, "COMMIT", err, errlen) != 0)
        goto fail;
    return 0;
fail:;
    char detail[512];
    snprintf(detail, sizeof detail, "%s", err);
    snprintf(err, errlen, "migration %s failed: %s", m->name, detail);
    exec_checked(db, "ROLLBACK", detail, sizeof detail);
    return -1;
}

int schema_migrate(struct db *db, FILE *progress, char *err, size_t errlen)
{
    if (exec_checked(db, "SELECT pg_advisory_lock(x'" MIGRATION_LOCK_KEY "'::bigint)", err,
                     errlen) != 0)
        return -1;
    int applied = -1, have = 0;
    if (exec_checked(db,
                     "SET client_min_messages = warning;"
                     "CREATE TABLE IF NOT EXISTS schema_version ("
                     " version integer PRIMARY KEY,"
                     " name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())",
                     err, errlen) != 0 ||
        schema_read_version(db, &have, err, errlen) != 0)
        goto out;
    if (have > schema_expected_version()) {
        snprintf(err, errlen,
                 "database schema is at version %d, newer than the %d this onshictl knows", have,
                 schema_expected_version());
        goto out;
    }
    applied = 0;
    for (int i = 0; i < migrations_count; i++) {
        if (migrations[i].version <= have)
            continue;
        if (apply_one(db, &migrations[i], err, errlen) != 0) {
            applied = -1;
            goto out;
        }
        if (progress)
            fprintf(progress, "applied %s\n", migrations[i].name);
        applied++;
    }
out:;
    char ignored[256];
    exec_checked(db, "SELECT pg_advisory_unlock(x'" MIGRATION_LOCK_KEY "'::bigint)", ignored,
                 sizeof ignored);
    return applied;
}
