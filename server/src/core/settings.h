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

/* When an item may be chosen (manual ch. 3 §3): only while the item it depends on has one of
 * `values`; otherwise it must keep `otherwise`. `text` is the manual's sentence saying so. */
struct setting_condition {
    const char *const *values; /* NULL-terminated */
    const char *otherwise;
    const char *text;
    enum err_code refusal; /* when it does not keep `otherwise` */
};

struct setting_item {
    const char *id;
    const char *label;
    const char *section;
    const struct setting_choice *choices; /* NULL-terminated; NULL for free text */
    const char *default_value;
    enum setting_scope scope;
    const char *depends_on; /* the item whose value decides whether this one may be used */
    const struct setting_condition *condition; /* with depends_on */
    bool needs_terms;                          /* turning it on needs agreement to the terms */
    unsigned max_chars;                        /* free text */
    bool required;                             /* 「*」 on the manual's screen */
    const char *const *notes;                  /* the manual's notes beside it; NULL-terminated */
    /* Only for an institution the operator marks as a PMH participant (onshictl pmh); elsewhere
     * it keeps its default, and `restriction` says why in the manual's words. */
    bool participants_only;
    const char *restriction;
};

/* A section of the screen and the manual's notes shown under its heading. */
struct setting_section {
    const char *label;
    const char *const *notes; /* NULL-terminated; NULL for none */
};

extern const struct setting_section setting_sections[];
extern const size_t setting_sections_count;

extern const struct setting_item setting_items[];
extern const size_t setting_items_count;

const struct setting_item *setting_find(const char *id);
/* The value in force: `stored` when the institution saved one, else the manual's default
 * (NULL for an unknown item). */
const char *setting_in_force(const char *id, const char *stored);
bool setting_applies(const struct setting_item *item, enum institution_kind kind);
/* Whether `item` may take any of its values when the item it depends on has `controlling`
 * (true for an item without a condition). */
bool setting_condition_met(const struct setting_item *item, const char *controlling);

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

/* The same for an institution that is (pmh_participant) or is not a PMH participant: an item
 * only for participants may not leave its default elsewhere (settings.subsidy_needs_pmh). */
int settings_check_for(enum institution_kind kind, bool pmh_participant,
                       const struct setting_value *next, size_t n,
                       const struct setting_value *current, size_t ncurrent, bool terms_agreed,
                       struct setting_problem *problems);

/* The value in force at an institution: as setting_in_force, but an item only for PMH
 * participants keeps its default at an institution that is not one. */
const char *setting_in_force_at(const char *id, const char *stored, bool pmh_participant);

/* The prescription forms (処方箋の発行形態, PrescriptionIssueSelect) a check offers the patient
 * (manual ch. 3 §3 ④): at 医科・歯科・訪看 whose 電子処方箋利用区分 is not 利用しない and whose
 * 発行形態選択タイミング is 資格確認時に確認する; 電子処方箋のみ offers the electronic one,
 * 紙の処方箋のみ the paper one, 併用 both. A pharmacy issues none. PRESCRIPTION_FORM_BITs. */
enum prescription_form { PRESCRIPTION_NONE, PRESCRIPTION_ELECTRONIC, PRESCRIPTION_PAPER };
#define PRESCRIPTION_FORM_BIT(f) (1u << (f))
unsigned settings_prescription_forms(enum institution_kind kind, const char *eprescription_mode,
                                     const char *prescription_form_timing);
const char *prescription_form_id(enum prescription_form f);    /* "electronic", "paper" */
const char *prescription_form_label(enum prescription_form f); /* 電子処方箋, 紙の処方箋 */
const char *prescription_form_code(enum prescription_form f);  /* PrescriptionIssueSelect 1, 2 */
bool prescription_form_parse(const char *id, enum prescription_form *out);

#endif
