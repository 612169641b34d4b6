/* The store's connection and transaction runner against a real PostgreSQL. Not run by ctest
 * directly: tests/api/store.test.mjs starts a throwaway database and runs this binary with
 * TEST_DATABASE_URL, so it can never pass without a database. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/health.h"
#include "store/institution.h"
#include "util/log.h"

static struct db *db;

static int setup(void **state)
{
    (void)state;
    const char *url = getenv("TEST_DATABASE_URL");
    if (!url) {
        fprintf(stderr, "TEST_DATABASE_URL is not set\n");
        return -1;
    }
    char err[512];
    struct db_options opt = {url, 5, true};
    db = db_open(&opt, err, sizeof err);
    if (!db)
        fprintf(stderr, "%s\n", err);
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    db_close(db);
    return 0;
}

static long count(const char *sql)
{
    PGresult *r = PQexec(db_conn(db), sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    long n = db_int64(r, 0, 0);
    PQclear(r);
    return n;
}

static void every_statement_is_prepared_at_connect(void **state)
{
    (void)state;
    assert_int_equal(count("SELECT count(*) FROM pg_prepared_statements"), STMT__COUNT);
}

struct attempts {
    int n;
    int fail_times; /* raise `sqlstate` on this many first attempts */
    const char *sqlstate;
};

static int failing_fn(struct db *d, void *p)
{
    struct attempts *a = p;
    a->n++;
    int rc = store_institution_insert(d, "0111000001", "再試行テスト", "medical", "2026-01-01");
    if (rc < 0)
        return rc;
    if (a->n <= a->fail_times) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '%s'; END $$",
                 a->sqlstate);
        return db_exec_sql(d, sql);
    }
    return 1;
}

/* The institution a test wrote, with the first URLs its creation gave it (schema 0007). */
static void forget_institution(void)
{
    PQclear(PQexec(db_conn(db), "DELETE FROM visit_tokens WHERE institution_code = '0111000001'"));
    PQclear(PQexec(db_conn(db), "DELETE FROM institutions WHERE institution_code = '0111000001'"));
}

static void serialization_failures_are_retried_until_success(void **state)
{
    (void)state;
    struct attempts a = {0, 2, "40001"};
    assert_int_equal(db_transaction(db, DB_SERIALIZABLE, 3, failing_fn, &a), 1);
    assert_int_equal(a.n, 3);
    /* The failed attempts left nothing behind: exactly one row. */
    assert_int_equal(count("SELECT count(*) FROM institutions WHERE institution_code = "
                           "'0111000001'"),
                     1);
    forget_institution();
}

static void deadlocks_are_retried(void **state)
{
    (void)state;
    struct attempts a = {0, 1, "40P01"};
    assert_int_equal(db_transaction(db, DB_READ_COMMITTED, 3, failing_fn, &a), 1);
    assert_int_equal(a.n, 2);
    forget_institution();
}

static void retries_stop_at_the_limit_and_nothing_is_written(void **state)
{
    (void)state;
    struct attempts a = {0, 100, "40001"};
    assert_int_equal(db_transaction(db, DB_READ_COMMITTED, 2, failing_fn, &a), DB_SOFT);
    assert_int_equal(a.n, 3);
    assert_int_equal(count("SELECT count(*) FROM institutions WHERE institution_code = "
                           "'0111000001'"),
                     0);
    assert_int_equal(PQtransactionStatus(db_conn(db)), PQTRANS_IDLE);
}

static void hard_errors_are_not_retried(void **state)
{
    (void)state;
    struct attempts a = {0, 100, "42601"};
    assert_int_equal(db_transaction(db, DB_READ_COMMITTED, 3, failing_fn, &a), DB_HARD);
    assert_int_equal(a.n, 1);
    assert_int_equal(count("SELECT count(*) FROM institutions WHERE institution_code = "
                           "'0111000001'"),
                     0);
}

static int duplicate_fn(struct db *d, void *p)
{
    (*(int *)p)++;
    int rc = store_institution_insert(d, "0111000002", "重複テスト", "medical", "2026-01-01");
    if (rc < 0)
        return rc;
    return store_institution_insert(d, "0111000002", "重複テスト", "medical", "2026-01-01");
}

static void unique_violations_are_conflicts_not_retried_and_roll_back(void **state)
{
    (void)state;
    int n = 0;
    assert_int_equal(db_transaction(db, DB_READ_COMMITTED, 3, duplicate_fn, &n), DB_CONFLICT);
    assert_int_equal(n, 1);
    assert_int_equal(count("SELECT count(*) FROM institutions WHERE institution_code = "
                           "'0111000002'"),
                     0);
}

static void a_transaction_left_open_is_detected_and_rolled_back(void **state)
{
    (void)state;
    assert_false(db_rollback_leftover(db));
    assert_int_equal(db_exec_sql(db, "BEGIN"), 0);
    assert_true(store_institution_insert(db, "0111000003", "放置", "medical", "2026-01-01") > 0);
    assert_true(db_rollback_leftover(db));
    assert_int_equal(PQtransactionStatus(db_conn(db)), PQTRANS_IDLE);
    assert_int_equal(count("SELECT count(*) FROM institutions WHERE institution_code = "
                           "'0111000003'"),
                     0);
}

static int version_fn(struct db *d, void *p)
{
    return store_schema_version(d, p);
}

static void a_lost_connection_is_soft_and_the_runner_reconnects(void **state)
{
    (void)state;
    PGresult *r;
    /* The server ends our own session: the next statement fails as a lost connection. */
    int rc = db_exec_sql(db, "SELECT pg_terminate_backend(pg_backend_pid())");
    if (rc == 0)
        rc = db_exec(db, STMT_SCHEMA_VERSION, 0, NULL, &r);
    assert_int_equal(rc, DB_SOFT);
    int version = 0;
    assert_true(db_transaction(db, DB_READ_COMMITTED, 3, version_fn, &version) > 0);
    assert_true(version >= 1);
    assert_int_equal(count("SELECT count(*) FROM pg_prepared_statements"), STMT__COUNT);
}

/* A deferred trigger makes the server end this session while it runs COMMIT. */
static int dies_at_commit_fn(struct db *d, void *p)
{
    (*(int *)p)++;
    return db_exec_sql(d, "CREATE TEMP TABLE doomed (x int);"
                          "CREATE FUNCTION pg_temp.die() RETURNS trigger LANGUAGE plpgsql AS "
                          "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); "
                          "RETURN NULL; END $$;"
                          "CREATE CONSTRAINT TRIGGER doomed_at_commit AFTER INSERT ON doomed "
                          "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                          "EXECUTE FUNCTION pg_temp.die();"
                          "INSERT INTO doomed VALUES (1)") == 0
               ? 1
               : DB_HARD;
}

static void a_connection_lost_during_commit_is_unknown_and_not_retried(void **state)
{
    (void)state;
    int n = 0;
    assert_int_equal(db_transaction(db, DB_READ_COMMITTED, 3, dies_at_commit_fn, &n), DB_UNKNOWN);
    assert_int_equal(n, 1);
    /* The next use reconnects. */
    int version = 0;
    assert_true(db_transaction(db, DB_READ_COMMITTED, 3, version_fn, &version) > 0);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_statement_is_prepared_at_connect),
        cmocka_unit_test(serialization_failures_are_retried_until_success),
        cmocka_unit_test(deadlocks_are_retried),
        cmocka_unit_test(retries_stop_at_the_limit_and_nothing_is_written),
        cmocka_unit_test(hard_errors_are_not_retried),
        cmocka_unit_test(unique_violations_are_conflicts_not_retried_and_roll_back),
        cmocka_unit_test(a_transaction_left_open_is_detected_and_rolled_back),
        cmocka_unit_test(a_lost_connection_is_soft_and_the_runner_reconnects),
        cmocka_unit_test(a_connection_lost_during_commit_is_unknown_and_not_retried),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
