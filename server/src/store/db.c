#include "store/db.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

struct db {
    PGconn *conn;
    bool prepare;
    char *conninfo;
    int connect_timeout;
    struct timespec next_attempt; /* monotonic; no reconnect before this */
    long backoff_ms;
    bool ever_connected;
};

static atomic_long open_connections;

long db_open_connections(void)
{
    return atomic_load(&open_connections);
}

static PGconn *connect_raw(const char *conninfo, int timeout)
{
    char timeout_text[16];
    snprintf(timeout_text, sizeof timeout_text, "%d", timeout);
    /* Later entries win: a connect_timeout inside the connection string overrides ours. */
    const char *const names[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const values[] = {timeout_text, "onshi", conninfo, NULL};
    return PQconnectdbParams(names, values, 1);
}

static int prepare_all(PGconn *conn, char *err, size_t errlen)
{
    for (int i = 0; i < STMT__COUNT; i++) {
        PGresult *r =
            PQprepare(conn, stmt_defs[i].name, stmt_defs[i].sql, stmt_defs[i].nparams, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            snprintf(err, errlen, "preparing %s: %s", stmt_defs[i].name, PQresultErrorMessage(r));
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Makes db->conn a usable connection, or leaves it NULL. */
static int establish(struct db *db, char *err, size_t errlen)
{
    PGconn *conn = connect_raw(db->conninfo, db->connect_timeout);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
                 conn ? PQerrorMessage(conn) : "out of memory");
        size_t n = strlen(err);
        while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
            err[--n] = '\0';
        PQfinish(conn);
        return -1;
    }
    /* Everything stored and compared is UTF-8 and timestamps are rendered in UTC. */
    PGresult *r = PQexec(conn, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok || (db->prepare && prepare_all(conn, err, errlen) != 0)) {
        if (!ok)
            snprintf(err, errlen, "setting up the session: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return -1;
    }
    db->conn = conn;
    db->ever_connected = true;
    atomic_fetch_add(&open_connections, 1);
    return 0;
}

static void drop_connection(struct db *db)
{
    if (db->conn) {
        PQfinish(db->conn);
        db->conn = NULL;
        atomic_fetch_sub(&open_connections, 1);
    }
}

struct db *db_open(const struct db_options *opt, char *err, size_t errlen)
{
    struct db *db = calloc(1, sizeof *db);
    if (!db || !(db->conninfo = strdup(opt->conninfo))) {
        free(db);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    db->prepare = opt->prepare;
    db->connect_timeout = opt->connect_timeout > 0 ? opt->connect_timeout : 5;
    if (establish(db, err, errlen) != 0) {
        free(db->conninfo);
        free(db);
        return NULL;
    }
    return db;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    drop_connection(db);
    free(db->conninfo);
    free(db);
}

PGconn *db_conn(struct db *db)
{
    return db->conn;
}

static struct timespec monotonic_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int db_ensure(struct db *db)
{
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
        return 0;
    drop_connection(db);
    /* While the database is down (or a connect blocks until connect_timeout), requests fail
     * fast instead of each paying for another attempt. */
    struct timespec now = monotonic_now();
    if (before(&now, &db->next_attempt))
        return -1;
    char err[512];
    bool reconnect = db->ever_connected;
    if (establish(db, err, sizeof err) != 0) {
        db->backoff_ms = db->backoff_ms ? db->backoff_ms * 2 : 250;
        if (db->backoff_ms > 5000)
            db->backoff_ms = 5000;
        db->next_attempt = monotonic_now(); /* after the attempt, however long it took */
        db->next_attempt.tv_sec += db->backoff_ms / 1000;
        db->next_attempt.tv_nsec += (db->backoff_ms % 1000) * 1000000L;
        if (db->next_attempt.tv_nsec >= 1000000000L) {
            db->next_attempt.tv_sec++;
            db->next_attempt.tv_nsec -= 1000000000L;
        }
        log_msg(LOG_WARN, "database %s failed (next try in %ld ms): %s",
                reconnect ? "reconnect" : "connection", db->backoff_ms, err);
        return -1;
    }
    db->backoff_ms = 0;
    if (reconnect)
        log_msg(LOG_INFO, "database connection re-established");
    return 0;
}

/* Classifies a failed result; drops the connection when it is gone. */
int db_classify(struct db *db, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        drop_connection(db);
        return DB_SOFT;
    }
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
        return DB_SOFT;
    if (state && strcmp(state, "23505") == 0)
        return DB_CONFLICT;
    /* Server going away (admin shutdown, crash recovery) or connection-class errors. */
    if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)) {
        drop_connection(db);
        return DB_SOFT;
    }
    /* The primary message only: DETAIL may quote row values (names, password hashes). */
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    log_msg(LOG_ERROR, "SQL error %s: %s", state ? state : "?", primary ? primary : "(none)");
    return DB_HARD;
}

/* PostgreSQL writes an integer column as plain decimal; strtoll (not atoll) so that anything
 * else (NULL's "", a column that is not an integer) reads as 0 rather than undefined. */
static long long parse_integer(const char *text)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    return end == text || *end != '\0' ? 0 : v;
}

int db_exec(struct db *db, enum stmt_id id, int nparams, const char *const *params, PGresult **res)
{
    *res = NULL;
    if (!db->conn)
        return DB_SOFT;
    PGresult *r = PQexecPrepared(db->conn, stmt_defs[id].name, nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        int rows = st == PGRES_TUPLES_OK ? PQntuples(r) : (int)parse_integer(PQcmdTuples(r));
        *res = r;
        return rows;
    }
    int status = db_classify(db, r);
    PQclear(r);
    return status;
}

int db_exec_command(struct db *db, enum stmt_id id, int nparams, const char *const *params)
{
    PGresult *r;
    int rows = db_exec(db, id, nparams, params, &r);
    if (rows >= 0)
        PQclear(r);
    return rows;
}

json_t *db_text_or_null(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? json_null() : json_string(PQgetvalue(r, row, col));
}

long long db_int64(const PGresult *r, int row, int col)
{
    return parse_integer(PQgetvalue(r, row, col));
}

int db_int(const PGresult *r, int row, int col)
{
    long long v = db_int64(r, row, col);
    return v < INT_MIN || v > INT_MAX ? 0 : (int)v;
}

int db_exec_sql(struct db *db, const char *sql)
{
    if (!db->conn)
        return DB_SOFT;
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int status = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : db_classify(db, r);
    PQclear(r);
    return status;
}

static const char *const begin_sql[] = {
    [DB_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
    [DB_REPEATABLE_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
    [DB_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

int db_transaction(struct db *db, enum db_isolation level, int retry_limit, db_tx_fn fn, void *ctx)
{
    int status = DB_SOFT;
    for (int attempt = 0; attempt <= retry_limit; attempt++) {
        if (attempt > 0) {
            /* A short, growing pause lets the conflicting transaction finish. */
            struct timespec ts = {0, (long)attempt * 5000000L};
            nanosleep(&ts, NULL);
        }
        if (db_ensure(db) != 0)
            continue;
        status = db_exec_sql(db, begin_sql[level]);
        if (status == DB_SOFT)
            continue;
        if (status < 0)
            return status;
        status = fn(db, ctx);
        if (status < 0) {
            if (db->conn)
                db_exec_sql(db, "ROLLBACK");
            if (status == DB_SOFT)
                continue;
            return status;
        }
        /* A statement failed inside fn without fn noticing: COMMIT would only say ROLLBACK. */
        if (PQtransactionStatus(db->conn) != PQTRANS_INTRANS) {
            log_msg(LOG_ERROR, "transaction failed inside its body; rolled back");
            db_exec_sql(db, "ROLLBACK");
            return DB_HARD;
        }
        int commit = db_exec_sql(db, "COMMIT");
        if (commit == 0)
            return status;
        if (commit == DB_SOFT && !db->conn)
            return DB_UNKNOWN; /* the server may have committed before the line dropped */
        if (commit != DB_SOFT)
            return commit;
        status = DB_SOFT;
    }
    return status;
}

bool db_rollback_leftover(struct db *db)
{
    if (!db || !db->conn)
        return false;
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (ts == PQTRANS_IDLE)
        return false;
    if (ts == PQTRANS_UNKNOWN) {
        drop_connection(db);
        return false;
    }
    db_exec_sql(db, "ROLLBACK");
    return true;
}

/* Thread-local connections ------------------------------------------------------------ */

static struct db_options thread_opts;
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void thread_db_destroy(void *p)
{
    db_close(p);
}

static void make_key(void)
{
    pthread_key_create(&thread_key, thread_db_destroy);
}

void db_thread_configure(const struct db_options *opt)
{
    pthread_once(&thread_key_once, make_key);
    thread_opts = *opt;
}

struct db *db_thread(void)
{
    struct db *db = pthread_getspecific(thread_key);
    if (!db) {
        /* Kept even while unconnected, so reconnect attempts keep their backoff. */
        db = calloc(1, sizeof *db);
        if (!db || !(db->conninfo = strdup(thread_opts.conninfo))) {
            free(db);
            return NULL;
        }
        db->prepare = thread_opts.prepare;
        db->connect_timeout = thread_opts.connect_timeout > 0 ? thread_opts.connect_timeout : 5;
        pthread_setspecific(thread_key, db);
    }
    return db_ensure(db) == 0 ? db : NULL;
}

struct db *db_thread_peek(void)
{
    pthread_once(&thread_key_once, make_key);
    return pthread_getspecific(thread_key);
}
