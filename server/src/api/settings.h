/* Environment settings (環境設定情報, manual ch. 3 §1): GET/PUT /api/v1/settings and the terms
 * of use, GET /api/v1/terms. Admins only. */
#ifndef ONSHI_API_SETTINGS_H
#define ONSHI_API_SETTINGS_H

#include "http/request.h"

enum MHD_Result api_settings_get(struct request *req);
enum MHD_Result api_settings_put(struct request *req);
enum MHD_Result api_terms_get(struct request *req);

#endif
