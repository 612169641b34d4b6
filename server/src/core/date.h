/* Calendar dates as the API writes them (YYYY-MM-DD). */
#ifndef ONSHI_DATE_H
#define ONSHI_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct date {
    int year, month, day;
};

/* Accepts exactly YYYY-MM-DD naming a real day from 1900-01-01 to 9999-12-31. */
bool date_parse(const char *s, struct date *out);
/* Negative, zero or positive like strcmp. */
int date_compare(const struct date *a, const struct date *b);

/* Days since 1970-01-01 and back (proleptic Gregorian), for date arithmetic. */
long date_to_days(const struct date *d);
struct date date_from_days(long days);
/* v as exactly `width` decimal digits (zero-padded; higher digits dropped), without a NUL;
 * returns out + width. */
char *put_decimal(char *out, unsigned v, unsigned width);
/* YYYY-MM-DD into out (11 bytes). */
void date_format(const struct date *d, char out[11]);
/* Today in Japan time. */
struct date date_today_jst(time_t now);

/* A moment as people in Japan read it: "2026年12月24日 18時15分" (Japan Standard Time, which
 * has no daylight saving). False if `len` is too small. */
bool time_jst_text(time_t t, char *out, size_t len);
/* A date as people write it in files: YYYY/M/D or YYYY-M-D (one or two digits for month
 * and day, as spreadsheets re-save them). */
bool date_parse_loose(const char *s, struct date *out);
/* "20261224181503" in Japan time (the XmlMsg timestamps). */
bool time_jst_compact(time_t t, char out[15]);
/* "2026/12/24 18:15" in Japan time. */
bool time_jst_slashed(time_t t, char *out, size_t len);
/* Parses the API's UTC timestamps, exactly "YYYY-MM-DDTHH:MM:SSZ". */
bool timestamp_parse_utc(const char *s, time_t *out);

#endif
