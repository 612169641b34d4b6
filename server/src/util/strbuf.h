/* Growable byte buffer. Allocation failure is fatal (abort): the daemon cannot recover
 * meaningfully from out-of-memory in the middle of building a response. */
#ifndef ONSHI_STRBUF_H
#define ONSHI_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
};

void sb_append(struct strbuf *sb, const void *data, size_t len);
/* As sb_append, but returns -1 instead of aborting when memory runs out (for buffers whose
 * size a client decides). */
int sb_try_append(struct strbuf *sb, const void *data, size_t len);
void sb_puts(struct strbuf *sb, const char *s);
/* Makes room for `n` more bytes at once (so that later appends do not move the data). */
void sb_reserve(struct strbuf *sb, size_t n);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the buffer to the caller (free() it); the strbuf is left empty. */
char *sb_steal(struct strbuf *sb, size_t *len);
void sb_free(struct strbuf *sb);

#endif
