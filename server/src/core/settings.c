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

static const char *const drug_used[] = {"use", NULL};
static const char *const eprescription_modes_used[] = {"e_only", "e_and_paper", "paper_only", NULL};
static const char *const eprescription_used[] = {"use", NULL};

/* The manual's words (ch. 3 §3 画面項目説明) for when a dependent item may be chosen. */
static const struct setting_condition medical_condition = {
    drug_used, "not_use",
    "本項目は「薬剤情報：利用する」と設定されている場合のみ選択可能となります。",
    ERR_SETTINGS_MEDICAL_NEEDS_DRUG};
static const struct setting_condition timing_condition = {
    eprescription_modes_used, "other_than_check",
    "電子処方箋利用区分を「利用しない」以外に設定した場合のみ選択可能となります。",
    ERR_SETTINGS_TIMING_NEEDS_EPRESCRIPTION};
static const struct setting_condition refill_condition = {
    eprescription_used, "not_use",
    "電子処方箋で「利用しない」を選択した場合、リフィル処方箋は使用できません。",
    ERR_SETTINGS_REFILL_NEEDS_EPRESCRIPTION};

static const char *const encoding_notes[] = {
    "HIS 等の連携システムを利用しない医療機関等は「utf-8」で利用してください。", NULL};
static const char *const eprescription_mode_notes[] = {
    "「利用しない」以外を選択した場合、資格情報照会に「処方箋の発行」の項目が表示されます。", NULL};
static const char *const subsidy_notes[] = {
    "PMH 事業に参加している先行実施機関のみ利用可能です。",
    "先行実施事業に参加していない医療機関は、医療費助成情報を「利用する」に設定しないようお願いい"
    "たします。",
    NULL};
static const char *const home_visit_notes[] = {
    "「利用する」を選択した場合、利用規約同意確認が表示されます。同意すると、メニューに「訪問診療"
    "等・オンライン診療等」が表示されます。",
    NULL};
static const char *const display_name_notes[] = {
    "オンライン資格確認用 Web サービスで表示される医療機関等名称を入力します。",
    "未入力の場合は画面上部の名称となります。", NULL};

static const char *const consent_section_notes[] = {
    "各項目の「利用する」を選択した場合、「資格情報照会（マイナンバーカード）」と「顔認証付きカード"
    "リーダー」に該当情報の閲覧への同意を確認する項目が表示されます。",
    NULL};
static const char *const visit_section_notes[] = {
    "事前に「オンライン資格確認等システム利用規約」をご確認ください。",
    "訪問診療等・オンライン診療等の資格確認を行った場合「居宅同意取得型」オンライン資格確認の導入"
    "医療機関として厚生労働省HPに公表します。",
    NULL};

const struct setting_section setting_sections[] = {
    {ENV, NULL},     {CONSENT, consent_section_notes}, {EPRESC, NULL}, {ASSIST, NULL},
    {SUBSIDY, NULL}, {VISIT, visit_section_notes},
};
const size_t setting_sections_count = sizeof setting_sections / sizeof setting_sections[0];

/* In the order of the manual's screen. Defaults: manual ch. 3 §1 「各情報に対する設定の初期値」.
 * Every item with choices is marked 「*」 (required) on the manual's screen; the display name
 * is optional. */
const struct setting_item setting_items[] = {
    {.id = "char_encoding",
     .label = "利用文字コード",
     .section = ENV,
     .choices = encodings,
     .default_value = "utf8",
     .scope = SCOPE_ALL,
     .required = true,
     .notes = encoding_notes},
    {.id = "consent_surgery",
     .label = "手術情報",
     .section = CONSENT,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_ALL,
     .required = true},
    {.id = "consent_drug",
     .label = "薬剤情報",
     .section = CONSENT,
     .choices = use_or_not,
     .default_value = "use",
     .scope = SCOPE_ALL,
     .required = true},
    {.id = "consent_medical",
     .label = "診療情報",
     .section = CONSENT,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_ALL,
     .depends_on = "consent_drug",
     .condition = &medical_condition,
     .required = true},
    {.id = "consent_checkup",
     .label = "特定健診情報",
     .section = CONSENT,
     .choices = use_or_not,
     .default_value = "use",
     .scope = SCOPE_ALL,
     .required = true},
    {.id = "consent_specific_disease",
     .label = "特定疾病療養受療証",
     .section = CONSENT,
     .choices = use_or_not,
     .default_value = "use",
     .scope = SCOPE_ALL,
     .required = true},
    {.id = "eprescription_mode",
     .label = "電子処方箋利用区分",
     .section = EPRESC,
     .choices = eprescription_modes,
     .default_value = "not_use",
     .scope = SCOPE_CLINIC,
     .required = true,
     .notes = eprescription_mode_notes},
    {.id = "prescription_form_timing",
     .label = "発行形態選択タイミング",
     .section = EPRESC,
     .choices = timings,
     .default_value = "other_than_check",
     .scope = SCOPE_CLINIC,
     .depends_on = "eprescription_mode",
     .condition = &timing_condition,
     .required = true},
    {.id = "eprescription",
     .label = "電子処方箋",
     .section = EPRESC,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_PHARMACY,
     .required = true},
    {.id = "refill_prescription",
     .label = "リフィル処方箋",
     .section = EPRESC,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_PHARMACY,
     .depends_on = "eprescription",
     .condition = &refill_condition,
     .required = true},
    {.id = "medical_assistance",
     .label = "医療扶助情報",
     .section = ASSIST,
     .choices = use_or_not,
     .default_value = "use",
     .scope = SCOPE_ALL,
     .required = true},
    {.id = "medical_subsidy",
     .label = "医療費助成情報",
     .section = SUBSIDY,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_ALL,
     .required = true,
     .notes = subsidy_notes,
     .participants_only = true,
     .restriction = "この医療機関等は PMH 事業の先行実施機関として登録されていないため、「利用す"
                    "る」は選択できません。先行実施事業に参加している場合は、実施機関に登録を依頼"
                    "してください。"},
    {.id = "home_visit",
     .label = "訪問診療等機能",
     .section = VISIT,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_ALL,
     .needs_terms = true,
     .required = true,
     .notes = home_visit_notes},
    {.id = "online_care",
     .label = "オンライン診療等機能",
     .section = VISIT,
     .choices = use_or_not,
     .default_value = "not_use",
     .scope = SCOPE_ALL,
     .needs_terms = true,
     .required = true,
     .notes = home_visit_notes},
    {.id = "visit_display_name",
     .label = "訪問診療等・オンライン診療等の医療機関名称等情報",
     .section = VISIT,
     .default_value = "",
     .scope = SCOPE_ALL,
     .max_chars = 100,
     .notes = display_name_notes},
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

bool setting_condition_met(const struct setting_item *item, const char *controlling)
{
    if (!item->condition)
        return true;
    for (const char *const *v = item->condition->values; *v; v++)
        if (controlling && strcmp(*v, controlling) == 0)
            return true;
    return false;
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

const char *setting_in_force_at(const char *id, const char *stored, bool pmh_participant)
{
    const struct setting_item *item = setting_find(id);
    if (item && item->participants_only && !pmh_participant)
        return item->default_value;
    return setting_in_force(id, stored);
}

int settings_check(enum institution_kind kind, const struct setting_value *next, size_t n,
                   const struct setting_value *current, size_t ncurrent, bool terms_agreed,
                   struct setting_problem *problems)
{
    return settings_check_for(kind, true, next, n, current, ncurrent, terms_agreed, problems);
}

int settings_check_for(enum institution_kind kind, bool pmh_participant,
                       const struct setting_value *next, size_t n,
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
    /* A dependent item keeps its `otherwise` value unless its condition is met. */
    for (size_t i = 0; i < setting_items_count; i++) {
        const struct setting_item *item = &setting_items[i];
        if (!item->condition)
            continue;
        const char *value = value_of(next, n, item->id);
        const char *controlling = value_of(next, n, item->depends_on);
        if (value && controlling && strcmp(value, item->condition->otherwise) != 0 &&
            !setting_condition_met(item, controlling))
            add(problems, &count, item->condition->refusal, item->id);
    }
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
    for (size_t i = 0; i < setting_items_count && !pmh_participant; i++) {
        const struct setting_item *item = &setting_items[i];
        const char *now = value_of(next, n, item->id);
        if (item->participants_only && now && strcmp(now, item->default_value) != 0)
            add(problems, &count, ERR_SETTINGS_SUBSIDY_NEEDS_PMH, item->id);
    }
    return count;
}

unsigned settings_prescription_forms(enum institution_kind kind, const char *mode,
                                     const char *timing)
{
    if (kind == KIND_PHARMACY || !mode || !timing || strcmp(timing, "at_check") != 0)
        return 0;
    if (strcmp(mode, "e_only") == 0)
        return PRESCRIPTION_FORM_BIT(PRESCRIPTION_ELECTRONIC);
    if (strcmp(mode, "paper_only") == 0)
        return PRESCRIPTION_FORM_BIT(PRESCRIPTION_PAPER);
    if (strcmp(mode, "e_and_paper") == 0)
        return PRESCRIPTION_FORM_BIT(PRESCRIPTION_ELECTRONIC) |
               PRESCRIPTION_FORM_BIT(PRESCRIPTION_PAPER);
    return 0;
}

static const struct {
    const char *id, *label, *code;
} prescription_forms[] = {
    [PRESCRIPTION_NONE] = {"", "", ""},
    [PRESCRIPTION_ELECTRONIC] = {"electronic", "電子処方箋", "1"},
    [PRESCRIPTION_PAPER] = {"paper", "紙の処方箋", "2"},
};

const char *prescription_form_id(enum prescription_form f)
{
    return prescription_forms[f].id;
}

const char *prescription_form_label(enum prescription_form f)
{
    return prescription_forms[f].label;
}

const char *prescription_form_code(enum prescription_form f)
{
    return prescription_forms[f].code;
}

bool prescription_form_parse(const char *id, enum prescription_form *out)
{
    for (int f = PRESCRIPTION_ELECTRONIC; f <= PRESCRIPTION_PAPER; f++)
        if (strcmp(prescription_forms[f].id, id) == 0) {
            *out = (enum prescription_form)f;
            return true;
        }
    return false;
}
