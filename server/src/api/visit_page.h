/* The public patient page behind a per-institution URL (マイナ在宅受付Web): no account, rate
 * limited per client address. A retired URL answers 410, an unknown one 404, a kind whose
 * function is turned off 404 with its own code. */
#ifndef ONSHI_API_VISIT_PAGE_H
#define ONSHI_API_VISIT_PAGE_H

#include "http/request.h"

enum MHD_Result api_visit_page(struct request *req);
enum MHD_Result api_visit_consents(struct request *req);
/* 同意取消 through the page: the items must be in force for the card (verification). */
enum MHD_Result api_visit_consent_withdrawals(struct request *req);

#endif
