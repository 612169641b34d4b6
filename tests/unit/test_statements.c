/* The statement tables of the store files, the typed parameters and column readers, and the
 * invariants that guard db_exec: all without a database (db_exec refuses a bad id or
 * parameter count before it touches the connection). */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "store/statements.h"
#include "util/invariant.h"
#include "util/log.h"

static void every_id_has_exactly_one_definition_with_its_own_name(void **state)
{
    (void)state;
    /* As many definitions as ids, and each id found below: none twice, none missing. */
    assert_int_equal(stmt_defined_count(), STMT__COUNT);
    for (int i = 0; i < STMT__COUNT; i++) {
        const struct stmt_def *d = stmt_get((enum stmt_id)i);
        assert_non_null(d);
        assert_int_equal(d->id, i);
        assert_non_null(d->sql);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(stmt_get((enum stmt_id)j)->name, d->name);
    }
    /* The index under its old name still answers (tests/bench/print_sql.c). */
    assert_string_equal(stmt_defs[STMT_ACCOUNT_GET].name, "account_get");
}

/* The highest $n in sql: what PostgreSQL will expect to be bound. */
static int highest_placeholder(const char *sql)
{
    int high = 0;
    bool quoted = false;
    for (const char *c = sql; *c; c++) {
        if (*c == '\'')
            quoted = !quoted;
        else if (!quoted && *c == '$' && c[1] >= '1' && c[1] <= '9') {
            int n = (int)strtol(c + 1, NULL, 10);
            if (n > high)
                high = n;
        }
    }
    return high;
}

static void each_declared_parameter_count_is_the_highest_placeholder(void **state)
{
    (void)state;
    for (int i = 0; i < STMT__COUNT; i++) {
        const struct stmt_def *d = stmt_get((enum stmt_id)i);
        if (d->nparams != highest_placeholder(d->sql))
            fail_msg("%s declares %d parameters, its SQL uses $%d", d->name, d->nparams,
                     highest_placeholder(d->sql));
        assert_true(d->nparams <= STMT_PARAMS_MAX);
    }
}

static void integer_parameters_are_plain_decimal(void **state)
{
    (void)state;
    struct db_params p = DB_PARAMS_INIT;
    const long long values[] = {0, 7, -1, 1800, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN};
    const char *const texts[] = {"0",
                                 "7",
                                 "-1",
                                 "1800",
                                 "2147483647",
                                 "-2147483648",
                                 "9223372036854775807",
                                 "-9223372036854775808"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        param_int(&p, values[i]);
    param_bool(&p, true);
    param_bool(&p, false);
    param_bool_or_null(&p, -1);
    param_bool_or_null(&p, 1);
    param_text(&p, NULL);
    param_text(&p, "山田");
    assert_int_equal(p.n, 14);
    assert_false(p.overflow);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        assert_string_equal(p.values[i], texts[i]);
    assert_string_equal(p.values[8], "true");
    assert_string_equal(p.values[9], "false");
    assert_null(p.values[10]);
    assert_string_equal(p.values[11], "true");
    assert_null(p.values[12]);
    assert_string_equal(p.values[13], "山田");
}

static void text_parameters_count_themselves(void **state)
{
    (void)state;
    const struct db_params *p = DB_TEXTS("a", NULL, "c");
    assert_int_equal(p->n, 3);
    assert_string_equal(p->values[0], "a");
    assert_null(p->values[1]);
    assert_string_equal(p->values[2], "c");
}

/* A result built by hand: one row of the given texts (NULL: SQL NULL). */
static PGresult *row_of(int n, const char *const *texts)
{
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc attrs[8];
    memset(attrs, 0, sizeof attrs);
    for (int i = 0; i < n; i++)
        attrs[i].name = (char *)"c";
    assert_true(PQsetResultAttrs(r, n, attrs));
    for (int i = 0; i < n; i++)
        assert_true(PQsetvalue(r, 0, i, (char *)texts[i], texts[i] ? (int)strlen(texts[i]) : -1));
    return r;
}

static void columns_read_null_as_empty_zero_or_false(void **state)
{
    (void)state;
    const char *const texts[] = {"42", NULL, "t", "f", "99999999999", "x1", "{\"a\":1}", "abcdef"};
    PGresult *r = row_of(8, texts);
    assert_int_equal(col_int(r, 0, 0), 42);
    assert_int_equal(col_int(r, 0, 1), 0);
    assert_true(col_null(r, 0, 1));
    assert_string_equal(col_text(r, 0, 1), "");
    assert_true(col_bool(r, 0, 2));
    assert_false(col_bool(r, 0, 3));
    assert_false(col_bool(r, 0, 1));
    assert_int_equal(col_int(r, 0, 4), 0); /* does not fit an int */
    assert_true(col_int64(r, 0, 4) == 99999999999LL);
    assert_int_equal(col_int(r, 0, 5), 0); /* not a number */
    char small[4];
    col_copy(small, sizeof small, r, 0, 7);
    assert_string_equal(small, "abc");
    col_copy(small, sizeof small, r, 0, 1);
    assert_string_equal(small, "");
    json_t *j = col_json(r, 0, 6);
    assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
    json_decref(j);
    assert_null(col_json(r, 0, 1));
    json_t *t = col_json_text(r, 0, 1);
    assert_true(json_is_null(t));
    json_decref(t);
    char *copy = col_strdup(r, 0, 7);
    assert_string_equal(copy, "abcdef");
    free(copy);
    PQclear(r);
}

/* Runs fn in a child with stderr captured: an INVARIANT must log file:line and `expect`, then
 * abort the child in sanitizer builds; elsewhere fn's own verdict (exit 0) is the child's. */
static void expect_invariant(int (*fn)(void), const char *expect)
{
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        _exit(fn());
    }
    close(pipefd[1]);
    char log[4096];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof log - 1 && (n = read(pipefd[0], log + len, sizeof log - 1 - len)) > 0)
        len += (size_t)n;
    log[len] = '\0';
    close(pipefd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!strstr(log, "invariant failed at ") || !strstr(log, expect))
        fail_msg("expected an invariant log naming \"%s\", got: %s", expect, log);
    if (INVARIANT_ABORTS)
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    else
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int wrong_parameter_count(void)
{
    PGresult *r;
    const char *p[] = {"extra"};
    return db_exec(NULL, STMT_SCHEMA_VERSION, 1, p, &r) == DB_HARD && !r ? 0 : 1;
}

static int id_out_of_range(void)
{
    PGresult *r;
    return db_exec(NULL, STMT__COUNT, 0, NULL, &r) == DB_HARD ? 0 : 1;
}

static int too_many_parameters(void)
{
    struct db_params p = DB_PARAMS_INIT;
    for (int i = 0; i <= STMT_PARAMS_MAX; i++)
        param_int(&p, i);
    PGresult *r;
    return p.overflow && db_query(NULL, STMT_ACCOUNT_LIST, &p, &r) == DB_HARD ? 0 : 1;
}

static void a_parameter_count_not_the_statements_fails_loudly(void **state)
{
    (void)state;
    expect_invariant(wrong_parameter_count, "schema_version takes 0 parameters, given 1");
}

static void a_statement_id_out_of_range_fails_loudly(void **state)
{
    (void)state;
    expect_invariant(id_out_of_range, "out of range");
}

static void more_parameters_than_a_statement_can_take_fail_loudly(void **state)
{
    (void)state;
    expect_invariant(too_many_parameters, "more than 20 parameters");
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_id_has_exactly_one_definition_with_its_own_name),
        cmocka_unit_test(each_declared_parameter_count_is_the_highest_placeholder),
        cmocka_unit_test(integer_parameters_are_plain_decimal),
        cmocka_unit_test(text_parameters_count_themselves),
        cmocka_unit_test(columns_read_null_as_empty_zero_or_false),
        cmocka_unit_test(a_parameter_count_not_the_statements_fails_loudly),
        cmocka_unit_test(a_statement_id_out_of_range_fails_loudly),
        cmocka_unit_test(more_parameters_than_a_statement_can_take_fail_loudly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
