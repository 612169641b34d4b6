#include "core/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool date_parse(const char *s, struct date *out)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    out->year = y;
    out->month = m;
    out->day = d;
    return true;
}

int date_compare(const struct date *a, const struct date *b)
{
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}

/* Howard Hinnant's days-from-civil: eras of 400 years, years starting in March. */
long date_to_days(const struct date *d)
{
    long y = d->year - (d->month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (d->month + (d->month > 2 ? -3 : 9)) + 2) / 5 + d->day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date date_from_days(long days)
{
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097;
    long doe = days - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    return (struct date){(int)(yoe + era * 400 + (month <= 2)), month,
                         (int)(doy - (153 * mp + 2) / 5 + 1)};
}

char *put_decimal(char *out, unsigned v, unsigned width)
{
    for (unsigned i = width; i > 0; i--, v /= 10)
        out[i - 1] = (char)('0' + v % 10);
    return out + width;
}

void date_format(const struct date *d, char out[11])
{
    char *o = put_decimal(out, (unsigned)d->year, 4);
    *o++ = '-';
    o = put_decimal(o, (unsigned)d->month, 2);
    *o++ = '-';
    *put_decimal(o, (unsigned)d->day, 2) = '\0';
}

/* Japan Standard Time is UTC+9 all year. */
static bool jst(time_t t, struct tm *tm)
{
    time_t shifted = t + 9 * 3600;
    return gmtime_r(&shifted, tm) != NULL;
}

struct date date_today_jst(time_t now)
{
    struct tm tm;
    if (!jst(now, &tm))
        return (struct date){1970, 1, 1};
    return (struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

bool time_jst_text(time_t t, char *out, size_t len)
{
    struct tm tm;
    if (!jst(t, &tm))
        return false;
    int n = snprintf(out, len, "%d年%d月%d日 %02d時%02d分", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min);
    return n > 0 && (size_t)n < len;
}

bool timestamp_parse_utc(const char *s, time_t *out)
{
    struct date d;
    char day[11];
    if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    memcpy(day, s, 10);
    day[10] = '\0';
    int h = digits(s + 11, 2), m = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (!date_parse(day, &d) || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
        return false;
    struct tm tm = {.tm_year = d.year - 1900,
                    .tm_mon = d.month - 1,
                    .tm_mday = d.day,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    *out = timegm(&tm);
    return true;
}

bool date_parse_loose(const char *s, struct date *out)
{
    int part[3] = {0, 0, 0}, digits_in[3] = {0, 0, 0}, i = 0;
    char sep = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            part[i] = part[i] * 10 + (*p - '0');
            if (++digits_in[i] > (i == 0 ? 4 : 2))
                return false;
        } else if ((*p == '/' || *p == '-') && i < 2 && (!sep || *p == sep)) {
            sep = *p;
            i++;
        } else {
            return false;
        }
    }
    if (i != 2 || digits_in[0] != 4 || !digits_in[1] || !digits_in[2])
        return false;
    char iso[11];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", part[0], part[1], part[2]);
    return date_parse(iso, out);
}

bool time_jst_slashed(time_t t, char *out, size_t len)
{
    struct tm tm;
    if (!jst(t, &tm))
        return false;
    int n = snprintf(out, len, "%04d/%02d/%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min);
    return n > 0 && (size_t)n < len;
}

bool time_jst_compact(time_t t, char out[15])
{
    struct tm tm;
    if (!jst(t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
        return false;
    char *o = put_decimal(out, (unsigned)tm.tm_year + 1900, 4);
    const int rest[] = {tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    for (int f = 0; f < 5; f++)
        o = put_decimal(o, (unsigned)rest[f], 2);
    *o = '\0';
    return true;
}
