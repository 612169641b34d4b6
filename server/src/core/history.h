/* Search conditions of the two histories (manual ch. 4: 対象期間 with 時/分, 照会情報区分).
 * Pure: no I/O. */
#ifndef ONSHI_CORE_HISTORY_H
#define ONSHI_CORE_HISTORY_H

#include <stdbool.h>

enum { HISTORY_CSV_MAX_ROWS = 25000 };

/* A bound of 対象期間 in Japan time, "YYYY-MM-DD" (a whole day) or "YYYY-MM-DDTHH:MM" (a
 * minute). The lower bound starts at the beginning of that day or minute; the upper bound
 * includes all of it. Writes the bound as a UTC timestamp ("…Z"; exclusive for the upper
 * one) and its minute number for comparisons. */
bool history_bound_parse(const char *text, bool upper, char out[21], long *minute);

/* 照会情報区分: all, checkup, drug, surgery_medical_drug. */
bool history_category_valid(const char *id);

#endif
