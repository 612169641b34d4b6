/* The アカウント設定情報 sheet (manual ch. 2 §2–3): what a manager hands to the person who
 * will use a new or re-initialised account. */
#ifndef ONSHI_RENDER_ACCOUNT_SHEET_H
#define ONSHI_RENDER_ACCOUNT_SHEET_H

#include <stddef.h>

struct account_sheet {
    const char *institution_code;
    const char *institution_name;
    const char *role_label; /* e.g. 管理者アカウント */
    const char *user_id;
    const char *user_name;
    const char *initial_password;
    const char *expires_at; /* as people read it, e.g. 2026年12月24日 18時15分 */
    const char *issued_at;
};

/* An A4 PDF; *pdf is malloc'd. 0, or -1 when cairo failed. */
int account_sheet_pdf(const struct account_sheet *s, char **pdf, size_t *len);

#endif
