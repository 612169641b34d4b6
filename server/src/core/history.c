#include "core/history.h"

#include <string.h>

#include "core/date.h"

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

bool history_bound_parse(const char *text, bool upper, char out[21], long *minute)
{
    size_t len = strlen(text);
    char day[11];
    if (len != 10 && len != 16)
        return false;
    memcpy(day, text, 10);
    day[10] = '\0';
    struct date d;
    if (!date_parse(day, &d))
        return false;
    long m = date_to_days(&d) * 1440;
    long span = 1440;
    if (len == 16) {
        int h = two_digits(text + 11), mi = two_digits(text + 14);
        if (text[10] != 'T' || text[13] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59)
            return false;
        m += h * 60 + mi;
        span = 1;
    }
    *minute = upper ? m + span - 1 : m;
    long utc = m + (upper ? span : 0) - 9 * 60; /* Japan is UTC+9 */
    long days = utc >= 0 ? utc / 1440 : -((-utc + 1439) / 1440);
    long rest = utc - days * 1440;
    struct date u = date_from_days(days);
    char ud[11];
    date_format(&u, ud);
    memcpy(out, ud, 10);
    out[10] = 'T';
    char *o = put_decimal(out + 11, (unsigned)(rest / 60 % 24), 2);
    *o++ = ':';
    put_decimal(o, (unsigned)(rest % 60), 2);
    memcpy(out + 16, ":00Z", 5);
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
