/* Reading the two histories: pages as JSON, and CSV files streamed by COPY from a connection
 * of their own (schema/0006_history.sql). */
#ifndef ONSHI_STORE_HISTORY_H
#define ONSHI_STORE_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct db;
struct db_options;

enum history_kind { HISTORY_CHECKS, HISTORY_VIEWS };

/* Partitions for this month and the next two; months past the retention dropped. 1 when
 * done, 0 when another onshid is doing it, <0 errors. */
int store_history_maintain(struct db *db, int retention_months, int *created, int *dropped);

/* One page, newest first, with the total of the range. `from`/`to` are UTC timestamps, `to`
 * exclusive; category "all" or one category (views only). */
int store_history_page(struct db *db, enum history_kind kind, const char *code, const char *from,
                       const char *to, const char *category, int limit, int offset, json_t **items,
                       long *total);

struct csv_stream;

/* The query of a CSV file (one line), reading its conditions from the settings
 * onshi.csv_institution, onshi.csv_from, onshi.csv_to and onshi.csv_category. */
const char *history_csv_select(enum history_kind kind);

/* Counts the rows of the range and, when there are at most `max_rows`, starts streaming
 * them as CSV with Japanese headers, oldest first, CRLF line ends, in UTF-8 or CP932, from
 * one consistent snapshot; every statement ends within `timeout_s`. 1 streaming, 0 too many
 * rows (*count says how many), <0 errors. */
int history_csv_open(const struct db_options *opt, enum history_kind kind, const char *code,
                     const char *from, const char *to, const char *category, bool cp932,
                     long max_rows, int timeout_s, long *count, struct csv_stream **out);
/* Up to `max` bytes of the file: >0 bytes, 0 at its end, <0 on failure. */
ssize_t history_csv_read(struct csv_stream *s, char *buf, size_t max);
void history_csv_close(struct csv_stream *s);

#endif
