#include "store/health.h"

#include "store/db.h"

static const struct stmt_def stmts[] = {
    {STMT_SCHEMA_VERSION, "schema_version", "SELECT coalesce(max(version), 0) FROM schema_version",
     0},
};
STMT_TABLE(health_statements, stmts);

static int read_version(const PGresult *r, void *out)
{
    *(int *)out = col_int(r, 0, 0);
    return 1;
}

int store_schema_version(struct db *db, int *version)
{
    *version = 0;
    return db_row(db, STMT_SCHEMA_VERSION, NULL, read_version, version);
}
