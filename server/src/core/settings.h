/* The environment settings (環境設定情報, manual ch. 3 §1 and §3): the catalogue the API
 * serves so the console draws the screen without hard-coding it, the manual's defaults, and
 * the checks of a change. Pure: no I/O. */
#ifndef ONSHI_CORE_SETTINGS_H
#define ONSHI_CORE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/institution.h"
#include "util/errors.h"

struct setting_choice {
    const char *id;
    const char *label;
};

enum setting_scope {
    SCOPE_ALL,      /* every kind of institution */
    SCOPE_CLINIC,   /* 医科・歯科・訪看 */
    SCOPE_PHARMACY, /* 薬局 */
};

struct setting_item {
    const char *id;
    const char *label;
    const char *section;
    const struct setting_choice *choices; /* NULL-terminated; NULL for free text */
    const char *default_value;
    enum setting_scope scope;
    const char *depends_on; /* the item whose value decides whether this one may be used */
    bool needs_terms;       /* turning it on needs agreement to the terms of use */
    unsigned max_chars;     /* free text */
};

extern const struct setting_item setting_items[];
extern const size_t setting_items_count;

const struct setting_item *setting_find(const char *id);
/* The value in force: `stored` when the institution saved one, else the manual's default
 * (NULL for an unknown item). */
const char *setting_in_force(const char *id, const char *stored);
bool setting_applies(const struct setting_item *item, enum institution_kind kind);

/* One item's value, as stored or as asked for. */
struct setting_value {
    const char *id;
    const char *value;
};

struct setting_problem {
    enum err_code code;
    const char *item;
};

enum { SETTINGS_MAX_PROBLEMS = 16 };

/* Checks a complete set of values for an institution of `kind` (current: the values before
 * the change, to tell turning on from staying on; terms_agreed: the current terms of use
 * are agreed with this change or were before). Every problem into problems[]; returns their
 * number. */
int settings_check(enum institution_kind kind, const struct setting_value *next, size_t n,
                   const struct setting_value *current, size_t ncurrent, bool terms_agreed,
                   struct setting_problem *problems);

#endif
