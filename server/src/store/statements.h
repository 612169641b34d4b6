/* Every SQL statement onshid runs, prepared by name when a connection opens. */
#ifndef ONSHI_STATEMENTS_H
#define ONSHI_STATEMENTS_H

enum stmt_id {
    STMT_SCHEMA_VERSION,
    STMT_INSTITUTION_INSERT,
    STMT_INSTITUTION_LIST,
    STMT_INSTITUTION_EXISTS,
    STMT_ACCOUNT_INSERT_OPERATOR,
    STMT_RELATED_UPSERT,
    STMT_AUDIT_INSERT,
    STMT_SIGNIN_ACCOUNT,
    STMT_SIGNIN_RESERVE,
    STMT_SIGNIN_FAILED,
    STMT_SIGNIN_SUCCEEDED,
    STMT_ATTEMPTS_RELEASE,
    STMT_SESSION_INSERT,
    STMT_SESSION_LOOKUP,
    STMT_SESSION_DELETE,
    STMT_PASSWORD_STATE,
    STMT_PASSWORD_SET,
    STMT_PASSWORD_HISTORY_INSERT,
    STMT_SESSIONS_DELETE_ALL,
    STMT__COUNT
};

struct stmt_def {
    const char *name;
    const char *sql;
    int nparams;
};

extern const struct stmt_def stmt_defs[STMT__COUNT];

#endif
