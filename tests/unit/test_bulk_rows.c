/* The rules of one bulk registration row (core/bulk_rows.c), shared by the job and
 * POST /api/v1/bulk-checks: what passes and what it would register, every problem with its
 * column and registry code in the result file's order, who may register which kind, the
 * institution kind's ID prefixes. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "core/bulk_rows.h"

static void check(const char *role, const char *id, const char *name, const char *kana,
                  const char *start, const char *end, enum role manager, enum institution_kind kind,
                  struct bulk_row_check *out)
{
    const char *col[BULK_COLUMNS] = {role, id, name, kana, start, end};
    bulk_row_check(col, manager, kind, out);
}

static void expect(const struct bulk_row_check *c, int n, const int *columns,
                   const enum err_code *codes)
{
    assert_int_equal(c->nproblems, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(c->problems[i].column, columns[i]);
        assert_int_equal(c->problems[i].code, codes[i]);
    }
}

static void a_clean_row_gives_what_to_register(void **state)
{
    (void)state;
    struct bulk_row_check c;
    check("一般利用者", "ippan01", "ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", "2026/12/1", "", ROLE_ADMIN,
          KIND_MEDICAL, &c);
    assert_int_equal(c.nproblems, 0);
    assert_int_equal(c.role, ROLE_GENERAL);
    assert_string_equal(c.names.name, "ヤマダ　タロウ");
    assert_string_equal(c.names.name_kana, "ヤマダ　タロウ");
    assert_string_equal(c.start, "2026-12-01");
    assert_string_equal(c.end, "9999-12-31");
    bulk_row_clear(&c);
    /* The API id of a kind is accepted as well as its label. */
    check("webapi", "A0001", "受付", "ウケツケ", "2020-04-01", "2030/3/31", ROLE_ADMIN,
          KIND_MEDICAL, &c);
    assert_int_equal(c.nproblems, 0);
    assert_int_equal(c.role, ROLE_WEBAPI);
    assert_string_equal(c.end, "2030-03-31");
    bulk_row_clear(&c);
}

static void every_problem_in_the_result_files_order(void **state)
{
    (void)state;
    struct bulk_row_check c;
    check("", "", "", "", "", "2026/12/01", ROLE_ADMIN, KIND_MEDICAL, &c);
    expect(&c, 5, (int[]){0, 1, 2, 3, 4},
           (enum err_code[]){ERR_REQUEST_FIELD_MISSING, ERR_REQUEST_FIELD_MISSING,
                             ERR_REQUEST_FIELD_MISSING, ERR_REQUEST_FIELD_MISSING,
                             ERR_REQUEST_FIELD_MISSING});
    assert_null(c.names.name);
    /* Dates first, then the account rules; names are not kept for a row with problems. */
    check("一般利用者", "A0009", "𠮷田", "やまだ", "2026/13/01", "", ROLE_ADMIN, KIND_MEDICAL, &c);
    expect(&c, 4, (int[]){4, 1, 2, 3},
           (enum err_code[]){ERR_REQUEST_FIELD_DATE, ERR_ACCOUNT_USER_ID_RESERVED_PREFIX,
                             ERR_ACCOUNT_NAME_CHARSET, ERR_ACCOUNT_NAME_KANA_CHARSET});
    assert_null(c.names.name);
    check("一般利用者", "ippan05", "山田", "ヤマダ", "2027/01/01", "2026/12/31", ROLE_ADMIN,
          KIND_MEDICAL, &c);
    expect(&c, 1, (int[]){5}, (enum err_code[]){ERR_ACCOUNT_DATE_ORDER});
    check("社長", "ippan06", "山田", "ヤマダ", "2026/12/01", "2027/13/01", ROLE_ADMIN, KIND_MEDICAL,
          &c);
    expect(&c, 2, (int[]){0, 5},
           (enum err_code[]){ERR_ACCOUNT_ROLE_INVALID, ERR_REQUEST_FIELD_DATE});
    bulk_row_clear(&c);
}

static void who_registers_which_kind_and_prefixes_by_institution(void **state)
{
    (void)state;
    struct bulk_row_check c;
    check("管理者", "kanri02", "山田", "ヤマダ", "2026/12/01", "", ROLE_ADMIN, KIND_MEDICAL, &c);
    expect(&c, 1, (int[]){0}, (enum err_code[]){ERR_ACCOUNT_ROLE_NOT_MANAGED});
    check("管理者", "kanri02", "山田", "ヤマダ", "2026/12/01", "", ROLE_MASTER, KIND_MEDICAL, &c);
    assert_int_equal(c.nproblems, 0);
    bulk_row_clear(&c);
    check("一般利用者", "ippan01", "山田", "ヤマダ", "2026/12/01", "", ROLE_MASTER, KIND_MEDICAL,
          &c);
    expect(&c, 1, (int[]){0}, (enum err_code[]){ERR_ACCOUNT_ROLE_NOT_MANAGED});
    check("WebAPI用", "A0001", "受付", "ウケツケ", "2026/12/01", "", ROLE_ADMIN, KIND_PHARMACY, &c);
    expect(&c, 1, (int[]){1}, (enum err_code[]){ERR_ACCOUNT_USER_ID_PREFIX});
    check("WebAPI用", "A1001", "受付", "ウケツケ", "2026/12/01", "", ROLE_ADMIN, KIND_PHARMACY, &c);
    assert_int_equal(c.nproblems, 0);
    bulk_row_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_clean_row_gives_what_to_register),
        cmocka_unit_test(every_problem_in_the_result_files_order),
        cmocka_unit_test(who_registers_which_kind_and_prefixes_by_institution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
