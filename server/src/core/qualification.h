/* The qualification engine of the verification environment: what a qualification check of
 * a test person answers, for each of the 14 test qualification types (manual ch. 3 §3),
 * under the institution's settings. Pure: the caller stores the card's new state and the
 * consents it reports. */
#ifndef ONSHI_CORE_QUALIFICATION_H
#define ONSHI_CORE_QUALIFICATION_H

#include <stdbool.h>

#include "core/test_data.h"

/* Consent items (閲覧同意), each offered when its setting consent_<id> is 利用する. */
enum consent_item {
    CONSENT_DRUG,             /* 薬剤情報 */
    CONSENT_MEDICAL,          /* 診療情報 */
    CONSENT_SURGERY,          /* 手術情報 */
    CONSENT_CHECKUP,          /* 特定健診情報 */
    CONSENT_SPECIFIC_DISEASE, /* 特定疾病療養受療証 */
    CONSENT__COUNT
};
#define CONSENT_BIT(item) (1u << (item))

const char *consent_item_id(enum consent_item item);      /* "drug", … */
const char *consent_item_setting(enum consent_item item); /* "consent_drug", … */
const char *consent_item_label(enum consent_item item);
bool consent_item_parse(const char *id, enum consent_item *out);
/* Room for every item as a PostgreSQL array literal ("{drug,checkup}"). */
#define CONSENT_ITEMS_LITERAL_SIZE 64
/* The items of `bits` as such a literal, in the order of enum consent_item: how many. */
int consent_items_literal(unsigned bits, char out[CONSENT_ITEMS_LITERAL_SIZE]);

enum qual_route {
    QUAL_BY_CARD,   /* マイナンバーカード */
    QUAL_BY_NUMBER, /* 被保険者番号等 */
};

struct qual_request {
    enum qual_route route;
    struct date today; /* of the check, in Japan time */
    enum institution_kind kind;
    bool assistance_on;      /* 医療扶助情報 = 利用する */
    unsigned consents_on;    /* CONSENT_BITs the settings offer */
    unsigned consents_given; /* CONSENT_BITs the patient agreed to (card route) */
    bool card_registered;    /* the card is already registered as an insurance card */
    bool subsidy_on;         /* 医療費助成情報 = 利用する at a PMH participant */
};

enum qual_outcome {
    QUAL_FOUND,                /* a qualification to show (valid or not) */
    QUAL_REGISTRATION_TIMEOUT, /* the insurance-card registration timed out (it did register) */
    QUAL_RESTRICTED,           /* 自己情報提供不可: nothing may be shown */
    QUAL_NOT_AVAILABLE,        /* only a qualification this institution does not use */
};

enum qual_validity { VALIDITY_VALID = 1, VALIDITY_INVALID = 2, VALIDITY_NONE = 4 };

struct qual_result {
    enum qual_outcome outcome;
    enum qual_validity validity; /* the health insurance's, else the assistance's */
    bool registered_now;         /* this check registered the card as an insurance card */
    bool card_registered;        /* the card's state after the check */
    bool show_personal;          /* name, kana, sex, birth date */
    bool show_address;           /* postcode and address */
    bool show_insurance;
    enum qual_validity insurance_validity;
    bool show_assistance;
    enum qual_validity assistance_validity;
    enum ticket_kind ticket;                /* shown with the assistance: 医療券 or 調剤券 */
    char ticket_from[11], ticket_until[11]; /* the month of the check */
    bool medical_info;                      /* drug/medical/surgery/checkup records exist */
    unsigned consents;                      /* CONSENT_BITs recorded with this check */
    const char *message;                    /* Japanese; NULL when there is nothing to say */
    bool show_subsidy;                      /* 医療費助成, with the health insurance */
    enum qual_validity subsidy_validity;
};

void qualification_evaluate(const struct test_person *p, const struct qual_request *rq,
                            struct qual_result *out);

#endif
