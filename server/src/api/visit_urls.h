/* 医療機関別URL取得・変更 (manual ch. 5): the per-institution URLs of 訪問診療等 and
 * オンライン診療等, their change, revert and reset, and their QR codes (PNG and PDF). */
#ifndef ONSHI_API_VISIT_URLS_H
#define ONSHI_API_VISIT_URLS_H

#include "http/request.h"

enum MHD_Result api_visit_urls_list(struct request *req);
enum MHD_Result api_visit_url_change(struct request *req);
enum MHD_Result api_visit_url_revert(struct request *req);
enum MHD_Result api_visit_url_reset(struct request *req);
enum MHD_Result api_visit_url_qr_png(struct request *req);
enum MHD_Result api_visit_url_qr_pdf(struct request *req);

/* 訪問診療等 / オンライン診療等, or NULL for an unknown kind. */
const char *visit_kind_label(const char *kind);
/* public_base_url + "/visit/" + token into out. */
void visit_url(const char *token, char *out, size_t len);

#endif
