/* The A4 sheet of a per-institution URL (医療機関別URL, manual ch. 5): the institution's
 * display name, the kind, the QR code as vector squares, the URL as text, and the date. */
#ifndef ONSHI_RENDER_VISIT_SHEET_H
#define ONSHI_RENDER_VISIT_SHEET_H

#include <stddef.h>

struct visit_sheet {
    const char *institution_name; /* visit_display_name, else the institution's name */
    const char *kind_label;       /* 訪問診療等 or オンライン診療等 */
    const char *url;
    const char *date; /* "2026年11月24日" */
};

/* 0 and *pdf (malloc'd), *len; -1 on failure. */
int visit_sheet_pdf(const struct visit_sheet *s, char **pdf, size_t *len);

#endif
