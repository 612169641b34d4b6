/* Account rules of manual ch. 2 and DOMAIN.md "Account kinds": the kinds (権限区分), who
 * manages and who initialises whom, user ID rules, and ユーザ名 / ユーザ名（カナ）
 * normalisation and checks. Pure: no I/O. */
#ifndef ONSHI_CORE_ACCOUNT_H
#define ONSHI_CORE_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/institution.h"
#include "util/errors.h"

enum role {
    ROLE_MASTER,
    ROLE_MASTER_RESET,
    ROLE_ADMIN,
    ROLE_GENERAL,
    ROLE_MEDICAL_VIEWER,
    ROLE_WEBAPI,
    ROLE_LINKED_APP,
    ROLE_FACE_READER,
    ROLE__COUNT
};

bool role_parse(const char *id, enum role *out);
const char *role_id(enum role r);
const char *role_label(enum role r); /* マスタアカウント, 管理者, … */
/* Issued by the ID rules, so registered by an administrator (not master or master_reset,
 * which the operator issues). */
bool role_registrable(enum role r);
/* People's accounts, whose passwords expire; system accounts' never do. */
bool role_is_human(enum role r);
/* master → admin; admin → general, medical_viewer, webapi, linked_app, face_reader. */
bool role_manages(enum role manager, enum role target);
/* master_reset → master; master → admin; admin → the five lower kinds. */
bool role_initialises_password(enum role manager, enum role target);
/* Whom a caller finds in its account list: those it manages and those whose password it
 * initialises (master_reset finds the master, manual ch. 2 §3(2)); changes stay with
 * role_manages. */
bool role_finds(enum role manager, enum role target);

/* What a kind may use: each route needs one capability (CAP_NONE: public routes), and GET
 * /session lists an account's by their ids ("session", "accounts", "audit", …). An enum, so
 * a misspelt capability in the route table does not build. In the order GET /session lists
 * them. */
enum capability {
    CAP_NONE,
    CAP_SESSION,
    CAP_QUALIFICATION,
    CAP_MEDICAL_INFO,
    CAP_ACCOUNTS,
    CAP_BULK,
    CAP_SETTINGS,
    CAP_TEST_DATA,
    CAP_AUDIT,
    CAP_HISTORY_CHECKS,
    CAP_HISTORY_VIEWS,
    CAP_VISIT,
    CAP_READERS,
    CAP__COUNT
};

/* Sets of capabilities are bits of an unsigned. */
#define CAP_BIT(c) (1u << (c))
_Static_assert(CAP__COUNT <= 32, "capabilities are bits of an unsigned");

const char *capability_id(enum capability c);
bool role_has_capability(enum role r, enum capability c);
/* Before the institution's usage start date only some stay open (manual ch. 1 §2(1)). */
bool capability_open_before_start(enum capability c);
/* Test data exists only in the connection verification environment. */
bool capability_in_environment(enum capability c, bool verification);
/* All three: what an account of kind r may use now. */
bool role_may_use(enum role r, enum capability c, bool verification, bool institution_not_started);

/* ID shape for a kind at a kind of institution: half-width alphanumerics, 2–8 characters
 * (3–8 for system accounts), reserved prefixes R0–R9/A0–A9/F0–F9 refused for people's
 * accounts (in either case), A0/A1, R0/R1, F0 required for system accounts. */
bool account_user_id_check(const char *user_id, enum role r, enum institution_kind kind,
                           enum err_code *err);

/* Makes half-width input full-width: ASCII letters, digits and symbols, the space (as
 * U+3000) and half-width katakana (voiced marks folded into the letter: ｶﾞ → ガ).
 * Returns a malloc'd string, NULL for invalid UTF-8. */
char *account_name_normalise(const char *in);
/* Check a normalised ユーザ名: 1–20 characters of hiragana, katakana, kanji, full-width
 * letters and digits, ー・ and the full-width space, all representable in CP932. */
bool account_name_check(const char *normalised, enum err_code *err);
/* Check a normalised ユーザ名（カナ）: 1–40 characters of katakana, full-width letters and
 * digits, ー・ and the full-width space. */
bool account_name_kana_check(const char *normalised, enum err_code *err);
/* True if every character of the UTF-8 string has a CP932 (Shift_JIS) encoding. */
bool text_fits_cp932(const char *utf8);

#endif
