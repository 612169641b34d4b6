/* db_tx against a real PostgreSQL: the retry limit from the configuration, the counts per
 * transaction name, and hard errors logged with the statement's name and no parameters. Not
 * run by ctest directly: tests/api/store.test.mjs runs it with TEST_DATABASE_URL. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/institution.h"
#include "util/config.h"
#include "util/log.h"

static struct db *db;

/* Through the thread's own connection, as the HTTP threads use it; the runner reads its
 * retry limit from the published configuration. */
static int setup(void **state)
{
    (void)state;
    const char *url = getenv("TEST_DATABASE_URL");
    setenv("ONSHI_DB_RETRY_LIMIT", "2", 1);
    struct config cfg;
    char err[512];
    if (!url || config_load(NULL, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", url ? err : "TEST_DATABASE_URL is not set");
        return -1;
    }
    config_publish(&cfg);
    struct db_options opt = {url, 5, true};
    db_thread_configure(&opt);
    db = db_thread();
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    db_close(db); /* the main thread never runs its key's destructor */
    config_shutdown();
    return 0;
}

struct lookup {
    const char *name;
    struct db_tx_counts found;
};

static void find_counts(const char *name, const struct db_tx_counts *c, void *ctx)
{
    struct lookup *l = ctx;
    if (strcmp(name, l->name) == 0)
        l->found = *c;
}

static struct db_tx_counts counts_of(const char *name)
{
    struct lookup l = {name, {0, 0, 0, 0}};
    db_tx_counts_each(find_counts, &l);
    return l.found;
}

struct script {
    int attempts;
    int fail_times;       /* raise `sqlstate` on this many first attempts */
    const char *sqlstate; /* NULL: succeed */
};

static int scripted_fn(struct db *d, void *p)
{
    struct script *s = p;
    if (++s->attempts > s->fail_times)
        return 1;
    char sql[160];
    snprintf(sql, sizeof sql, "DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '%s'; END $$",
             s->sqlstate);
    return db_exec_sql(d, sql);
}

static void serialization_retries_count_as_retries_and_conflicts(void **state)
{
    (void)state;
    struct script s = {0, 2, "40001"};
    assert_int_equal(db_tx(db, "test.conflicts", DB_SERIALIZABLE, scripted_fn, &s), 1);
    assert_int_equal(s.attempts, 3);
    struct db_tx_counts c = counts_of("test.conflicts");
    assert_int_equal(c.runs, 1);
    assert_int_equal(c.retries, 2);
    assert_int_equal(c.conflicts, 2);
    assert_int_equal(c.failures, 0);
}

static void the_retry_limit_is_the_configurations_and_running_out_is_a_failure(void **state)
{
    (void)state;
    struct script s = {0, 100, "40P01"};
    assert_int_equal(db_tx(db, "test.exhausted", DB_READ_COMMITTED, scripted_fn, &s), DB_SOFT);
    assert_int_equal(s.attempts, 3); /* db_retry_limit = 2 more after the first */
    s.attempts = 0;
    assert_int_equal(db_tx(db, "test.exhausted", DB_READ_COMMITTED, scripted_fn, &s), DB_SOFT);
    struct db_tx_counts c = counts_of("test.exhausted");
    assert_int_equal(c.runs, 2);
    assert_int_equal(c.retries, 4);
    assert_int_equal(c.conflicts, 4);
    assert_int_equal(c.failures, 2);
}

static void a_lost_connection_is_a_retry_but_not_a_conflict(void **state)
{
    (void)state;
    struct script s = {0, 1, "57P01"}; /* admin_shutdown: the connection is dropped */
    assert_int_equal(db_tx(db, "test.reconnect", DB_READ_COMMITTED, scripted_fn, &s), 1);
    struct db_tx_counts c = counts_of("test.reconnect");
    assert_int_equal(c.retries, 1);
    assert_int_equal(c.conflicts, 0);
    assert_int_equal(c.failures, 0);
}

static void domain_outcomes_are_not_failures_but_hard_errors_are(void **state)
{
    (void)state;
    struct script s = {0, 100, "23505"};
    assert_int_equal(db_tx(db, "test.outcomes", DB_READ_COMMITTED, scripted_fn, &s), DB_CONFLICT);
    s = (struct script){0, 100, "42601"};
    assert_int_equal(db_tx(db, "test.outcomes", DB_READ_COMMITTED, scripted_fn, &s), DB_HARD);
    assert_int_equal(s.attempts, 1);
    struct db_tx_counts c = counts_of("test.outcomes");
    assert_int_equal(c.runs, 2);
    assert_int_equal(c.retries, 0);
    assert_int_equal(c.failures, 1);
}

static int bogus_kind_fn(struct db *d, void *p)
{
    (void)p;
    return store_institution_insert(d, "0111000009", "秘密の名前", "bogus-kind", "2026-01-01");
}

/* Runs fn as a transaction named name with stderr in a file; what was written. */
static char *logged_by(const char *name, db_tx_fn fn, int *rc)
{
    char path[] = "/tmp/onshi-test-db-tx-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    *rc = db_tx(db, name, DB_READ_COMMITTED, fn, NULL);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    static char text[8192];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return text;
}

static void a_hard_error_names_its_statement_and_transaction_but_no_parameter(void **state)
{
    (void)state;
    int rc;
    const char *log = logged_by("test.hard_error", bogus_kind_fn, &rc);
    assert_int_equal(rc, DB_HARD);
    assert_non_null(strstr(log, "\"msg\":\"SQL error 23514: "));
    assert_non_null(strstr(log, "\"statement\":\"institution_insert\""));
    assert_non_null(strstr(log, "\"sqlstate\":\"23514\""));
    assert_non_null(strstr(log, "\"transaction\":\"test.hard_error\""));
    assert_null(strstr(log, "秘密の名前"));
    assert_null(strstr(log, "bogus-kind"));
    assert_null(strstr(log, "0111000009"));
}

static void the_deprecated_runner_still_works_and_counts_as_unnamed(void **state)
{
    (void)state;
    unsigned long long before = counts_of("unnamed").runs;
    struct script s = {0, 1, "40001"};
    assert_int_equal(db_transaction(db, DB_READ_COMMITTED, 1, scripted_fn, &s), 1);
    assert_int_equal(counts_of("unnamed").runs, before + 1);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serialization_retries_count_as_retries_and_conflicts),
        cmocka_unit_test(the_retry_limit_is_the_configurations_and_running_out_is_a_failure),
        cmocka_unit_test(a_lost_connection_is_a_retry_but_not_a_conflict),
        cmocka_unit_test(domain_outcomes_are_not_failures_but_hard_errors_are),
        cmocka_unit_test(a_hard_error_names_its_statement_and_transaction_but_no_parameter),
        cmocka_unit_test(the_deprecated_runner_still_works_and_counts_as_unnamed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
