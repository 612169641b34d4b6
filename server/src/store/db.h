/* One PostgreSQL connection with every statement of store/statements.c prepared on each
 * (re)connect, a bounded-retry transaction runner, and a thread-local connection for the
 * threads that need one. Only store/ includes this header's SQL-facing parts. */
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

/* Runs a prepared statement. On success *res holds the result (PQclear it) and the row
 * count is returned; otherwise *res is NULL and a negative status says what went wrong. */
int db_exec(struct db *db, enum stmt_id id, int nparams, const char *const *params, PGresult **res);
/* db_exec for statements whose rows are not read: returns the row count or a status. */
int db_exec_command(struct db *db, enum stmt_id id, int nparams, const char *const *params);
/* What a failed result means (DB_SOFT, DB_CONFLICT, DB_HARD); logs hard errors (SQLSTATE
 * and primary message only). For store functions that talk to libpq directly (COPY). */
int db_classify(struct db *db, PGresult *r);
/* A text column as JSON: a string, or null for SQL NULL (new reference). */
json_t *db_text_or_null(PGresult *r, int row, int col);
/* An integer column's value (0 for NULL or what does not fit). */
int db_int(const PGresult *r, int row, int col);
long long db_int64(const PGresult *r, int row, int col);
/* Runs literal SQL without parameters (migrations, BEGIN/COMMIT). */
int db_exec_sql(struct db *db, const char *sql);

typedef int (*db_tx_fn)(struct db *db, void *ctx);
/* Runs fn inside a transaction, retrying it on DB_SOFT up to retry_limit more times.
 * Returns what fn returned, DB_SOFT/DB_HARD when begin or commit failed, or DB_UNKNOWN when
 * the connection was lost during COMMIT (never retried: the work may already be done). */
int db_transaction(struct db *db, enum db_isolation level, int retry_limit, db_tx_fn fn, void *ctx);
/* After a request: true if a transaction was left open (it is rolled back). */
bool db_rollback_leftover(struct db *db);

/* Number of open connections in this process (for /metrics). */
long db_open_connections(void);

/* The calling thread's own connection, opened on first use and closed when the thread
 * exits. NULL when the database is unreachable now. */
void db_thread_configure(const struct db_options *opt);
struct db *db_thread(void);
/* The calling thread's connection if it has one, without connecting. */
struct db *db_thread_peek(void);

#endif
