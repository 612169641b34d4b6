/* One PostgreSQL connection with every statement of the store files' tables (statements.h)
 * prepared on each (re)connect, typed parameters and column readers, a bounded-retry
 * transaction runner with per-name counts, and a thread-local connection for the threads
 * that need one. Only store/ includes this header's SQL-facing parts. */
#ifndef ONSHI_DB_H
#define ONSHI_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/statements.h"

/* What a store function reports. Positive values count rows. */
enum db_status {
    DB_ABORT = -5,    /* a transaction function chose to roll back; its context says why */
    DB_UNKNOWN = -4,  /* the connection died during COMMIT: it may or may not have happened */
    DB_CONFLICT = -3, /* SQLSTATE 23505: the caller maps it to a domain error */
    DB_HARD = -2,     /* a bug or a broken schema: do not retry */
    DB_SOFT = -1,     /* serialization failure, deadlock, lost connection: retry */
    DB_NONE = 0,      /* no rows */
};

/* For a row that must exist (the signed-in institution's own settings, a row just written):
 * its absence is a broken database, logged with what was missing and reported as DB_HARD.
 * Other statuses pass through. */
int db_must_exist(int rc, const char *what);

enum db_isolation { DB_READ_COMMITTED, DB_REPEATABLE_READ, DB_SERIALIZABLE };

struct db;

struct db_options {
    const char *conninfo;
    int connect_timeout; /* seconds; database_url's own connect_timeout wins */
    bool prepare;        /* prepare the statement table (false for migrations) */
};

/* Connects; NULL with a message in err on failure. The conninfo is never logged. */
struct db *db_open(const struct db_options *opt, char *err, size_t errlen);
void db_close(struct db *db);
/* Reconnects a broken connection, backing off (0.25 s doubling to 5 s) after failures;
 * 0 when usable. */
int db_ensure(struct db *db);
PGconn *db_conn(struct db *db);

/* Parameters of one statement, built on the caller's stack: no allocation per parameter.
 * Integers are written into the struct's own digits; text is pointed to (it must outlive the
 * call). Adding more than STMT_PARAMS_MAX trips an INVARIANT and fails the statement. */
struct db_params {
    int n;
    bool overflow;
    const char *values[STMT_PARAMS_MAX];
    char digits[STMT_PARAMS_MAX][24];
};
/* A struct db_params with no parameters yet. */
/* clang-format off */
#define DB_PARAMS_INIT {0}
/* clang-format on */
/* Text parameters only, as one expression (a compound literal that lives to the end of the
 * enclosing block): db_command(db, STMT_SESSION_DELETE, DB_TEXTS(code, digest)). More than
 * STMT_PARAMS_MAX is an "excess elements" warning (an error with ONSHI_WERROR). */
#define DB_TEXTS(...)                                                                              \
    (&(const struct db_params){                                                                    \
        .n = (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),                  \
        .values = {__VA_ARGS__}})
/* text may be NULL: SQL NULL. */
void param_text(struct db_params *p, const char *text);
void param_int(struct db_params *p, long long v);
void param_bool(struct db_params *p, bool v);
/* -1: SQL NULL ("any"), 0 false, otherwise true. */
void param_bool_or_null(struct db_params *p, int v);

/* Runs a prepared statement with p (NULL: none). On success *res holds the result (PQclear
 * it) and the row count is returned; otherwise *res is NULL and a negative status says what
 * went wrong. A parameter count other than the statement's is a bug: DB_HARD. */
int db_query(struct db *db, enum stmt_id id, const struct db_params *p, PGresult **res);
/* db_query for statements whose rows are not read: the row count or a status. */
int db_command(struct db *db, enum stmt_id id, const struct db_params *p);
/* The one-row fetch: runs the statement and, when it gave a row, calls read on the result
 * (row 0; PQntuples tells whether there were more) and clears it. Returns what read returned,
 * DB_NONE for no row, or a negative status. */
typedef int (*db_row_fn)(const PGresult *r, void *out);
int db_row(struct db *db, enum stmt_id id, const struct db_params *p, db_row_fn read, void *out);
/* db_row copying the first n text columns of row 0 into cols[i] (truncated, "" for NULL). */
struct col_out {
    char *dst;
    size_t size;
};
int db_row_texts(struct db *db, enum stmt_id id, const struct db_params *p,
                 const struct col_out *cols, int n);
/* db_row reading column 0 of row 0 as an integer. */
int db_row_int64(struct db *db, enum stmt_id id, const struct db_params *p, long long *out);

/* The same with parameters as an array (nparams must be the statement's). */
int db_exec(struct db *db, enum stmt_id id, int nparams, const char *const *params, PGresult **res);
/* What a failed result means (DB_SOFT, DB_CONFLICT, DB_HARD); logs hard errors naming `what`
 * (a statement or the work that failed), with SQLSTATE and primary message only. For store
 * functions that talk to libpq directly (COPY). */
int db_classify(struct db *db, PGresult *r, const char *what);

/* Column readers. SQL NULL reads as "", 0 or false unless said otherwise. */
const char *col_text(const PGresult *r, int row, int col);
bool col_null(const PGresult *r, int row, int col);
bool col_bool(const PGresult *r, int row, int col);
/* An integer column's value (0 for NULL or what does not fit). */
int col_int(const PGresult *r, int row, int col);
long long col_int64(const PGresult *r, int row, int col);
/* Copies a text column into dst (size bytes, truncated, "" for NULL). */
void col_copy(char *dst, size_t size, const PGresult *r, int row, int col);
/* A malloc'd copy of a text column (NULL when out of memory). */
char *col_strdup(const PGresult *r, int row, int col);
/* A text column as JSON: a string, or null for SQL NULL (new reference). */
json_t *col_json_text(const PGresult *r, int row, int col);
/* A json/jsonb column rendered as text, parsed (new reference); NULL for SQL NULL or what
 * does not parse. */
json_t *col_json(const PGresult *r, int row, int col);
/* Deprecated: col_int64's old name. */
long long db_int64(const PGresult *r, int row, int col);
/* Runs literal SQL without parameters (migrations, BEGIN/COMMIT). */
int db_exec_sql(struct db *db, const char *sql);

typedef int (*db_tx_fn)(struct db *db, void *ctx);
/* Runs fn inside a transaction named `name` (a string literal: it keys the counts below and
 * names the transaction in error logs), retrying it on DB_SOFT up to the configuration's
 * db_retry_limit more times. Returns what fn returned, DB_SOFT/DB_HARD when begin or commit
 * failed, or DB_UNKNOWN when the connection was lost during COMMIT (never retried: the work
 * may already be done). */
int db_tx(struct db *db, const char *name, enum db_isolation level, db_tx_fn fn, void *ctx);
/* db_tx with the retry limit passed in, counted as "unnamed": for tests that choose the limit;
 * onshid and onshictl use db_tx. */
int db_transaction(struct db *db, enum db_isolation level, int retry_limit, db_tx_fn fn, void *ctx);
/* After a request: true if a transaction was left open (it is rolled back). */
bool db_rollback_leftover(struct db *db);

/* Per transaction name since start: runs (calls of db_tx), retries (attempts after the
 * first), conflicts (the retries after a serialization failure or deadlock) and failures
 * (ended DB_HARD, DB_SOFT with the retries used up, or DB_UNKNOWN; a domain outcome such as
 * DB_CONFLICT or DB_ABORT is not one). Thread-safe; names in no particular order. */
struct db_tx_counts {
    unsigned long long runs, retries, conflicts, failures;
};
void db_tx_counts_each(void (*cb)(const char *name, const struct db_tx_counts *c, void *ctx),
                       void *ctx);

/* Number of open connections in this process (for /metrics). */
long db_open_connections(void);

/* The calling thread's own connection, opened on first use and closed when the thread
 * exits. NULL when the database is unreachable now. */
void db_thread_configure(const struct db_options *opt);
struct db *db_thread(void);
/* The calling thread's connection if it has one, without connecting. */
struct db *db_thread_peek(void);

#endif
