/* テスト用データセットアップ (manual ch. 3 §2): card links, records by data category and the
 * consent reset, in the connection verification environment only. */
#ifndef ONSHI_API_TEST_DATA_H
#define ONSHI_API_TEST_DATA_H

#include "http/request.h"

enum MHD_Result api_test_data_get(struct request *req);
enum MHD_Result api_test_card_link_create(struct request *req);
enum MHD_Result api_test_card_links_delete(struct request *req);
enum MHD_Result api_test_category_record_create(struct request *req);
enum MHD_Result api_test_category_records_delete(struct request *req);
enum MHD_Result api_test_consents_reset(struct request *req);

#endif
