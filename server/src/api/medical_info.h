/* 医療情報閲覧: drug, medical, surgery and checkup records of a consenting test patient, for
 * medical_viewer, webapi and linked_app accounts. Each view writes a history row. */
#ifndef ONSHI_API_MEDICAL_INFO_H
#define ONSHI_API_MEDICAL_INFO_H

#include "http/request.h"

enum MHD_Result api_medical_info_get(struct request *req);

#endif
