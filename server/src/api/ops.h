/* Operations endpoints (no /api/v1 prefix) and the static console. */
#ifndef ONSHI_API_OPS_H
#define ONSHI_API_OPS_H

#include "http/request.h"

enum MHD_Result api_healthz(struct request *req);
enum MHD_Result api_readyz(struct request *req);
enum MHD_Result api_metrics(struct request *req);
enum MHD_Result api_static(struct request *req);

#endif
