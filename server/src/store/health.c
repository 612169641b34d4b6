#include "store/health.h"

#include <stdlib.h>

#include "store/db.h"

int store_schema_version(struct db *db, int *version)
{
    PGresult *r;
    int rows = db_exec(db, STMT_SCHEMA_VERSION, 0, NULL, &r);
    if (rows < 0)
        return rows;
    *version = rows > 0 ? db_int(r, 0, 0) : 0;
    PQclear(r);
    return rows;
}
