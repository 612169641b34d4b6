/* One account to register, as a manager gives it (the JSON of POST /api/v1/accounts or one
 * row of a bulk registration file), checked with every rule of manual ch. 2: the one
 * implementation both paths use. Pure: no I/O. */
#ifndef ONSHI_CORE_ACCOUNT_DRAFT_H
#define ONSHI_CORE_ACCOUNT_DRAFT_H

#include <stdbool.h>

#include "core/account.h"
#include "core/date.h"

struct account_draft {
    enum role role;
    const char *user_id;
    const char *name;      /* as given; normalised by the check */
    const char *name_kana; /* as given */
    struct date start, end;
};

struct account_problem {
    enum err_code code;
    const char *field; /* "role", "user_id", "name", "name_kana", "end_date" */
};

enum { ACCOUNT_MAX_PROBLEMS = 6 };

/* The normalised names of a draft without problems (malloc'd; free with
 * account_names_free). */
struct account_names {
    char *name;
    char *name_kana;
};

/* Every problem of the draft for a registration by `manager` at an institution of `kind`,
 * in the order of the fields, into problems[ACCOUNT_MAX_PROBLEMS]; returns their number.
 * With none, *names holds the normalised names. A kind the manager does not manage is
 * account.role.not_managed. */
int account_draft_check(const struct account_draft *d, enum role manager,
                        enum institution_kind kind, struct account_names *names,
                        struct account_problem *problems);
void account_names_free(struct account_names *n);

/* A 権限区分 as a bulk file writes it: the Japanese label (管理者, 一般利用者, …) or the API
 * id. */
bool role_parse_label(const char *text, enum role *out);

#endif
