/* 顔認証付きカードリーダー管理: the readers the site's bridge follows, their mode, 目視確認モード
 * and bound face_reader account, and the screens they show (環境設定). */
#ifndef ONSHI_API_READERS_H
#define ONSHI_API_READERS_H

#include "http/request.h"

enum MHD_Result api_readers_list(struct request *req);
enum MHD_Result api_reader_update(struct request *req);
enum MHD_Result api_reader_display_get(struct request *req);
enum MHD_Result api_reader_display_put(struct request *req);

#endif
