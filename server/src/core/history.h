/* Search conditions of the two histories (manual ch. 4: 対象期間 with 時/分, 照会情報区分).
 * Pure: no I/O. */
#ifndef ONSHI_CORE_HISTORY_H
#define ONSHI_CORE_HISTORY_H

#include <stdbool.h>

enum { HISTORY_CSV_MAX_ROWS = 25000 };

enum {
    HISTORY_BOUND_SIZE = 32,     /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its NUL */
    HISTORY_BOUND_TEXT_MAX = 64, /* the longest text a bound may be */
};

/* A bound of 対象期間: in Japan time "YYYY-MM-DD" (a whole day) or "YYYY-MM-DDTHH:MM" (a
 * minute), or an RFC 3339 timestamp with its offset, "YYYY-MM-DDTHH:MM:SS[.fraction]" and
 * "Z" or "±HH:MM" (one instant; seconds 00–59, no leap second). The lower bound starts at
 * the beginning of that day, minute or instant; the upper bound includes all of it. Writes
 * the bound as a UTC timestamp ("…Z", with microseconds when it has some; exclusive for the
 * upper one) and as microseconds since 1970-01-01 UTC for comparisons (inclusive for both).
 * False for anything else, and for an instant outside the years 0001–9999 in UTC. */
bool history_bound_parse(const char *text, bool upper, char out[HISTORY_BOUND_SIZE],
                         long long *usec);

/* 照会情報区分: all, checkup, drug, surgery_medical_drug. */
bool history_category_valid(const char *id);

#endif
