#include "core/bulk_rows.h"

#include <stdio.h>
#include <string.h>

const char *const bulk_row_fields[BULK_COLUMNS] = {"role",      "user_id",    "name",
                                                   "name_kana", "start_date", "end_date"};

static void add(struct bulk_row_check *c, int column, enum err_code code)
{
    if (c->nproblems < BULK_ROW_MAX_PROBLEMS)
        c->problems[c->nproblems++] = (struct bulk_row_problem){column, code};
}

static int column_of(const char *field)
{
    for (int i = 0; i < BULK_COLUMNS; i++)
        if (strcmp(bulk_row_fields[i], field) == 0)
            return i;
    return 0;
}

static bool parse_date(struct bulk_row_check *c, const char *text, int column, struct date *d,
                       char iso[11])
{
    if (!date_parse_loose(text, d)) {
        add(c, column, ERR_REQUEST_FIELD_DATE);
        return false;
    }
    snprintf(iso, 11, "%04d-%02d-%02d", d->year, d->month, d->day);
    return true;
}

void bulk_row_check(const char *const col[BULK_COLUMNS], enum role manager,
                    enum institution_kind kind, struct bulk_row_check *out)
{
    *out = (struct bulk_row_check){0};
    for (int c = 0; c < 5; c++) /* 利用終了年月日 may be empty */
        if (!col[c][0])
            add(out, c, ERR_REQUEST_FIELD_MISSING);
    bool role_ok = col[0][0] && role_parse_label(col[0], &out->role);
    if (col[0][0] && !role_ok)
        add(out, 0, ERR_ACCOUNT_ROLE_INVALID);
    struct date start = {0}, end = {9999, 12, 31};
    bool dates_ok = col[4][0] && parse_date(out, col[4], 4, &start, out->start);
    if (col[5][0])
        dates_ok &= parse_date(out, col[5], 5, &end, out->end);
    else
        snprintf(out->end, sizeof out->end, "9999-12-31");
    if (!role_ok || !col[1][0] || !col[2][0] || !col[3][0])
        return;
    /* Without both dates the order is not checked (the date itself is the problem). */
    struct account_draft d = {out->role, col[1], col[2], col[3], start, dates_ok ? end : start};
    struct account_problem p[ACCOUNT_MAX_PROBLEMS];
    int n = account_draft_check(&d, manager, kind, &out->names, p);
    for (int i = 0; i < n; i++)
        add(out, column_of(p[i].field), p[i].code);
    if (out->nproblems)
        account_names_free(&out->names); /* a date problem after names that passed */
}

void bulk_row_clear(struct bulk_row_check *c)
{
    account_names_free(&c->names);
}
