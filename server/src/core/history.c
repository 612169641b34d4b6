#include "core/history.h"

#include <string.h>

#include "core/date.h"

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

enum { MINUTE_US = 60000000, DAY_MINUTES = 1440 };

/* A fraction of a second after *p ("." and one digit or more; none is 0) in whole
 * microseconds, the precision rows are stored in: rounded up for a lower bound and down for
 * an upper one, so that the bound selects exactly the rows it names. */
static bool fraction(const char **p, bool upper, long long *us)
{
    const char *s = *p;
    *us = 0;
    if (*s != '.')
        return true;
    if (*++s < '0' || *s > '9')
        return false;
    int n = 0;
    bool more = false; /* non-zero digits past the sixth */
    for (; *s >= '0' && *s <= '9'; s++, n++) {
        if (n < 6)
            *us = *us * 10 + (*s - '0');
        else
            more |= *s != '0';
    }
    for (; n < 6; n++)
        *us *= 10;
    *us += more && !upper; /* 1000000 carries into the seconds */
    *p = s;
    return true;
}

/* "Z" or an offset ±HH:MM at *p, in minutes east of UTC. */
static bool offset(const char **p, long *minutes)
{
    const char *s = *p;
    int h, m;
    if (*s == 'Z' || *s == 'z') {
        *minutes = 0;
        *p = s + 1;
        return true;
    }
    if ((*s != '+' && *s != '-') || (h = two_digits(s + 1)) < 0 || h > 23 || s[3] != ':' ||
        (m = two_digits(s + 4)) < 0 || m > 59)
        return false;
    *minutes = (*s == '-' ? -1 : 1) * (h * 60L + m);
    *p = s + 6;
    return true;
}

bool history_bound_parse(const char *text, bool upper, char out[HISTORY_BOUND_SIZE],
                         long long *usec)
{
    size_t len = strnlen(text, HISTORY_BOUND_TEXT_MAX + 1);
    char day[11];
    if (len < 10 || len > HISTORY_BOUND_TEXT_MAX)
        return false;
    memcpy(day, text, 10);
    day[10] = '\0';
    struct date d;
    if (!date_parse(day, &d))
        return false;
    /* The moment in the text's own time, counted as if it were UTC, then moved by its offset
     * (Japan's for the Japan-time forms). */
    long long local = date_to_days(&d) * DAY_MINUTES * (long long)MINUTE_US;
    long long span = DAY_MINUTES * (long long)MINUTE_US;
    long east = 9 * 60; /* Japan is UTC+9 all year */
    const char *p = text + 10;
    if (*p) {
        int h, mi, sec;
        long long us;
        if ((*p != 'T' && *p != 't') || (h = two_digits(p + 1)) < 0 || h > 23 || p[3] != ':' ||
            (mi = two_digits(p + 4)) < 0 || mi > 59)
            return false;
        local += (h * 60LL + mi) * MINUTE_US;
        span = MINUTE_US;
        p += 6;
        if (*p) { /* RFC 3339: seconds (no leap second), a fraction, and the offset */
            if (*p != ':' || (sec = two_digits(p + 1)) < 0 || sec > 59)
                return false;
            p += 3;
            if (!fraction(&p, upper, &us) || !offset(&p, &east) || *p)
                return false;
            local += sec * 1000000LL + us;
            span = 1;
        }
    }
    long long utc = local - east * (long long)MINUTE_US + (upper ? span : 0);
    *usec = upper ? utc - 1 : utc;
    long long day_us = DAY_MINUTES * (long long)MINUTE_US;
    long days = (long)(utc >= 0 ? utc / day_us : -((-utc + day_us - 1) / day_us));
    long long rest = utc - days * day_us;
    struct date u = date_from_days(days);
    if (u.year < 1 || u.year > 9999) /* beyond what a timestamp in four digits says */
        return false;
    char ud[11];
    date_format(&u, ud);
    memcpy(out, ud, 10);
    char *o = out + 10;
    *o++ = 'T';
    long long secs = rest / 1000000;
    o = put_decimal(o, (unsigned)(secs / 3600), 2);
    *o++ = ':';
    o = put_decimal(o, (unsigned)(secs / 60 % 60), 2);
    *o++ = ':';
    o = put_decimal(o, (unsigned)(secs % 60), 2);
    if (rest % 1000000) {
        *o++ = '.';
        o = put_decimal(o, (unsigned)(rest % 1000000), 6);
    }
    memcpy(o, "Z", 2);
    return true;
}

bool history_category_valid(const char *id)
{
    static const char *const ids[] = {"all", "checkup", "drug", "surgery_medical_drug"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}
