/* 顔認証付きカードリーダー管理: the readers the site's bridge follows, their mode, 目視確認モード
 * and bound face_reader account, and the screens they show (環境設定). */
#ifndef ONSHI_API_READERS_H
#define ONSHI_API_READERS_H

#include <jansson.h>
#include <stdbool.h>

#include "http/request.h"

enum MHD_Result api_readers_list(struct request *req);
enum MHD_Result api_reader_update(struct request *req);
enum MHD_Result api_reader_display_get(struct request *req);
enum MHD_Result api_reader_display_put(struct request *req);
/* The patient's answers to the screens a reader put after its last card, sent by the reader's
 * own face_reader account: the consents given and the prescription form chosen. */
enum MHD_Result api_reader_answers(struct request *req);

struct db;
/* What the readers ask a patient (顔認証付きカードリーダー環境設定, within what the settings
 * allow): the consent items (CONSENT_BITs) and whether the prescription form is asked. */
/* 1, or the store's failure status. */
int reader_screens_shown(struct db *db, const char *code, unsigned *consents,
                         bool *prescription_form);
/* The same as the questions a reader puts after reading a card: [{id, label, choices?}…],
 * consents in order, then the prescription form with its choices (new reference; NULL when
 * the settings cannot be read). */
json_t *reader_questions(struct db *db, const char *code);

#endif
