/* The rules one data row of an アカウント一括登録用ファイル must pass (manual ch. 2 §4): the
 * rules of single registration (core/account_draft.h) plus the file's own (a 権限区分 label,
 * loose dates, empty 利用終了年月日 = 9999-12-31). The one implementation the job
 * (jobs/bulk_process.c) and the check (POST /api/v1/bulk-checks) use. Pure: no I/O. */
#ifndef ONSHI_CORE_BULK_ROWS_H
#define ONSHI_CORE_BULK_ROWS_H

#include "core/account_draft.h"
#include "core/bulk_file.h"

/* The API's field names of the columns, in the file's order (labels: bulk_file_header). */
extern const char *const bulk_row_fields[BULK_COLUMNS];

struct bulk_row_problem {
    int column; /* 0-based, as in bulk_file_header */
    enum err_code code;
};

/* A row missing everything and failing every check has at most one problem per column,
 * plus the date order. */
enum { BULK_ROW_MAX_PROBLEMS = BULK_COLUMNS + ACCOUNT_MAX_PROBLEMS };

struct bulk_row_check {
    int nproblems; /* 0: the row is registrable (duplicates aside) */
    struct bulk_row_problem problems[BULK_ROW_MAX_PROBLEMS];
    /* With no problem: what would be registered (names malloc'd, see bulk_row_clear). */
    enum role role;
    struct account_names names;
    char start[11], end[11]; /* YYYY-MM-DD */
};

/* Checks the six UTF-8 fields of a row for a registration by `manager` (master or admin)
 * at an institution of `kind`; every problem of the row, in the order the result file's
 * エラー詳細 lists them (missing fields, 権限区分, dates, then the account rules). */
void bulk_row_check(const char *const col[BULK_COLUMNS], enum role manager,
                    enum institution_kind kind, struct bulk_row_check *out);
void bulk_row_clear(struct bulk_row_check *c);

#endif
