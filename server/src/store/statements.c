#include "store/statements.h"

/* Names are the statement names given to PQprepare; keep them equal to the enum. */
const struct stmt_def stmt_defs[STMT__COUNT] = {
    [STMT_SCHEMA_VERSION] = {"schema_version",
                             "SELECT coalesce(max(version), 0) FROM schema_version", 0},
    [STMT_INSTITUTION_INSERT] = {"institution_insert",
                                 "INSERT INTO institutions (institution_code, name, kind, "
                                 "start_date) VALUES ($1, $2, $3, $4)",
                                 4},
    [STMT_INSTITUTION_LIST] = {"institution_list",
                               "SELECT institution_code, name, kind, start_date::text, "
                               "(SELECT count(*) FROM accounts a WHERE a.institution_code = "
                               "i.institution_code AND a.deleted_at IS NULL) "
                               "FROM institutions i ORDER BY institution_code",
                               0},
    [STMT_INSTITUTION_EXISTS] = {"institution_exists",
                                 "SELECT name FROM institutions WHERE institution_code = $1", 1},
    [STMT_ACCOUNT_INSERT_OPERATOR] = {"account_insert_operator",
                                      "INSERT INTO accounts (institution_code, user_id, role, "
                                      "name, start_date, password_hash, password_is_initial) "
                                      "VALUES ($1, $2, $3, $4, $5, $6, true)",
                                      6},
    [STMT_RELATED_UPSERT] = {"related_upsert",
                             "INSERT INTO related_institutions (institution_code, related_code, "
                             "name, established_on, abolished_on) VALUES ($1, $2, $3, $4, $5) "
                             "ON CONFLICT (institution_code, related_code) DO UPDATE SET "
                             "name = EXCLUDED.name, established_on = EXCLUDED.established_on, "
                             "abolished_on = EXCLUDED.abolished_on",
                             5},
    [STMT_AUDIT_INSERT] = {"audit_insert",
                           "INSERT INTO audit_log (institution_code, actor_kind, actor, action, "
                           "target, source, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                           7},
};
