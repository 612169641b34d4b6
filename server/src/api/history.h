/* 資格確認履歴照会 and 医療情報閲覧履歴照会 (manual ch. 4): search pages as JSON and CSV files
 * streamed from the database, at most 25,000 rows, encoded per 利用文字コード. */
#ifndef ONSHI_API_HISTORY_H
#define ONSHI_API_HISTORY_H

#include "http/request.h"

enum MHD_Result api_history_checks(struct request *req);
enum MHD_Result api_history_checks_csv(struct request *req);
enum MHD_Result api_history_views(struct request *req);
enum MHD_Result api_history_views_csv(struct request *req);

#endif
