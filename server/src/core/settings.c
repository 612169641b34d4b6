#include "core/settings.h"

#include <string.h>

#include "core/account.h"
#include "core/text.h"

static const struct setting_choice use_or_not[] = {
    {"use", "利用する"}, {"not_use", "利用しない"}, {NULL, NULL}};
static const struct setting_choice encodings[] = {
    {"utf8", "utf-8"}, {"sjis", "Shift-JIS"}, {NULL, NULL}};
static const struct setting_choice eprescription_modes[] = {
    {"not_use", "利用しない"},
    {"e_only", "電子処方箋のみ"},
    {"e_and_paper", "電子処方箋+紙の処方箋併用"},
    {"paper_only", "紙の処方箋のみ"},
    {NULL, NULL}};
static const struct setting_choice timings[] = {{"other_than_check", "資格確認時以外で確認する"},
                                                {"at_check", "資格確認時に確認する"},
                                                {NULL, NULL}};

#define ENV     "環境依存項目"
#define CONSENT "閲覧同意の利用有無"
#define EPRESC  "電子処方箋管理サービス関連項目"
#define ASSIST  "医療扶助関連項目"
#define SUBSIDY "医療費助成利用関連項目"
#define VISIT   "訪問診療等・オンライン診療等関連項目"

/* In the order of the manual's screen. Defaults: manual ch. 3 §1 「各情報に対する設定の初期値」. */
const struct setting_item setting_items[] = {
    {"char_encoding", "利用文字コード", ENV, encodings, "utf8", SCOPE_ALL, NULL, false, 0},
    {"consent_surgery", "手術情報", CONSENT, use_or_not, "not_use", SCOPE_ALL, NULL, false, 0},
    {"consent_drug", "薬剤情報", CONSENT, use_or_not, "use", SCOPE_ALL, NULL, false, 0},
    {"consent_medical", "診療情報", CONSENT, use_or_not, "not_use", SCOPE_ALL, "consent_drug",
     false, 0},
    {"consent_checkup", "特定健診情報", CONSENT, use_or_not, "use", SCOPE_ALL, NULL, false, 0},
    {"consent_specific_disease", "特定疾病療養受療証", CONSENT, use_or_not, "use", SCOPE_ALL, NULL,
     false, 0},
    {"eprescription_mode", "電子処方箋利用区分", EPRESC, eprescription_modes, "not_use",
     SCOPE_CLINIC, NULL, false, 0},
    {"prescription_form_timing", "発行形態選択タイミング", EPRESC, timings, "other_than_check",
     SCOPE_CLINIC, "eprescription_mode", false, 0},
    {"eprescription", "電子処方箋", EPRESC, use_or_not, "not_use", SCOPE_PHARMACY, NULL, false, 0},
    {"refill_prescription", "リフィル処方箋", EPRESC, use_or_not, "not_use", SCOPE_PHARMACY,
     "eprescription", false, 0},
    {"medical_assistance", "医療扶助情報", ASSIST, use_or_not, "use", SCOPE_ALL, NULL, false, 0},
    {"medical_subsidy", "医療費助成情報", SUBSIDY, use_or_not, "not_use", SCOPE_ALL, NULL, false,
     0},
    {"home_visit", "訪問診療等機能", VISIT, use_or_not, "not_use", SCOPE_ALL, NULL, true, 0},
    {"online_care", "オンライン診療等機能", VISIT, use_or_not, "not_use", SCOPE_ALL, NULL, true, 0},
    {"visit_display_name", "訪問診療等・オンライン診療等の医療機関名称等情報", VISIT, NULL, "",
     SCOPE_ALL, NULL, false, 100},
};
const size_t setting_items_count = sizeof setting_items / sizeof setting_items[0];

const struct setting_item *setting_find(const char *id)
{
    for (size_t i = 0; i < setting_items_count; i++)
        if (strcmp(setting_items[i].id, id) == 0)
            return &setting_items[i];
    return NULL;
}

const char *setting_in_force(const char *id, const char *stored)
{
    const struct setting_item *item = setting_find(id);
    return stored ? stored : item ? item->default_value : NULL;
}

bool setting_applies(const struct setting_item *item, enum institution_kind kind)
{
    switch (item->scope) {
    case SCOPE_CLINIC:
        return kind != KIND_PHARMACY;
    case SCOPE_PHARMACY:
        return kind == KIND_PHARMACY;
    default:
        return true;
    }
}

static const char *value_of(const struct setting_value *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return v[i].value;
    return NULL;
}

static void add(struct setting_problem *p, int *n, enum err_code code, const char *item)
{
    if (*n < SETTINGS_MAX_PROBLEMS)
        p[(*n)++] = (struct setting_problem){code, item};
}

static bool in_choices(const struct setting_choice *c, const char *value)
{
    for (; c->id; c++)
        if (strcmp(c->id, value) == 0)
            return true;
    return false;
}

static bool free_text_ok(const struct setting_item *item, const char *value)
{
    size_t len = strlen(value);
    return utf8_valid(value, len) && !text_has_control(value) &&
           utf8_length(value) <= item->max_chars && text_fits_cp932(value);
}

int settings_check(enum institution_kind kind, const struct setting_value *next, size_t n,
                   const struct setting_value *current, size_t ncurrent, bool terms_agreed,
                   struct setting_problem *problems)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        const struct setting_item *item = setting_find(next[i].id);
        if (!item)
            add(problems, &count, ERR_SETTINGS_ITEM_UNKNOWN, next[i].id);
        else if (!setting_applies(item, kind))
            add(problems, &count, ERR_SETTINGS_ITEM_NOT_APPLICABLE, item->id);
        else if (item->choices ? !in_choices(item->choices, next[i].value)
                               : !free_text_ok(item, next[i].value))
            add(problems, &count, ERR_SETTINGS_VALUE_INVALID, item->id);
    }
    if (count)
        return count; /* the rules between items need valid values */
    const char *drug = value_of(next, n, "consent_drug");
    const char *medical = value_of(next, n, "consent_medical");
    if (medical && drug && strcmp(medical, "use") == 0 && strcmp(drug, "not_use") == 0)
        add(problems, &count, ERR_SETTINGS_MEDICAL_NEEDS_DRUG, "consent_medical");
    const char *epresc = value_of(next, n, "eprescription");
    const char *refill = value_of(next, n, "refill_prescription");
    if (refill && epresc && strcmp(refill, "use") == 0 && strcmp(epresc, "not_use") == 0)
        add(problems, &count, ERR_SETTINGS_REFILL_NEEDS_EPRESCRIPTION, "refill_prescription");
    const char *mode = value_of(next, n, "eprescription_mode");
    const char *timing = value_of(next, n, "prescription_form_timing");
    if (timing && mode && strcmp(timing, "at_check") == 0 && strcmp(mode, "not_use") == 0)
        add(problems, &count, ERR_SETTINGS_TIMING_NEEDS_EPRESCRIPTION, "prescription_form_timing");
    for (size_t i = 0; i < setting_items_count; i++) {
        const struct setting_item *item = &setting_items[i];
        if (!item->needs_terms)
            continue;
        const char *now = value_of(next, n, item->id);
        const char *before = value_of(current, ncurrent, item->id);
        bool turning_on = now && strcmp(now, "use") == 0 && (!before || strcmp(before, "use") != 0);
        if (turning_on && !terms_agreed)
            add(problems, &count, ERR_SETTINGS_TERMS_REQUIRED, item->id);
    }
    return count;
}
