/* POST /api/v1/account-sheets {user_id, initial_password} → the アカウント設定情報 PDF. */
#ifndef ONSHI_API_ACCOUNT_SHEET_H
#define ONSHI_API_ACCOUNT_SHEET_H

#include "http/request.h"

enum MHD_Result api_account_sheet_create(struct request *req);

#endif
