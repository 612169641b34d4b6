/* Test data of the connection verification environment (テスト用データセットアップ, manual
 * ch. 3 §2/§3): the 14 test qualification types, the data categories, and synthetic insured
 * persons consistent with them. Pure: no I/O; randomness comes in as a seed. */
#ifndef ONSHI_CORE_TEST_DATA_H
#define ONSHI_CORE_TEST_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/institution.h"

enum ticket_rule {
    TICKET_RULE_NONE,
    TICKET_RULE_MEDICAL,    /* 医療券 */
    TICKET_RULE_DISPENSING, /* 調剤券 */
    TICKET_RULE_BY_KIND,    /* 調剤券 at a pharmacy, 医療券 elsewhere */
};

enum ticket_kind { TICKET_NONE, TICKET_MEDICAL, TICKET_DISPENSING };

struct qualification_type {
    const char *id;
    const char *label;       /* as the manual's list names it */
    const char *description; /* the manual's 説明 */
    bool insurance;          /* has a health-insurance qualification */
    bool insurance_valid;
    bool assistance; /* has a medical-assistance (医療扶助) qualification */
    bool assistance_valid;
    enum ticket_rule ticket;
    bool nondisclosure;              /* 不開示該当: no postcode, no address */
    bool self_info_restricted;       /* 自己情報提供不可: no personal information at all */
    bool no_medical_info;            /* no drug, medical, surgery or checkup information */
    bool first_registration_timeout; /* the first insurance-card registration times out */
};

extern const struct qualification_type qualification_types[];
extern const size_t qualification_types_count;
const struct qualification_type *qualification_type_find(const char *id);

enum test_category {
    CATEGORY_EMPLOYEE,   /* 被用者保険 */
    CATEGORY_NATIONAL,   /* 国民健康保険 */
    CATEGORY_ELDERLY,    /* 後期高齢者医療 */
    CATEGORY_ASSISTANCE, /* 医療扶助 */
    CATEGORY__COUNT
};

const char *test_category_id(enum test_category c);
const char *test_category_label(enum test_category c);
bool test_category_parse(const char *id, enum test_category *out);
/* The insurance categories take the insurance types, 医療扶助 the assistance types. */
bool test_category_accepts(enum test_category c, const struct qualification_type *t);
/* The category of the person behind a card link of type t. */
enum test_category test_category_for_card(const struct qualification_type *t);

enum { SERIAL_MAX_DIGITS = 49 }; /* a 20-byte certificate serial in decimal */

/* What one institution may keep: enough to rehearse, bounded so none can fill the disk. */
enum { TEST_CARD_LINKS_MAX = 100, TEST_CATEGORY_RECORDS_MAX = 1000 };

/* A card serial number as typed: ASCII or full-width digits, 1 to 49 of them. Writes the
 * canonical form (ASCII, no leading zeros) to out. */
bool test_serial_normalize(const char *in, char out[SERIAL_MAX_DIGITS + 1]);

struct test_insurance {
    char insurer_number[9]; /* 8 digits; 6 for 国民健康保険 */
    char symbol[9];         /* 記号; empty for 後期高齢者医療 */
    char number[9];         /* 番号 */
    char branch[3];         /* 枝番; empty for 後期高齢者医療 */
    char insurer_name[96];
    char card_classification[3];          /* 01 一般 */
    char personal_family[2];              /* 1 本人, 2 家族 */
    char valid_from[11], valid_until[11]; /* valid_until empty: open-ended */
};

struct test_assistance {
    char payer_number[9];     /* 公費負担者番号 */
    char recipient_number[8]; /* 受給者番号 */
    char welfare_office[96];  /* 福祉事務所 */
    char valid_from[11], valid_until[11];
    enum ticket_kind ticket;
    char ticket_number[11]; /* tickets are issued monthly: the check's month is shown */
};

/* 医療費助成 (a prefecture's or municipality's subsidy of the patient's share), as PMH (Public
 * Medical Hub) gives it: shown only where 医療費助成情報 is 利用する at a PMH participant. Every
 * test person with a health insurance has one (persons registered before it have none). */
struct test_subsidy {
    char payer_number[9]; /* 公費負担者番号: 法別番号 80/81, prefecture, 3 digits, check */
    char recipient_number[8]; /* 受給者番号 */
    char name[96];            /* the subsidy, e.g. 重度心身障害者医療費助成 */
    char valid_from[11], valid_until[11];
};

struct test_person {
    const struct qualification_type *type;
    enum test_category category;
    char name[64], name_kana[64];
    char sex[2]; /* 1 男, 2 女 */
    char birthdate[11];
    char postcode[9]; /* NNN-NNNN */
    char address[192];
    bool has_insurance, has_assistance, has_subsidy;
    struct test_insurance insurance;
    struct test_assistance assistance;
    struct test_subsidy subsidy;
};

/* A person of type t in category c (which must accept t), registered on `today` at an
 * institution of `kind` whose code gives the prefecture. Same seed, same person. */
void test_person_make(const struct qualification_type *t, enum test_category c,
                      enum institution_kind kind, const char *institution_code,
                      const struct date *today, uint64_t seed, struct test_person *out);

/* Check digit (検証番号) of insurer and payer numbers: weights 2,1,2,… from the right, digit
 * sums of the products, ten's complement of the last digit. */
int insurer_check_digit(const char *digits, size_t n);

/* The person as the API shows it (new reference) and back. from_json false on anything
 * that is not a person this module wrote. */
json_t *test_person_to_json(const struct test_person *p);
bool test_person_from_json(json_t *o, struct test_person *out);

#endif
