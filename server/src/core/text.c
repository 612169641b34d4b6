#include "core/text.h"

#include <stdint.h>
#include <string.h>

uint32_t utf8_decode(const char *s, size_t len, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    *n = 0;
    if (len == 0 || p[0] == 0)
        return 0;
    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }
    size_t more;
    uint32_t cp, min;
    if ((p[0] & 0xE0) == 0xC0)
        more = 1, cp = p[0] & 0x1F, min = 0x80;
    else if ((p[0] & 0xF0) == 0xE0)
        more = 2, cp = p[0] & 0x0F, min = 0x800;
    else if ((p[0] & 0xF8) == 0xF0)
        more = 3, cp = p[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len <= more)
        return 0;
    for (size_t i = 1; i <= more; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    *n = more + 1;
    return cp;
}

bool utf8_valid(const char *s, size_t len)
{
    size_t n;
    for (size_t at = 0; at < len; at += n) {
        utf8_decode(s + at, len - at, &n);
        if (n == 0)
            return false;
    }
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

bool text_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return true;
        /* U+0080..U+009F are encoded as C2 80..C2 9F. */
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            return true;
    }
    return false;
}

bool text_starts_formula(const char *s)
{
    static const char *const full_width[] = {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D",
                                             "\xEF\xBC\xA0"}; /* ＝ ＋ － ＠ */
    if (s[0] != '\0' && strchr("=+-@\t\r", s[0]))
        return true;
    for (size_t i = 0; i < sizeof full_width / sizeof full_width[0]; i++)
        if (strncmp(s, full_width[i], 3) == 0)
            return true;
    return false;
}

bool text_is_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}
