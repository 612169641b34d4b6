/* Account management (manual ch. 2): POST /api/v1/accounts, GET /api/v1/accounts/{user_id}. */
#ifndef ONSHI_API_ACCOUNTS_H
#define ONSHI_API_ACCOUNTS_H

#include <stdbool.h>

#include "core/account.h"
#include "http/request.h"
#include "store/account.h"

enum MHD_Result api_account_create(struct request *req);
enum MHD_Result api_account_get(struct request *req);
/* GET /api/v1/accounts?role=&user_id=&name=&name_kana=&enabled=&locked=&start_from=
 * &end_until=&password_state=&password_expires_before=&last_login_before=&sort=&page=
 * &per_page= */
enum MHD_Result api_account_list(struct request *req);
/* PATCH /api/v1/accounts/{user_id} {name?, name_kana?, enabled?, start_date?, end_date?,
 * version}; DELETE /api/v1/accounts/{user_id} (a tombstone);
 * POST /api/v1/accounts/{user_id}/password-reset (new initial password, lock cleared). */
enum MHD_Result api_account_update(struct request *req);
enum MHD_Result api_account_delete(struct request *req);
enum MHD_Result api_account_password_reset(struct request *req);
/* POST /api/v1/accounts/batch {action: enable|disable|delete, accounts: [{user_id, version}]}
 * → {results: [{user_id, status, account?, error?}]}, each account in its own transaction. */
enum MHD_Result api_account_batch(struct request *req);

/* The account `user_id` of the caller's institution if the caller may act on it (`allowed`
 * says how): true with *row filled (free with account_row_free). Otherwise the reply (404
 * for anything not allowed, absent, deleted or of another tenant) was queued and *reply
 * holds its result. */
bool accounts_load_target(struct request *req, const char *user_id,
                          bool (*allowed)(enum role, enum role), struct account_row *row,
                          enum MHD_Result *reply);

#endif
