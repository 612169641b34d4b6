#include "core/qualification.h"

#include <string.h>

static const struct {
    const char *id, *setting, *label;
} consent_items[CONSENT__COUNT] = {
    {"drug", "consent_drug", "薬剤情報"},
    {"medical", "consent_medical", "診療情報"},
    {"surgery", "consent_surgery", "手術情報"},
    {"checkup", "consent_checkup", "特定健診情報"},
    {"specific_disease", "consent_specific_disease", "特定疾病療養受療証"},
};

const char *consent_item_id(enum consent_item item)
{
    return consent_items[item].id;
}

const char *consent_item_setting(enum consent_item item)
{
    return consent_items[item].setting;
}

const char *consent_item_label(enum consent_item item)
{
    return consent_items[item].label;
}

bool consent_item_parse(const char *id, enum consent_item *out)
{
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (strcmp(consent_items[i].id, id) == 0) {
            *out = (enum consent_item)i;
            return true;
        }
    return false;
}

int consent_items_literal(unsigned bits, char out[CONSENT_ITEMS_LITERAL_SIZE])
{
    int n = 0;
    strcpy(out, "{");
    for (int i = 0; i < CONSENT__COUNT; i++)
        if (bits & CONSENT_BIT(i)) {
            if (n++)
                strcat(out, ",");
            strcat(out, consent_items[i].id);
        }
    strcat(out, "}");
    return n;
}

/* Valid on `today` when the period covers it (an empty end is open). */
static enum qual_validity validity_on(const char *from, const char *until, const char *today)
{
    bool started = strcmp(from, today) <= 0;
    bool ended = until[0] && strcmp(until, today) < 0;
    return started && !ended ? VALIDITY_VALID : VALIDITY_INVALID;
}

static void month_of(const struct date *today, char from[11], char until[11])
{
    struct date first = {today->year, today->month, 1};
    struct date next = {today->year + (today->month == 12), today->month % 12 + 1, 1};
    struct date last = date_from_days(date_to_days(&next) - 1);
    date_format(&first, from);
    date_format(&last, until);
}

void qualification_evaluate(const struct test_person *p, const struct qual_request *rq,
                            struct qual_result *out)
{
    const struct qualification_type *t = p->type;
    char today[11];
    date_format(&rq->today, today);
    memset(out, 0, sizeof *out);
    out->validity = VALIDITY_NONE;
    out->card_registered = rq->card_registered;

    /* The first check of a card not yet registered registers it; for one test type the
     * reader times out while doing so, yet the registration is kept (manual ch. 3 §3). */
    if (rq->route == QUAL_BY_CARD && !rq->card_registered) {
        out->card_registered = true;
        if (t->first_registration_timeout) {
            out->outcome = QUAL_REGISTRATION_TIMEOUT;
            out->message = "保険証利用登録の処理がタイムアウトしました。もう一度、資格確認を行って"
                           "ください。";
            return;
        }
        out->registered_now = true;
    }
    out->show_insurance = p->has_insurance;
    if (p->has_insurance)
        out->insurance_validity =
            validity_on(p->insurance.valid_from, p->insurance.valid_until, today);
    out->show_assistance = p->has_assistance && rq->assistance_on;
    if (out->show_assistance) {
        const struct test_assistance *a = &p->assistance;
        out->assistance_validity = validity_on(a->valid_from, a->valid_until, today);
        if (out->assistance_validity == VALIDITY_VALID && a->ticket != TICKET_NONE) {
            out->ticket = a->ticket;
            month_of(&rq->today, out->ticket_from, out->ticket_until);
        }
    }
    if (!out->show_insurance && !out->show_assistance) {
        out->outcome = QUAL_NOT_AVAILABLE;
        out->message = "医療扶助の資格情報を利用しない設定のため、表示できる資格情報がありません。";
        return;
    }
    if (t->self_info_restricted) { /* nothing at all may be shown, not even the validity */
        out->show_insurance = out->show_assistance = false;
        out->ticket = TICKET_NONE;
        out->ticket_from[0] = out->ticket_until[0] = '\0';
        out->outcome = QUAL_RESTRICTED;
        out->message = "本人からの申し出により、資格情報を提供できません。";
        return;
    }
    out->outcome = QUAL_FOUND;
    /* 医療費助成 goes with the health insurance it supplements, where the settings use it. */
    out->show_subsidy = out->show_insurance && p->has_subsidy && rq->subsidy_on;
    if (out->show_subsidy)
        out->subsidy_validity = validity_on(p->subsidy.valid_from, p->subsidy.valid_until, today);
    out->validity = out->show_insurance ? out->insurance_validity : out->assistance_validity;
    if (out->validity != VALIDITY_VALID)
        out->message = "資格が無効です。";
    out->show_personal = true;
    out->show_address = !t->nondisclosure;
    out->medical_info = !t->no_medical_info;
    if (rq->route == QUAL_BY_CARD)
        out->consents = rq->consents_given & rq->consents_on;
}
