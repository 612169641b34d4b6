/* Institution rules: the 10-digit 医療機関コード and the kinds of institution. */
#ifndef ONSHI_CORE_INSTITUTION_H
#define ONSHI_CORE_INSTITUTION_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errors.h"

enum institution_kind { KIND_MEDICAL, KIND_DENTAL, KIND_PHARMACY, KIND_HOME_NURSING, KIND__COUNT };

bool institution_kind_parse(const char *id, enum institution_kind *out);
const char *institution_kind_id(enum institution_kind kind);
const char *institution_kind_label(enum institution_kind kind); /* 医科, 歯科, 薬局, 訪問看護 */

/* Checks prefecture (01–47), 点数表番号 (1, 3, 4, 6) against the kind and the shape
 * (10 ASCII digits). On failure sets *err and returns false. */
bool institution_code_check(const char *code, enum institution_kind kind, enum err_code *err);
/* The same without a kind: shape, prefecture and a known 点数表番号 (related institutions). */
bool institution_code_check_any(const char *code, enum err_code *err);
/* 1–100 characters of UTF-8 without control characters. */
bool institution_name_check(const char *name);

/* The operator-issued accounts' user IDs. They are longer than the 8 characters any
 * manager-created ID may have, so they can never collide with one. */
void institution_master_user_id(const char *code, char out[16]);
void institution_master_reset_user_id(const char *code, char out[16]);

#endif
