/* Dates and history bounds (core/date.c, core/history.c). The input is a text, read by
 * every parser; its first eight bytes are also a moment (within ±30,000 years, as no clock
 * or column holds more) for the Japan-time writers. A date read is written back the same;
 * days and dates convert both ways; a history bound writes a UTC timestamp that reads back
 * as the same instant, and a text's lower bound never passes its upper one. */
#include "fuzz.h"

#include "core/date.h"
#include "core/history.h"

static void check_date(const struct date *d)
{
    char iso[11];
    struct date again;
    CHECK(d->year >= 1900 && d->year <= 9999);
    date_format(d, iso);
    CHECK(date_parse(iso, &again) && date_compare(d, &again) == 0);
    struct date back = date_from_days(date_to_days(d));
    CHECK(date_compare(d, &back) == 0);
}

static void check_bounds(const char *text)
{
    char lo[HISTORY_BOUND_SIZE], up[HISTORY_BOUND_SIZE], again[HISTORY_BOUND_SIZE];
    long long lo_us = 0, up_us = 0, us = 0;
    bool lo_ok = history_bound_parse(text, false, lo, &lo_us);
    bool up_ok = history_bound_parse(text, true, up, &up_us);
    /* Bounds are read from 1900 on (date_parse); one in Japan time on 1900-01-01 starts
     * in 1899 UTC, which is written but not read again. */
    if (lo_ok) {
        CHECK(strnlen(lo, sizeof lo) < sizeof lo && lo[strlen(lo) - 1] == 'Z');
        if (strncmp(lo, "1900", 4) >= 0) {
            CHECK(history_bound_parse(lo, false, again, &us) && us == lo_us);
            CHECK(strcmp(again, lo) == 0);
        }
    }
    if (up_ok) { /* exclusive: the first instant after the bound */
        CHECK(strnlen(up, sizeof up) < sizeof up && up[strlen(up) - 1] == 'Z');
        if (strncmp(up, "1900", 4) >= 0)
            CHECK(history_bound_parse(up, false, again, &us) && us == up_us + 1);
    }
    /* Rounding to whole microseconds may leave an empty range, never a reversed one. */
    if (lo_ok && up_ok)
        CHECK(lo_us <= up_us + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    struct date d;
    if (date_parse(text, &d)) {
        char iso[11];
        date_format(&d, iso);
        CHECK(strcmp(iso, text) == 0);
        check_date(&d);
    }
    if (date_parse_loose(text, &d))
        check_date(&d);
    time_t t;
    if (timestamp_parse_utc(text, &t)) {
        char compact[15];
        CHECK(time_jst_compact(t, compact) && strlen(compact) == 14);
    }
    check_bounds(text);
    history_category_valid(text);

    if (size >= 8) {
        int64_t raw;
        memcpy(&raw, data, sizeof raw);
        t = (time_t)(raw % 950000000000LL);
        char buf[64], compact[15];
        size_t len = (size_t)data[0] % sizeof buf + 1;
        if (time_jst_text(t, buf, len))
            CHECK(strlen(buf) < len);
        if (time_jst_slashed(t, buf, len))
            CHECK(strlen(buf) < len);
        if (time_jst_compact(t, compact))
            CHECK(strlen(compact) == 14);
        d = date_today_jst(t);
        CHECK(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
    }
    free(text);
    return 0;
}
