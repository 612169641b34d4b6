/* Calendar dates as the API writes them (YYYY-MM-DD). */
#ifndef ONSHI_DATE_H
#define ONSHI_DATE_H

#include <stdbool.h>

struct date {
    int year, month, day;
};

/* Accepts exactly YYYY-MM-DD naming a real day from 1900-01-01 to 9999-12-31. */
bool date_parse(const char *s, struct date *out);
/* Negative, zero or positive like strcmp. */
int date_compare(const struct date *a, const struct date *b);

#endif
