/* Text checks shared by every parser: UTF-8 validity and character counts. */
#ifndef ONSHI_TEXT_H
#define ONSHI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF, no NUL. */
bool utf8_valid(const char *s, size_t len);
/* Code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);
/* True if the (valid UTF-8) string holds a C0/C1 control character or DEL. */
bool text_has_control(const char *s);

#endif
