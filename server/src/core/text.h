/* Text checks shared by every parser: UTF-8 validity and character counts. */
#ifndef ONSHI_TEXT_H
#define ONSHI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF, no NUL. */
bool utf8_valid(const char *s, size_t len);
/* The code point that starts s (len bytes left) and its length in *n; *n = 0 when s does
 * not start with a valid UTF-8 sequence. */
uint32_t utf8_decode(const char *s, size_t len, size_t *n);
/* Code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);
/* True if the (valid UTF-8) string holds a C0/C1 control character or DEL. */
bool text_has_control(const char *s);
/* True when a spreadsheet would read the text as a formula: it starts with = + - @, a tab or
 * a CR, or the full-width ＝ ＋ － ＠ that Japanese input methods type. Every CSV cell holding
 * text a client chose gets a leading apostrophe when this holds; onshi_csv_inert() in
 * schema/0012 is the same rule for the CSVs PostgreSQL writes. */
bool text_starts_formula(const char *s);
/* True when s is exactly n ASCII digits. */
bool text_is_digits(const char *s, size_t n);

#endif
