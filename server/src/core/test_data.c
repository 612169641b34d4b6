#include "core/test_data.h"

#include <stdio.h>
#include <string.h>

/* In the order of the manual's list (ch. 3 §3, テスト用資格情報). */
const struct qualification_type qualification_types[] = {
    {"insurance_valid", "医療保険有効", "有効な医療保険資格です。", true, true, false, false,
     TICKET_RULE_NONE, false, false, false, false},
    {"insurance_valid_nondisclosure", "医療保険有効（不開示該当）",
     "有効な医療保険資格ですが、郵便番号と住所は表示されません。", true, true, false, false,
     TICKET_RULE_NONE, true, false, false, false},
    {"insurance_valid_self_info_restricted", "医療保険有効（自己情報提供不可）",
     "有効な医療保険資格ですが、本人からの申し出により医療保険者等が自己情報提供停止フラグを設定"
     "した情報です。そのため資格情報は表示されません。",
     true, true, false, false, TICKET_RULE_NONE, false, true, false, false},
    {"insurance_invalid", "医療保険無効", "無効な医療保険資格です。", true, false, false, false,
     TICKET_RULE_NONE, false, false, false, false},
    {"insurance_valid_no_medical_info", "医療保険有効（薬剤、診療・薬剤、特健情報なし）",
     "有効な医療保険資格ですが、薬剤情報、手術・診療・薬剤情報、特定健診情報は表示されません。",
     true, true, false, false, TICKET_RULE_NONE, false, false, true, false},
    {"insurance_valid_first_registration_timeout", "医療保険有効（初回登録タイムアウト）",
     "有効な医療保険資格ですが、保険証化登録時に顔認証付きカードリーダーでタイムアウトします。"
     "保険証化登録はされているため次回の資格確認では有効な医療保険資格を取得できます。",
     true, true, false, false, TICKET_RULE_NONE, false, false, false, true},
    {"assistance_valid_medical", "医療扶助有効（医科・歯科）",
     "有効な医療扶助資格です。医療券が表示されます。", false, false, true, true,
     TICKET_RULE_MEDICAL, false, false, false, false},
    {"assistance_valid_pharmacy", "医療扶助有効（薬局）",
     "有効な医療扶助資格です。調剤券が表示されます。", false, false, true, true,
     TICKET_RULE_DISPENSING, false, false, false, false},
    {"assistance_and_insurance_valid", "医療扶助医療保険有効（併用）",
     "医療保険・医療扶助共に有効な資格情報があります。医療扶助資格情報に紐づいた医療券があります。",
     true, true, true, true, TICKET_RULE_BY_KIND, false, false, false, false},
    {"assistance_and_insurance_valid_no_ticket", "医療扶助医療保険有効（併用医療券なし）",
     "医療保険・医療扶助共に有効な資格情報があります。医療扶助資格情報に紐づいた医療券・調剤券が"
     "ありません。",
     true, true, true, true, TICKET_RULE_NONE, false, false, false, false},
    {"assistance_invalid", "医療扶助無効", "無効な医療扶助資格です。", false, false, true, false,
     TICKET_RULE_NONE, false, false, false, false},
    {"assistance_valid_no_ticket", "医療扶助有効（医療券なし）",
     "有効な医療扶助資格ですが、医療券がない状態のため未委託状態での表示となります。", false, false,
     true, true, TICKET_RULE_NONE, false, false, false, false},
    {"assistance_valid_nondisclosure", "医療扶助有効（不開示該当）",
     "有効な医療扶助資格ですが、郵便番号と住所は表示されません。", false, false, true, true,
     TICKET_RULE_BY_KIND, true, false, false, false},
    {"assistance_valid_self_info_restricted", "医療扶助有効（自己情報提供不可）",
     "有効な医療扶助資格ですが、本人からの申し出により福祉事務所等が自己情報提供停止フラグを設定"
     "した情報です。そのため資格情報は表示されません。",
     false, false, true, true, TICKET_RULE_BY_KIND, false, true, false, false},
};
const size_t qualification_types_count = sizeof qualification_types / sizeof qualification_types[0];

const struct qualification_type *qualification_type_find(const char *id)
{
    for (size_t i = 0; i < qualification_types_count; i++)
        if (strcmp(qualification_types[i].id, id) == 0)
            return &qualification_types[i];
    return NULL;
}

static const struct {
    const char *id, *label;
} categories[CATEGORY__COUNT] = {
    {"employee_insurance", "被用者保険"},
    {"national_health_insurance", "国民健康保険"},
    {"late_elderly", "後期高齢者医療"},
    {"medical_assistance", "医療扶助"},
};

const char *test_category_id(enum test_category c)
{
    return categories[c].id;
}

const char *test_category_label(enum test_category c)
{
    return categories[c].label;
}

bool test_category_parse(const char *id, enum test_category *out)
{
    for (int i = 0; i < CATEGORY__COUNT; i++)
        if (strcmp(categories[i].id, id) == 0) {
            *out = (enum test_category)i;
            return true;
        }
    return false;
}

bool test_category_accepts(enum test_category c, const struct qualification_type *t)
{
    return c == CATEGORY_ASSISTANCE ? t->assistance : !t->assistance;
}

enum test_category test_category_for_card(const struct qualification_type *t)
{
    return t->assistance ? CATEGORY_ASSISTANCE : CATEGORY_EMPLOYEE;
}

bool test_serial_normalize(const char *in, char out[SERIAL_MAX_DIGITS + 1])
{
    size_t n = 0, len = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s;) {
        int d;
        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
            s++;
        } else if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) {
            d = s[2] - 0x90; /* U+FF10…U+FF19, what a Japanese IME types */
            s += 3;
        } else
            return false;
        if (++n > SERIAL_MAX_DIGITS)
            return false;
        if (len > 0 || d != 0) /* leading zeros do not change the number */
            out[len++] = (char)('0' + d);
    }
    out[len] = '\0';
    return len > 0; /* a certificate serial is a positive number */
}

int insurer_check_digit(const char *digits, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int product = (digits[n - 1 - i] - '0') * (i % 2 == 0 ? 2 : 1);
        sum += product / 10 + product % 10;
    }
    return (10 - sum % 10) % 10;
}

/* splitmix64: small, fast, and good enough to vary synthetic people. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *state, unsigned n)
{
    return (unsigned)(next(state) % n);
}

/* Random decimal digits into out[0..n). */
static void digits_into(uint64_t *state, char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('0' + pick(state, 10));
    out[n] = '\0';
}

/* prefix + 3 random digits + check digit. */
static void numbered(uint64_t *state, const char *prefix, char *out)
{
    size_t n = strlen(prefix);
    memcpy(out, prefix, n);
    digits_into(state, out + n, 3);
    out[n] = (char)('1' + pick(state, 9)); /* no leading zero in the insurer's own part */
    out[n + 3] = (char)('0' + insurer_check_digit(out, n + 3));
    out[n + 4] = '\0';
}

static const char *const prefectures[] = {
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県",   "福島県", "茨城県",
    "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
    "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",   "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
    "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県",   "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"};

static const struct {
    const char *kanji, *kana;
} family_names[] = {{"佐藤", "サトウ"},   {"鈴木", "スズキ"},   {"高橋", "タカハシ"},
                    {"田中", "タナカ"},   {"伊藤", "イトウ"},   {"渡辺", "ワタナベ"},
                    {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"},
                    {"加藤", "カトウ"}},
  male_names[] = {{"太郎", "タロウ"},   {"健一", "ケンイチ"}, {"翔太", "ショウタ"},
                  {"大輔", "ダイスケ"}, {"誠", "マコト"},     {"修", "オサム"}},
  female_names[] = {{"花子", "ハナコ"}, {"陽子", "ヨウコ"}, {"美咲", "ミサキ"},
                    {"由美", "ユミ"},   {"恵子", "ケイコ"}, {"さくら", "サクラ"}};

static const char *const towns[] = {"本町", "緑町", "桜台", "港町", "若葉", "旭町"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A day between `from` and `to` days before `today` (inclusive). */
static void days_before(uint64_t *state, const struct date *today, long from, long to, char out[11])
{
    struct date d =
        date_from_days(date_to_days(today) - from - (long)pick(state, (unsigned)(to - from + 1)));
    date_format(&d, out);
}

static void day_text(long day, char out[11])
{
    struct date d = date_from_days(day);
    date_format(&d, out);
}

/* A qualification's period, never starting before the day `earliest`: a valid one started
 * 30 days to `span` days ago and is open-ended; an ended one lasted at least 100 days and
 * ended 30 to 400 days ago. */
static void period(uint64_t *state, const struct date *today, long earliest, bool valid, long span,
                   char from[11], char until[11])
{
    long now = date_to_days(today);
    long end = valid ? now - 30 : now - 30 - (long)pick(state, 371);
    long lo = valid ? now - span : end - 2000;
    long hi = valid ? end : end - 100;
    if (lo < earliest)
        lo = earliest;
    day_text(lo + (long)pick(state, (unsigned)(hi - lo + 1)), from);
    if (valid)
        until[0] = '\0';
    else
        day_text(end, until);
}

static void make_insurance(uint64_t *state, enum test_category c, const char *pref,
                           const char *prefecture, const struct date *today, bool valid,
                           long earliest, struct test_insurance *ins)
{
    char prefix[5];
    switch (c) {
    case CATEGORY_NATIONAL:
        numbered(state, pref, ins->insurer_number);
        digits_into(state, ins->symbol, 3);
        digits_into(state, ins->number, 6);
        snprintf(ins->branch, sizeof ins->branch, "00");
        snprintf(ins->insurer_name, sizeof ins->insurer_name, "試験市");
        snprintf(ins->personal_family, sizeof ins->personal_family, "1");
        break;
    case CATEGORY_ELDERLY:
        snprintf(prefix, sizeof prefix, "39%s", pref);
        numbered(state, prefix, ins->insurer_number);
        digits_into(state, ins->number, 8);
        ins->number[0] = (char)('1' + pick(state, 9));
        snprintf(ins->insurer_name, sizeof ins->insurer_name, "%s後期高齢者医療広域連合",
                 prefecture);
        snprintf(ins->personal_family, sizeof ins->personal_family, "1");
        break;
    default: /* 被用者保険 (a 健康保険組合); also the insurance side of 医療扶助 併用 */
        snprintf(prefix, sizeof prefix, "06%s", pref);
        numbered(state, prefix, ins->insurer_number);
        digits_into(state, ins->symbol, 4);
        ins->symbol[0] = (char)('1' + pick(state, 9));
        digits_into(state, ins->number, 7);
        bool self = pick(state, 10) < 7;
        snprintf(ins->branch, sizeof ins->branch, "%02u", self ? 0u : 1 + pick(state, 3));
        snprintf(ins->insurer_name, sizeof ins->insurer_name, "試験産業健康保険組合");
        snprintf(ins->personal_family, sizeof ins->personal_family, "%s", self ? "1" : "2");
        break;
    }
    snprintf(ins->card_classification, sizeof ins->card_classification, "01");
    period(state, today, earliest, valid, 3650, ins->valid_from, ins->valid_until);
}

static void make_assistance(uint64_t *state, const char *pref, const struct date *today,
                            const struct qualification_type *t, enum institution_kind kind,
                            long earliest, struct test_assistance *a)
{
    char prefix[5];
    snprintf(prefix, sizeof prefix, "12%s", pref);
    numbered(state, prefix, a->payer_number);
    digits_into(state, a->recipient_number, 6);
    a->recipient_number[6] = (char)('0' + insurer_check_digit(a->recipient_number, 6));
    a->recipient_number[7] = '\0';
    snprintf(a->welfare_office, sizeof a->welfare_office, "試験市福祉事務所");
    period(state, today, earliest, t->assistance_valid, 1800, a->valid_from, a->valid_until);
    switch (t->ticket) {
    case TICKET_RULE_MEDICAL:
        a->ticket = TICKET_MEDICAL;
        break;
    case TICKET_RULE_DISPENSING:
        a->ticket = TICKET_DISPENSING;
        break;
    case TICKET_RULE_BY_KIND:
        a->ticket = kind == KIND_PHARMACY ? TICKET_DISPENSING : TICKET_MEDICAL;
        break;
    default:
        a->ticket = TICKET_NONE;
    }
    if (a->ticket != TICKET_NONE)
        digits_into(state, a->ticket_number, 10);
}

/* Adults' subsidies (the test persons are 20 and over): 法別番号 80 and 81 as many prefectures
 * number their own programmes; valid as long as the insurance. */
static void make_subsidy(uint64_t *state, const char *pref, const struct test_insurance *ins,
                         struct test_subsidy *s)
{
    static const struct {
        const char *law, *name;
    } programmes[] = {{"80", "重度心身障害者医療費助成"}, {"81", "ひとり親家庭等医療費助成"}};
    unsigned k = pick(state, 2);
    char prefix[5];
    snprintf(prefix, sizeof prefix, "%s%s", programmes[k].law, pref);
    numbered(state, prefix, s->payer_number);
    digits_into(state, s->recipient_number, 6);
    s->recipient_number[6] = (char)('0' + insurer_check_digit(s->recipient_number, 6));
    s->recipient_number[7] = '\0';
    snprintf(s->name, sizeof s->name, "%s", programmes[k].name);
    memcpy(s->valid_from, ins->valid_from, sizeof s->valid_from);
    memcpy(s->valid_until, ins->valid_until, sizeof s->valid_until);
}

void test_person_make(const struct qualification_type *t, enum test_category c,
                      enum institution_kind kind, const char *institution_code,
                      const struct date *today, uint64_t seed, struct test_person *out)
{
    uint64_t state = seed;
    memset(out, 0, sizeof *out);
    out->type = t;
    out->category = c;
    /* The institution code starts with its prefecture (01–47): the person lives nearby. */
    char pref[3] = {institution_code[0], institution_code[1], '\0'};
    int pref_no = (pref[0] - '0') * 10 + (pref[1] - '0');
    if (pref_no < 1 || pref_no > 47)
        memcpy(pref, "13", 3), pref_no = 13;
    const char *prefecture = prefectures[pref_no - 1];

    bool female = pick(&state, 2) == 1;
    unsigned f = pick(&state, N(family_names)), g = pick(&state, N(male_names));
    const char *given = female ? female_names[g].kanji : male_names[g].kanji;
    const char *given_kana = female ? female_names[g].kana : male_names[g].kana;
    /* A full-width space between family and given name, as the real system writes it. */
    snprintf(out->name, sizeof out->name, "%s　%s", family_names[f].kanji, given);
    snprintf(out->name_kana, sizeof out->name_kana, "%s　%s", family_names[f].kana, given_kana);
    snprintf(out->sex, sizeof out->sex, "%s", female ? "2" : "1");

    /* Adults, so that every qualification can have started years ago; 後期高齢者医療 is
     * for people of 75 and over, and starts at 75: those of 77 and over can have one that
     * has already ended. */
    long min_age = 20, max_age = 74;
    if (c == CATEGORY_ELDERLY)
        min_age = 77, max_age = 95;
    days_before(&state, today, min_age * 366 + 1, max_age * 365 + 364, out->birthdate);
    struct date born;
    date_parse(out->birthdate, &born);
    struct date at75 = {born.year + 75, born.month, born.day}; /* 29 Feb → 1 Mar */
    long earliest = date_to_days(c == CATEGORY_ELDERLY ? &at75 : &born);

    snprintf(out->postcode, sizeof out->postcode, "%03u-%04u", 100 + pick(&state, 900),
             pick(&state, 10000));
    snprintf(out->address, sizeof out->address, "%s試験市%s%u丁目%u番%u号", prefecture,
             towns[pick(&state, N(towns))], 1 + pick(&state, 5), 1 + pick(&state, 20),
             1 + pick(&state, 30));

    out->has_insurance = t->insurance;
    out->has_assistance = t->assistance;
    if (t->insurance)
        make_insurance(&state, c == CATEGORY_ASSISTANCE ? CATEGORY_EMPLOYEE : c, pref, prefecture,
                       today, t->insurance_valid, earliest, &out->insurance);
    if (t->assistance)
        make_assistance(&state, pref, today, t, kind, earliest, &out->assistance);
    /* Drawn last, so that everything above stays what the same seed always gave. */
    if ((out->has_subsidy = t->insurance))
        make_subsidy(&state, pref, &out->insurance, &out->subsidy);
}

static const char *const ticket_ids[] = {"none", "medical", "dispensing"};
static const char *const ticket_labels[] = {"", "医療券", "調剤券"};

static json_t *str_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

json_t *test_person_to_json(const struct test_person *p)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "qualification_type",
                          p->type->id, "category", test_category_id(p->category), "name", p->name,
                          "name_kana", p->name_kana, "sex", p->sex, "birthdate", p->birthdate,
                          "postcode", p->postcode, "address", p->address);
    json_t *ins = json_null(), *ast = json_null();
    if (p->has_insurance) {
        const struct test_insurance *i = &p->insurance;
        ins =
            json_pack("{s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:s, s:o}", "insurer_number",
                      i->insurer_number, "insured_card_symbol", str_or_null(i->symbol),
                      "insured_number", i->number, "insured_branch_number", str_or_null(i->branch),
                      "insurer_name", i->insurer_name, "insured_card_classification",
                      i->card_classification, "personal_family_classification", i->personal_family,
                      "valid_from", i->valid_from, "valid_until", str_or_null(i->valid_until));
    }
    if (p->has_assistance) {
        const struct test_assistance *a = &p->assistance;
        json_t *ticket = json_null();
        if (a->ticket != TICKET_NONE)
            ticket = json_pack("{s:s, s:s, s:s}", "kind", ticket_ids[a->ticket], "label",
                               ticket_labels[a->ticket], "number", a->ticket_number);
        ast = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "public_payer_number", a->payer_number,
                        "recipient_number", a->recipient_number, "welfare_office",
                        a->welfare_office, "valid_from", a->valid_from, "valid_until",
                        str_or_null(a->valid_until), "ticket", ticket);
    }
    json_object_set_new(o, "insurance", ins);
    json_object_set_new(o, "medical_assistance", ast);
    json_t *sub = json_null();
    if (p->has_subsidy) {
        const struct test_subsidy *m = &p->subsidy;
        sub = json_pack("{s:s, s:s, s:s, s:s, s:o}", "public_payer_number", m->payer_number,
                        "recipient_number", m->recipient_number, "name", m->name, "valid_from",
                        m->valid_from, "valid_until", str_or_null(m->valid_until));
    }
    json_object_set_new(o, "medical_subsidy", sub);
    return o;
}

/* Copies o[key] into dst: a string that fits, or (when optional) null/absent as "". */
static bool take(json_t *o, const char *key, char *dst, size_t size, bool optional)
{
    json_t *v = json_object_get(o, key);
    if ((!v || json_is_null(v)) && optional) {
        dst[0] = '\0';
        return true;
    }
    if (!json_is_string(v) || json_string_length(v) >= size)
        return false;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

#define TAKE(o, key, field, opt) take(o, key, field, sizeof(field), opt)

bool test_person_from_json(json_t *o, struct test_person *out)
{
    char type[64], category[32];
    memset(out, 0, sizeof *out);
    if (!json_is_object(o) || !TAKE(o, "qualification_type", type, false) ||
        !TAKE(o, "category", category, false) || !TAKE(o, "name", out->name, false) ||
        !TAKE(o, "name_kana", out->name_kana, false) || !TAKE(o, "sex", out->sex, false) ||
        !TAKE(o, "birthdate", out->birthdate, false) ||
        !TAKE(o, "postcode", out->postcode, false) || !TAKE(o, "address", out->address, false))
        return false;
    if (!(out->type = qualification_type_find(type)) ||
        !test_category_parse(category, &out->category))
        return false;
    json_t *i = json_object_get(o, "insurance"), *a = json_object_get(o, "medical_assistance");
    out->has_insurance = json_is_object(i);
    out->has_assistance = json_is_object(a);
    if (out->has_insurance != out->type->insurance || out->has_assistance != out->type->assistance)
        return false;
    struct test_insurance *ins = &out->insurance;
    if (out->has_insurance &&
        !(TAKE(i, "insurer_number", ins->insurer_number, false) &&
          TAKE(i, "insured_card_symbol", ins->symbol, true) &&
          TAKE(i, "insured_number", ins->number, false) &&
          TAKE(i, "insured_branch_number", ins->branch, true) &&
          TAKE(i, "insurer_name", ins->insurer_name, false) &&
          TAKE(i, "insured_card_classification", ins->card_classification, false) &&
          TAKE(i, "personal_family_classification", ins->personal_family, false) &&
          TAKE(i, "valid_from", ins->valid_from, false) &&
          TAKE(i, "valid_until", ins->valid_until, true)))
        return false;
    struct test_assistance *as = &out->assistance;
    if (out->has_assistance) {
        if (!(TAKE(a, "public_payer_number", as->payer_number, false) &&
              TAKE(a, "recipient_number", as->recipient_number, false) &&
              TAKE(a, "welfare_office", as->welfare_office, false) &&
              TAKE(a, "valid_from", as->valid_from, false) &&
              TAKE(a, "valid_until", as->valid_until, true)))
            return false;
        json_t *t = json_object_get(a, "ticket");
        char kind[16];
        as->ticket = TICKET_NONE;
        if (json_is_object(t)) {
            if (!TAKE(t, "kind", kind, false) || !TAKE(t, "number", as->ticket_number, false))
                return false;
            as->ticket = strcmp(kind, "medical") == 0      ? TICKET_MEDICAL
                         : strcmp(kind, "dispensing") == 0 ? TICKET_DISPENSING
                                                           : TICKET_NONE;
            if (as->ticket == TICKET_NONE)
                return false;
        } else if (t && !json_is_null(t))
            return false;
    }
    /* Absent in persons registered before subsidies were modelled. */
    json_t *m = json_object_get(o, "medical_subsidy");
    struct test_subsidy *su = &out->subsidy;
    if ((out->has_subsidy = json_is_object(m)) &&
        !(TAKE(m, "public_payer_number", su->payer_number, false) &&
          TAKE(m, "recipient_number", su->recipient_number, false) &&
          TAKE(m, "name", su->name, false) && TAKE(m, "valid_from", su->valid_from, false) &&
          TAKE(m, "valid_until", su->valid_until, true)))
        return false;
    if (m && !json_is_null(m) && !out->has_subsidy)
        return false;
    return true;
}
