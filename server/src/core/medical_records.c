#include "core/medical_records.h"

#include <stdio.h>
#include <string.h>

const char *medical_history_category(enum consent_item item)
{
    switch (item) {
    case CONSENT_CHECKUP:
        return "checkup";
    case CONSENT_DRUG:
        return "drug";
    default:
        return "surgery_medical_drug";
    }
}

/* FNV-1a over the person's identity: the seed of everything generated for them. */
static uint64_t person_seed(const struct test_person *p, enum consent_item item)
{
    uint64_t h = 1469598103934665603u;
    const char *parts[] = {p->name, p->birthdate,
                           p->has_insurance ? p->insurance.number : p->assistance.recipient_number,
                           consent_item_id(item)};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++)
            h = (h ^ *c) * 1099511628211u;
    return h;
}

static unsigned next(uint64_t *s, unsigned n)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (unsigned)(*s % n);
}

static const char *const drugs[][2] = {
    {"アムロジピン錠５ｍｇ", "1錠"},           {"ロキソプロフェンナトリウム錠６０ｍｇ", "3錠"},
    {"メトホルミン塩酸塩錠２５０ｍｇ", "2錠"}, {"レバミピド錠１００ｍｇ", "3錠"},
    {"ファモチジン錠２０ｍｇ", "2錠"},         {"アトルバスタチン錠１０ｍｇ", "1錠"}};
static const char *const diagnoses[] = {"高血圧症", "２型糖尿病", "急性上気道炎", "脂質異常症",
                                        "胃炎"};
static const char *const procedures[] = {"再診料", "血液学的検査", "生化学的検査", "処方箋料",
                                         "初診料"};
static const char *const operations[] = {"腹腔鏡下胆嚢摘出術", "虫垂切除術",
                                         "白内障手術（水晶体再建術）"};

/* Dates walk back from `today` in steps of 20–60 days. */
static void step_back(uint64_t *s, long *day, char out[11])
{
    *day -= 20 + next(s, 41);
    struct date d = date_from_days(*day);
    date_format(&d, out);
}

json_t *medical_records(const struct test_person *p, enum consent_item item,
                        const struct date *today)
{
    json_t *a = json_array();
    if (p->type->no_medical_info || p->type->self_info_restricted)
        return a;
    uint64_t s = person_seed(p, item) | 1;
    /* Anchored to the first of this month so that the records stay put within it. */
    struct date first = {today->year, today->month, 1};
    long day = date_to_days(&first) + 1;
    char date[11];
    unsigned n;
    switch (item) {
    case CONSENT_DRUG:
        n = 3 + next(&s, 4);
        for (unsigned i = 0; i < n; i++) {
            step_back(&s, &day, date);
            unsigned d = next(&s, 6);
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:s}", "dispensed_on", date,
                                               "drug", drugs[d][0], "dose_per_day", drugs[d][1],
                                               "days", 7 * (1 + (int)next(&s, 4)), "dispensed_by",
                                               "試験薬局"));
        }
        break;
    case CONSENT_MEDICAL:
        n = 2 + next(&s, 4);
        for (unsigned i = 0; i < n; i++) {
            step_back(&s, &day, date);
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "treated_on", date,
                                               "diagnosis", diagnoses[next(&s, 5)], "procedure",
                                               procedures[next(&s, 5)], "treated_by",
                                               "試験クリニック"));
        }
        break;
    case CONSENT_SURGERY:
        n = next(&s, 2);
        for (unsigned i = 0; i < n; i++) {
            day -= 200 + next(&s, 800);
            step_back(&s, &day, date);
            json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "operated_on", date, "operation",
                                               operations[next(&s, 3)], "operated_by",
                                               "試験総合病院"));
        }
        break;
    case CONSENT_CHECKUP:
        n = 1 + next(&s, 3);
        for (unsigned i = 0; i < n; i++) {
            day -= 300;
            step_back(&s, &day, date);
            int height = 150 + (int)next(&s, 35);
            int weight = 45 + (int)next(&s, 45);
            char bmi[8], hba1c[8];
            snprintf(bmi, sizeof bmi, "%.1f", weight * 10000.0 / (height * height));
            snprintf(hba1c, sizeof hba1c, "%.1f", 5.0 + next(&s, 25) / 10.0);
            json_array_append_new(
                a, json_pack("{s:s, s:i, s:i, s:s, s:i, s:i, s:s, s:i}", "examined_on", date,
                             "height_cm", height, "weight_kg", weight, "bmi", bmi, "systolic_mmhg",
                             100 + (int)next(&s, 60), "diastolic_mmhg", 60 + (int)next(&s, 35),
                             "hba1c_percent", hba1c, "ldl_mg_dl", 80 + (int)next(&s, 100)));
        }
        break;
    default:
        break;
    }
    return a;
}
