/* The machine interface of the real system (DOMAIN.md): the JSON rendering of an `XmlMsg`
 * tree that receipt computers and EMRs send and read. Parsing a qualification request by
 * insurance-card number, and building the response from the qualification engine's result.
 * Pure: no I/O. */
#ifndef ONSHI_CORE_XMLMSG_H
#define ONSHI_CORE_XMLMSG_H

#include <jansson.h>
#include <stdbool.h>

#include "core/qualification.h"

/* A failure of the request itself: SegmentOfResult 9 with this ErrorCode/ErrorMessage. */
struct xml_error {
    const char *code;
    const char *message;
};

extern const struct xml_error XML_ERR_FORMAT, XML_ERR_DATE, XML_ERR_INSTITUTION,
    XML_ERR_OTHER_INSTITUTION, XML_ERR_INSURER, XML_ERR_SYMBOL, XML_ERR_NUMBER, XML_ERR_BRANCH,
    XML_ERR_BIRTHDATE, XML_ERR_FILE_ID, XML_ERR_LIMIT_FLAG, XML_ERR_NO_UPSTREAM, XML_ERR_SYSTEM;

struct xml_query {
    char date[9]; /* QualificationConfirmationDate, YYYYMMDD */
    char institution_code[11];
    char file_identifier[51]; /* ArbitraryFileIdentifier, echoed back */
    char insurer_number[9];   /* 8 digits; 6 for 国民健康保険 (padding removed) */
    char symbol[41];          /* 記号: may be empty */
    char number[41];          /* 番号 */
    char branch[3];           /* 枝番: may be empty */
    char birthdate[11];       /* YYYY-MM-DD, or empty */
};

/* Reads a request; on failure *err says why (the header fields that could be read are kept
 * in q for the echo). */
bool xmlmsg_parse_request(json_t *root, struct xml_query *q, const struct xml_error **err);
/* An insurer number as the query holds it: 8 digits, or 6 for 国民健康保険 (also when
 * zero-padded to 8). false when it is neither. */
bool xml_insurer_number(const char *text, char out[9]);

/* One consent item as the response reports it. */
struct xml_consent {
    bool offered;  /* the institution's settings offer the item */
    bool given;    /* given and not revoked */
    char time[15]; /* YYYYMMDDHHmmss of the consent, when given */
};

/* Every header item a client requires is filled even when the request could not be read:
 * real clients' parsers throw away an answer without the dates and the institution. */
struct xml_answer {
    const char *process_time;             /* YYYYMMDDHHmmss, Japan time */
    const char *reference_classification; /* "1" card, "2" insurance card */
    const struct xml_query *query;        /* header fields to echo (may be partly empty) */
    const char *today;                    /* YYYYMMDD, Japan time: the date when none was read */
    const char *institution_code;         /* the caller's, from its token */
    const struct xml_error *error;        /* non-NULL: SegmentOfResult 9, no body */
    const struct test_person *person;     /* NULL: no qualification found */
    const struct qual_result *result;
    struct xml_consent consents[CONSENT__COUNT];
    const char *reference_number;
    bool several; /* more than one matched: 複数該当 */
    /* PrescriptionIssueSelect the patient chose at the check ("1" 電子処方箋, "2" 紙の処方箋),
     * or NULL: absent from every result. */
    const char *prescription_issue_select;
};

/* The response tree (new reference). Every value a string; items that do not apply absent. */
json_t *xmlmsg_response(const struct xml_answer *a);

#endif
