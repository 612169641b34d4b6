/* GET /api/v1/audit-events: an admin reads its own institution's audit log. */
#ifndef ONSHI_API_AUDIT_H
#define ONSHI_API_AUDIT_H

#include "http/request.h"

enum MHD_Result api_audit_list(struct request *req);

#endif
