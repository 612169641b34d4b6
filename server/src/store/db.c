#include "store/db.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/config.h"
#include "util/invariant.h"
#include "util/log.h"

struct db {
    PGconn *conn;
    bool prepare;
    char *conninfo;
    int connect_timeout;
    struct timespec next_attempt; /* monotonic; no reconnect before this */
    long backoff_ms;
    bool ever_connected;
    const char *tx_name; /* the db_tx running, for error logs */
    bool conflict;       /* the last DB_SOFT was a serialization failure or deadlock */
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
    const struct stmt_def *defs = stmt_all();
    for (int i = 0; i < STMT__COUNT; i++) {
        if (!defs[i].name) { /* build_index has said which */
            snprintf(err, errlen, "statement id %d has no definition", i);
            return -1;
        }
        PGresult *r = PQprepare(conn, defs[i].name, defs[i].sql, defs[i].nparams, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            snprintf(err, errlen, "preparing %s: %s", defs[i].name, PQresultErrorMessage(r));
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
    return db ? db->conn : NULL;
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
int db_classify(struct db *db, PGresult *r, const char *what)
{
    if (!db) /* the functions that call libpq themselves may be given db_thread()'s NULL too */
        return DB_SOFT;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    db->conflict = false;
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        drop_connection(db);
        return DB_SOFT;
    }
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        db->conflict = true;
        return DB_SOFT;
    }
    if (state && strcmp(state, "23505") == 0)
        return DB_CONFLICT;
    /* Server going away (admin shutdown, crash recovery) or connection-class errors. */
    if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)) {
        drop_connection(db);
        return DB_SOFT;
    }
    /* The primary message only: DETAIL may quote row values (names, password hashes), and
     * parameters are never logged for the same reason. */
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[600];
    snprintf(msg, sizeof msg, "SQL error %s: %s", state ? state : "?",
             primary ? primary : "(none)");
    json_t *f =
        json_pack("{s:s, s:s}", "statement", what ? what : "?", "sqlstate", state ? state : "?");
    if (f && db->tx_name)
        json_object_set_new(f, "transaction", json_string(db->tx_name));
    log_event(LOG_ERROR, msg, f);
    return DB_HARD;
}

int db_must_exist(int rc, const char *what)
{
    if (rc != DB_NONE)
        return rc;
    log_event(LOG_ERROR, "a row that must exist is missing", json_pack("{s:s}", "row", what));
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

/* Every prepared statement runs here: the id and the parameter count are checked first. */
int db_exec(struct db *db, enum stmt_id id, int nparams, const char *const *params, PGresult **res)
{
    *res = NULL;
    const struct stmt_def *d = stmt_get(id);
    if (!d || !INVARIANT(nparams == d->nparams, "%s takes %d parameters, given %d", d->name,
                         d->nparams, nparams))
        return DB_HARD;
    /* No connection (none could be made for this thread, or it broke): retry later. Every
     * store function may therefore be given db_thread()'s NULL. */
    if (!db || !db->conn)
        return DB_SOFT;
    PGresult *r = PQexecPrepared(db->conn, d->name, nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        int rows = st == PGRES_TUPLES_OK ? PQntuples(r) : (int)parse_integer(PQcmdTuples(r));
        *res = r;
        return rows;
    }
    int status = db_classify(db, r, d->name);
    PQclear(r);
    return status;
}

int db_query(struct db *db, enum stmt_id id, const struct db_params *p, PGresult **res)
{
    if (p && !INVARIANT(!p->overflow, "more than %d parameters for statement id %d",
                        STMT_PARAMS_MAX, (int)id)) {
        *res = NULL;
        return DB_HARD;
    }
    return db_exec(db, id, p ? p->n : 0, p ? p->values : NULL, res);
}

int db_command(struct db *db, enum stmt_id id, const struct db_params *p)
{
    PGresult *r;
    int rows = db_query(db, id, p, &r);
    PQclear(r); /* NULL after a failure */
    return rows;
}

int db_row(struct db *db, enum stmt_id id, const struct db_params *p, db_row_fn read, void *out)
{
    PGresult *r;
    int rows = db_query(db, id, p, &r);
    if (rows > 0)
        rows = read(r, out);
    PQclear(r);
    return rows;
}

struct texts_out {
    const struct col_out *cols;
    int n;
};

static int read_texts(const PGresult *r, void *out)
{
    const struct texts_out *t = out;
    for (int i = 0; i < t->n; i++)
        col_copy(t->cols[i].dst, t->cols[i].size, r, 0, i);
    return 1;
}

int db_row_texts(struct db *db, enum stmt_id id, const struct db_params *p,
                 const struct col_out *cols, int n)
{
    struct texts_out t = {cols, n};
    return db_row(db, id, p, read_texts, &t);
}

static int read_int64(const PGresult *r, void *out)
{
    *(long long *)out = col_int64(r, 0, 0);
    return 1;
}

int db_row_int64(struct db *db, enum stmt_id id, const struct db_params *p, long long *out)
{
    return db_row(db, id, p, read_int64, out);
}

/* Parameters ---------------------------------------------------------------------------- */

/* The next slot, or -1 (the statement then fails) when there is none. */
static int next_param(struct db_params *p)
{
    if (!INVARIANT(p->n < STMT_PARAMS_MAX, "more than %d parameters", STMT_PARAMS_MAX)) {
        p->overflow = true;
        return -1;
    }
    return p->n++;
}

void param_text(struct db_params *p, const char *text)
{
    int i = next_param(p);
    if (i >= 0)
        p->values[i] = text;
}

void param_int(struct db_params *p, long long v)
{
    int i = next_param(p);
    if (i < 0)
        return;
    /* Written backwards from the end of the slot: cheaper than snprintf on the hot path. */
    char *end = p->digits[i] + sizeof p->digits[i];
    *--end = '\0';
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--end = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--end = '-';
    p->values[i] = end;
}

void param_bool(struct db_params *p, bool v)
{
    param_text(p, v ? "true" : "false");
}

void param_bool_or_null(struct db_params *p, int v)
{
    param_text(p, v < 0 ? NULL : v ? "true" : "false");
}

/* Columns ------------------------------------------------------------------------------- */

const char *col_text(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col); /* "" for NULL */
}

bool col_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

bool col_bool(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

long long col_int64(const PGresult *r, int row, int col)
{
    return parse_integer(PQgetvalue(r, row, col));
}

long long db_int64(const PGresult *r, int row, int col)
{
    return col_int64(r, row, col);
}

int col_int(const PGresult *r, int row, int col)
{
    long long v = col_int64(r, row, col);
    return v < INT_MIN || v > INT_MAX ? 0 : (int)v;
}

void col_copy(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

char *col_strdup(const PGresult *r, int row, int col)
{
    return strdup(PQgetvalue(r, row, col));
}

json_t *col_json_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? json_null() : json_string(PQgetvalue(r, row, col));
}

json_t *col_json(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : json_loads(PQgetvalue(r, row, col), 0, NULL);
}

/* The first words of literal SQL, to name it in an error log (it has no parameters). */
static const char *sql_label(const char *sql, char *buf, size_t size)
{
    snprintf(buf, size, "%s", sql);
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == ';') {
            *c = '\0';
            break;
        }
    return buf;
}

int db_exec_sql(struct db *db, const char *sql)
{
    if (!db || !db->conn)
        return DB_SOFT;
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    char label[48];
    int status = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
                     ? 0
                     : db_classify(db, r, sql_label(sql, label, sizeof label));
    PQclear(r);
    return status;
}

static const char *const begin_sql[] = {
    [DB_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
    [DB_REPEATABLE_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
    [DB_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

/* Transaction counts ---------------------------------------------------------------------
 * A fixed table claimed slot by slot without a lock: names are string literals, a few dozen
 * in all, so a scan (pointer first, then strcmp for the same literal in another file) is as
 * cheap as a hash and never allocates. */
enum { TX_NAMES_MAX = 128 };
struct tx_slot {
    _Atomic(const char *) name;
    atomic_ullong runs, retries, conflicts, failures;
};
static struct tx_slot tx_slots[TX_NAMES_MAX];
static struct tx_slot tx_overflow; /* names beyond the table, counted together */

static struct tx_slot *tx_slot_for(const char *name)
{
    for (int i = 0; i < TX_NAMES_MAX; i++) {
        const char *have = atomic_load(&tx_slots[i].name);
        if (!have) {
            const char *expected = NULL;
            if (atomic_compare_exchange_strong(&tx_slots[i].name, &expected, name))
                return &tx_slots[i];
            have = expected; /* another thread took the slot meanwhile: maybe for this name */
        }
        if (have == name || strcmp(have, name) == 0)
            return &tx_slots[i];
    }
    (void)INVARIANT(false, "more than %d transaction names; %s counted as (other)", TX_NAMES_MAX,
                    name);
    return &tx_overflow;
}

void db_tx_counts_each(void (*cb)(const char *name, const struct db_tx_counts *c, void *ctx),
                       void *ctx)
{
    for (int i = 0; i <= TX_NAMES_MAX; i++) {
        struct tx_slot *s = i < TX_NAMES_MAX ? &tx_slots[i] : &tx_overflow;
        const char *name = i < TX_NAMES_MAX ? atomic_load(&s->name) : "(other)";
        if (!name || (s == &tx_overflow && !atomic_load(&s->runs)))
            continue;
        struct db_tx_counts c = {atomic_load(&s->runs), atomic_load(&s->retries),
                                 atomic_load(&s->conflicts), atomic_load(&s->failures)};
        cb(name, &c, ctx);
    }
}

/* The runner ------------------------------------------------------------------------------ */

/* One attempt: BEGIN, fn, COMMIT. Sets *retry when another attempt may succeed. */
static int tx_attempt(struct db *db, enum db_isolation level, db_tx_fn fn, void *ctx, bool *retry)
{
    *retry = false;
    if (db_ensure(db) != 0) {
        *retry = true;
        return DB_SOFT;
    }
    int status = db_exec_sql(db, begin_sql[level]);
    if (status < 0) {
        *retry = status == DB_SOFT;
        return status;
    }
    status = fn(db, ctx);
    if (status < 0) {
        if (db->conn)
            db_exec_sql(db, "ROLLBACK");
        *retry = status == DB_SOFT;
        return status;
    }
    /* A statement failed inside fn without fn noticing: COMMIT would only say ROLLBACK. */
    if (PQtransactionStatus(db->conn) != PQTRANS_INTRANS) {
        log_event(LOG_ERROR, "transaction failed inside its body; rolled back",
                  json_pack("{s:s}", "transaction", db->tx_name ? db->tx_name : "?"));
        db_exec_sql(db, "ROLLBACK");
        return DB_HARD;
    }
    int commit = db_exec_sql(db, "COMMIT");
    if (commit == 0)
        return status;
    if (commit == DB_SOFT && !db->conn)
        return DB_UNKNOWN; /* the server may have committed before the line dropped */
    *retry = commit == DB_SOFT;
    return commit;
}

static int run_tx(struct db *db, const char *name, enum db_isolation level, int retry_limit,
                  db_tx_fn fn, void *ctx)
{
    struct tx_slot *slot = tx_slot_for(name);
    atomic_fetch_add(&slot->runs, 1);
    if (!db) {
        atomic_fetch_add(&slot->failures, 1);
        return DB_SOFT;
    }
    const char *outer = db->tx_name;
    db->tx_name = name;
    int status = DB_SOFT;
    for (int attempt = 0; attempt <= retry_limit; attempt++) {
        if (attempt > 0) {
            atomic_fetch_add(&slot->retries, 1);
            if (db->conflict)
                atomic_fetch_add(&slot->conflicts, 1);
            /* A short, growing pause lets the conflicting transaction finish. */
            struct timespec ts = {0, (long)attempt * 5000000L};
            nanosleep(&ts, NULL);
        }
        db->conflict = false;
        bool retry;
        status = tx_attempt(db, level, fn, ctx, &retry);
        if (!retry)
            break;
    }
    db->tx_name = outer;
    if (status == DB_HARD || status == DB_SOFT || status == DB_UNKNOWN)
        atomic_fetch_add(&slot->failures, 1);
    return status;
}

/* The configuration's default, for programs that publish no configuration. */
enum { DEFAULT_RETRY_LIMIT = 3 };

int db_tx(struct db *db, const char *name, enum db_isolation level, db_tx_fn fn, void *ctx)
{
    const struct config *c = config_current();
    return run_tx(db, name, level, c ? c->db_retry_limit : DEFAULT_RETRY_LIMIT, fn, ctx);
}

int db_transaction(struct db *db, enum db_isolation level, int retry_limit, db_tx_fn fn, void *ctx)
{
    return run_tx(db, "unnamed", level, retry_limit, fn, ctx);
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
