/* Account management (manual ch. 2): POST /api/v1/accounts, GET /api/v1/accounts/{user_id}. */
#ifndef ONSHI_API_ACCOUNTS_H
#define ONSHI_API_ACCOUNTS_H

#include "http/request.h"

enum MHD_Result api_account_create(struct request *req);
enum MHD_Result api_account_get(struct request *req);
/* GET /api/v1/accounts?role=&user_id=&name=&name_kana=&enabled=&locked=&start_from=
 * &end_until=&page=&per_page= */
enum MHD_Result api_account_list(struct request *req);
/* PATCH /api/v1/accounts/{user_id} {name?, name_kana?, enabled?, start_date?, end_date?,
 * version}; DELETE /api/v1/accounts/{user_id} (a tombstone);
 * POST /api/v1/accounts/{user_id}/password-reset (new initial password, lock cleared). */
enum MHD_Result api_account_update(struct request *req);
enum MHD_Result api_account_delete(struct request *req);
enum MHD_Result api_account_password_reset(struct request *req);

#endif
