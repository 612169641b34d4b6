/* The ids of every SQL statement onshid runs, and the tables that define them. Each store
 * file holds the statements whose columns it reads, as a small table of its own (SQL beside
 * the code that reads it); statements.c lists those tables, and db.c prepares all of them by
 * name whenever a connection opens.
 *
 * The ids stay one enum, grouped by the file that owns them: the compiler checks every use,
 * STMT__COUNT sizes the index from id to definition, and an id out of range is one compare.
 * A new statement is one line here and one entry in its file's table; statements.c checks at
 * first use (and tests/unit/test_statements.c in every build) that each id is defined exactly
 * once. */
#ifndef ONSHI_STATEMENTS_H
#define ONSHI_STATEMENTS_H

#include <stddef.h>

enum stmt_id {
    /* store/health.c */
    STMT_SCHEMA_VERSION,
    /* store/institution.c */
    STMT_INSTITUTION_INSERT,
    STMT_INSTITUTION_LIST,
    STMT_INSTITUTION_EXISTS,
    STMT_ACCOUNT_INSERT_OPERATOR,
    STMT_RELATED_UPSERT,
    STMT_AUDIT_INSERT,
    STMT_AUDIT_LIST,
    /* store/session.c */
    STMT_SIGNIN_ACCOUNT,
    STMT_SIGNIN_RESERVE,
    STMT_SIGNIN_FAILED,
    STMT_SIGNIN_SUCCEEDED,
    STMT_ATTEMPTS_RELEASE,
    STMT_SIGNIN_UNRESERVE,
    STMT_SESSION_INSERT,
    STMT_SESSION_LOOKUP,
    STMT_SESSION_DELETE,
    STMT_PASSWORD_STATE,
    STMT_PASSWORD_SET,
    STMT_PASSWORD_HISTORY_INSERT,
    STMT_SESSIONS_DELETE_ALL,
    /* store/events.c */
    STMT_SESSION_CHECK,
    STMT_READER_SERVICES_STATE,
    /* store/account.c */
    STMT_ACCOUNT_INSERT,
    STMT_ACCOUNT_GET,
    STMT_ACCOUNT_LIST,
    STMT_ACCOUNT_UPDATE,
    STMT_ACCOUNT_DELETE,
    STMT_ACCOUNT_RESET_PASSWORD,
    /* store/bulk.c */
    STMT_BULK_INSERT,
    STMT_BULK_NOTIFY,
    STMT_BULK_CLAIM,
    STMT_BULK_RENEW,
    STMT_BULK_PROGRESS,
    STMT_BULK_HOLD,
    STMT_BULK_EXISTING,
    STMT_BULK_REGISTER,
    STMT_BULK_UNSTAGE,
    STMT_BULK_FINISH,
    STMT_BULK_RELEASE,
    STMT_BULK_PURGE,
    STMT_BULK_LIST,
    STMT_BULK_RESULT,
    /* store/settings.c */
    STMT_SETTINGS_GET,
    STMT_SETTINGS_UPDATE,
    STMT_SETTINGS_FIRST,
    STMT_TERMS_CURRENT,
    STMT_TERMS_AGREE,
    STMT_INSTITUTION_PMH_SET,
    STMT_SETTINGS_SUBSIDY_OFF,
    /* store/test_data.c */
    STMT_TEST_DATA_LOCK,
    STMT_TEST_CARD_UNLINK,
    STMT_TEST_PERSON_INSERT,
    STMT_TEST_PERSONS_DELETE,
    STMT_TEST_DATA_LIST,
    STMT_TEST_CONSENTS_REVOKED,
    STMT_TEST_CONSENTS_RESET,
    /* store/qualification.c */
    STMT_QUAL_PERSON_BY_NUMBER,
    STMT_QUAL_PERSON_BY_SERIAL,
    STMT_QUAL_CARD_REGISTERED,
    STMT_QUAL_CONSENTS,
    STMT_QUAL_CONSENT_GIVE,
    STMT_CONSENTS_WITHDRAW,
    STMT_CHECK_INSERT,
    STMT_VIEW_INSERT,
    STMT_CHECK_PRESCRIPTION_FORM,
    /* store/history.c */
    STMT_CHECKS_COUNT,
    STMT_CHECKS_PAGE,
    STMT_VIEWS_COUNT,
    STMT_VIEWS_PAGE,
    STMT_HISTORY_LOCK,
    STMT_HISTORY_ENSURE,
    STMT_HISTORY_DROP,
    /* store/visit.c */
    STMT_VISIT_LIST,
    STMT_VISIT_CURRENT,
    STMT_VISIT_SERIALIZE,
    STMT_VISIT_LOCK,
    STMT_VISIT_SET_STATE,
    STMT_VISIT_NEW,
    STMT_VISIT_BY_TOKEN,
    STMT_VISIT_CONSENT_INSERT,
    STMT_VISIT_CONSENT_GIVE,
    /* store/readers.c */
    STMT_READER_SERVICE,
    STMT_READER_SEEN,
    STMT_READER_STATE,
    STMT_READER_RESULT,
    STMT_READER_BINDING,
    STMT_READER_VISUAL_EXPIRE,
    STMT_READERS_LIST,
    STMT_READERS_PRESENT,
    STMT_READER_UPDATE,
    STMT_READER_DISPLAY_GET,
    STMT_READER_DISPLAY_SAVE,
    STMT_READER_LAST,
    STMT_READER_ANSWERED,
    STMT__COUNT
};

/* The most parameters one statement takes (account_list: 19); struct db_params holds this
 * many. */
enum { STMT_PARAMS_MAX = 20 };

struct stmt_def {
    enum stmt_id id;
    const char *name; /* given to PQprepare; what an error log and bench_print_sql name */
    const char *sql;
    int nparams; /* exactly the highest $n of sql: db_exec refuses any other count */
};

/* One store file's statements. */
struct stmt_table {
    const struct stmt_def *defs;
    size_t count;
};
/* Defines a file's table `name` from its array `defs`. */
#define STMT_TABLE(name, defs)                                                                     \
    const struct stmt_table name = {(defs), sizeof(defs) / sizeof((defs)[0])}

/* Each file's table (defined in that file). */
extern const struct stmt_table health_statements, institution_statements, session_statements,
    events_statements, account_statements, bulk_statements, settings_statements,
    test_data_statements, qualification_statements, history_statements, visit_statements,
    readers_statements;

/* The definition of id; NULL (after an INVARIANT) for an id out of range or not defined. */
const struct stmt_def *stmt_get(enum stmt_id id);
/* How many definitions the tables hold together (STMT__COUNT unless one is twice). */
size_t stmt_defined_count(void);
/* Every definition, indexed by id (STMT__COUNT entries). */
const struct stmt_def *stmt_all(void);
/* Deprecated: the index by its old name, an array of STMT__COUNT definitions, for
 * tests/bench/print_sql.c until it calls stmt_get. */
#define stmt_defs (stmt_all())

/* What to render the time a column holds (timestamptz) as, in UTC: 2026-01-02T03:04:05Z. */
#define SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#endif
