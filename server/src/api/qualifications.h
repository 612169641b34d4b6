/* Qualification checks: by insurance-card number in the real system's XmlMsg shape (receipt
 * computers, EMRs), and by My Number card (the reader bridge, the screen). Each writes a
 * qualification-check history row. */
#ifndef ONSHI_API_QUALIFICATIONS_H
#define ONSHI_API_QUALIFICATIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "http/input.h"
#include "http/request.h"

struct db;

enum MHD_Result api_qualification_check(struct request *req);
enum MHD_Result api_qualification_card(struct request *req);
/* 資格情報照会（被保険者証）: JSON in (the numbers, field by field), the XmlMsg answer out. */
enum MHD_Result api_qualification_insurance(struct request *req);
/* The consent items this institution's settings offer at a card check (any kind that checks). */
enum MHD_Result api_qualification_consents(struct request *req);

/* The My Number card check as `who` outside a request (the reader bridge, as the reader's
 * face_reader account): the XmlMsg answer (new reference). Writes the history row. */
json_t *qualification_card_as(struct db *db, const struct principal *who, const char *serial);

struct settings_row;

/* What the institution's settings make of a check (manual ch. 3 §3). */
struct qual_settings {
    bool assistance_on;          /* ⑤ 医療扶助情報 */
    unsigned offered;            /* ③ the consent items asked (CONSENT_BITs) */
    bool subsidy_on;             /* ⑥ 医療費助成情報, at a PMH participant */
    unsigned prescription_forms; /* ④ the forms a patient may choose (PRESCRIPTION_FORM_BITs) */
    bool pharmacy; /* ④ for a pharmacy: its 電子処方箋 and リフィル処方箋 */
    bool eprescription, refill;
};
void qualification_settings_read(const struct settings_row *row, struct qual_settings *out);
/* 1, or the store's failure status (a missing settings row is DB_HARD). */
int qualification_settings_load(struct db *db, const char *code, struct qual_settings *out);

/* The same from a settings row already read. */
void qualification_settings_of(const struct settings_row *row, bool *assistance_on,
                               unsigned *consents_on);
/* The route an account kind checks through: screen, webapi, linked_app, face_reader. */
const char *qualification_route(enum role r);
/* The prescription form a patient chose ("electronic", "paper"), for IN_PARSED: its enum
 * value, or -1. */
int prescription_form_value(const char *id);

#endif
