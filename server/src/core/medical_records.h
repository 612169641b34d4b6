/* Synthetic medical information of a test person (薬剤情報, 診療情報, 手術情報, 特定健診情報):
 * the same records every time for the same person, so a tester can compare screens. Pure. */
#ifndef ONSHI_CORE_MEDICAL_RECORDS_H
#define ONSHI_CORE_MEDICAL_RECORDS_H

#include <jansson.h>

#include "core/qualification.h"

/* The consent item a view of `item` needs is the item itself; the history files it under
 * 照会情報区分 checkup, drug or surgery_medical_drug. */
const char *medical_history_category(enum consent_item item);

/* The records of one item (drug, medical, surgery or checkup) dated up to `today`, newest
 * first, as a JSON array (new reference). Empty for a type without medical information. */
json_t *medical_records(const struct test_person *p, enum consent_item item,
                        const struct date *today);

#endif
