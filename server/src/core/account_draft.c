#include "core/account_draft.h"

#include <stdlib.h>
#include <string.h>

static void add(struct account_problem *p, int *n, enum err_code code, const char *field)
{
    if (*n < ACCOUNT_MAX_PROBLEMS)
        p[(*n)++] = (struct account_problem){code, field};
}

int account_draft_check(const struct account_draft *d, enum role manager,
                        enum institution_kind kind, struct account_names *names,
                        struct account_problem *problems)
{
    int n = 0;
    enum err_code e;
    *names = (struct account_names){0};
    if (!role_manages(manager, d->role))
        add(problems, &n, ERR_ACCOUNT_ROLE_NOT_MANAGED, "role");
    if (!account_user_id_check(d->user_id, d->role, kind, &e))
        add(problems, &n, e, "user_id");
    char *name = account_name_normalise(d->name);
    if (!name || !account_name_check(name, &e))
        add(problems, &n, name ? e : ERR_ACCOUNT_NAME_CHARSET, "name");
    char *kana = account_name_normalise(d->name_kana);
    if (!kana || !account_name_kana_check(kana, &e))
        add(problems, &n, kana ? e : ERR_ACCOUNT_NAME_KANA_CHARSET, "name_kana");
    if (date_compare(&d->end, &d->start) < 0)
        add(problems, &n, ERR_ACCOUNT_DATE_ORDER, "end_date");
    if (n == 0) {
        names->name = name;
        names->name_kana = kana;
    } else {
        free(name);
        free(kana);
    }
    return n;
}

void account_names_free(struct account_names *n)
{
    free(n->name);
    free(n->name_kana);
    n->name = n->name_kana = NULL;
}

bool role_parse_label(const char *text, enum role *out)
{
    for (int r = 0; r < ROLE__COUNT; r++)
        if (strcmp(text, role_label((enum role)r)) == 0) {
            *out = (enum role)r;
            return true;
        }
    return role_parse(text, out);
}
