/* The アカウント一括登録用ファイル (manual ch. 2 §4), read as it arrives: chunks of any size
 * go through libcsv; the header row decides the encoding (UTF-8, with or without BOM, or
 * CP932) and every field is turned into UTF-8. Structure problems (size, rows, encoding,
 * header, column count, broken quoting) stop the reading; the rows' contents are checked
 * later, row by row. Pure: no I/O. */
#ifndef ONSHI_CORE_BULK_FILE_H
#define ONSHI_CORE_BULK_FILE_H

#include <stdbool.h>
#include <stddef.h>

enum {
    BULK_COLUMNS = 6,
    BULK_MAX_FIELD = 1024, /* bytes; the longest column allows 40 characters */
};

enum bulk_file_error {
    BULK_FILE_OK,
    BULK_FILE_TOO_LARGE,      /* more bytes than allowed */
    BULK_FILE_TOO_MANY_ROWS,  /* more data rows than allowed */
    BULK_FILE_EMPTY,          /* no header, or no data row */
    BULK_FILE_HEADER,         /* the first row is not the header */
    BULK_FILE_COLUMNS,        /* a row without exactly six columns */
    BULK_FILE_ENCODING,       /* not UTF-8 nor CP932 */
    BULK_FILE_QUOTING,        /* a quote left open, or text after a closing quote */
    BULK_FILE_FIELD_TOO_LONG, /* a field of more than BULK_MAX_FIELD bytes */
};

enum bulk_encoding { BULK_ENCODING_UTF8, BULK_ENCODING_CP932 };

/* The header row, in order. */
extern const char *const bulk_file_header[BULK_COLUMNS];

struct bulk_file;

struct bulk_file *bulk_file_new(size_t max_bytes, int max_rows);
void bulk_file_free(struct bulk_file *f);
/* Reads the next chunk; false once the file has a structure problem (more chunks are
 * ignored) or memory ran out (bulk_file_error then says BULK_FILE_OK). */
bool bulk_file_feed(struct bulk_file *f, const void *data, size_t len);
/* After the last chunk. False on a structure problem. */
bool bulk_file_finish(struct bulk_file *f);
/* The problem and the data row (1-based; 0 for the header or the file as a whole). */
enum bulk_file_error bulk_file_error(const struct bulk_file *f, int *row);
enum bulk_encoding bulk_file_encoding(const struct bulk_file *f);
/* Data rows read so far (blank lines, and rows whose fields are all empty, are skipped). */
int bulk_file_rows(const struct bulk_file *f);
/* The six UTF-8 fields of data row i (0-based). */
const char *const *bulk_file_row(const struct bulk_file *f, int i);

#endif
