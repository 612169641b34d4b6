/* Invariants: conditions that only a bug in onshid can break (a statement id out of range, a
 * parameter count that is not the statement's). INVARIANT(cond, fmt, ...) is an expression,
 * true when cond holds; when it does not, it logs an error naming file:line and the condition,
 * then aborts in sanitizer builds (so a test that breaks one fails loudly) and evaluates to
 * false elsewhere, where the caller returns or carries on:
 *
 *     if (!INVARIANT(id < STMT__COUNT, "statement id %d", (int)id))
 *         return DB_HARD;
 *
 * (A constant condition, INVARIANT(false, …) for a place never to be reached, wants a (void)
 * cast when its value is not used.)
 *
 * Sanitizer builds are told apart by what the compiler itself defines, so no build option is
 * needed: gcc's __SANITIZE_ADDRESS__, clang's __has_feature(address_sanitizer). */
#ifndef ONSHI_INVARIANT_H
#define ONSHI_INVARIANT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/log.h"

#if defined(__SANITIZE_ADDRESS__)
#define INVARIANT_ABORTS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INVARIANT_ABORTS 1
#endif
#endif
#ifndef INVARIANT_ABORTS
#define INVARIANT_ABORTS 0
#endif

#define INVARIANT(cond, ...)                                                                       \
    ((cond) ? true : invariant_failed(__FILE__, __LINE__, #cond, __VA_ARGS__))

/* Not called directly: INVARIANT passes where and what. Always false. */
static inline bool invariant_failed(const char *file, int line, const char *cond, const char *fmt,
                                    ...) __attribute__((format(printf, 4, 5)));

static inline bool invariant_failed(const char *file, int line, const char *cond, const char *fmt,
                                    ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    log_msg(LOG_ERROR, "invariant failed at %s:%d: %s (%s)", file, line, what, cond);
    if (INVARIANT_ABORTS)
        abort();
    return false;
}

#endif
