/* Structured logging: one JSON object per line on stderr.
 * Callers never pass secrets (passwords, tokens, session ids) to these functions. */
#ifndef ONSHI_LOG_H
#define ONSHI_LOG_H

#include <jansson.h>

/* LOG_NOTICE is for the few lifecycle lines (listening, reloaded, draining, stopped) that
 * operators and scripts rely on: it is written at every level. */
enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_NOTICE };

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
/* Parses "error", "warn", "info", "debug"; returns 0 on success. */
int log_level_parse(const char *name, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes `fields` (stolen) with "ts", "level" and "msg" added. */
void log_event(enum log_level level, const char *msg, json_t *fields);

#endif
