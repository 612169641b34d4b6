#include "core/bulk_file.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *const bulk_file_header[BULK_COLUMNS] = {
    "権限区分", "ユーザID", "ユーザ名", "ユーザ名（カナ）", "利用開始年月日", "利用終了年月日",
};

struct bulk_file {
    struct csv_parser parser;
    size_t max_bytes, bytes;
    int max_rows;
    bool started; /* past a possible BOM */
    bool header_seen;
    enum bulk_encoding encoding;
    enum bulk_file_error error;
    int error_row;
    bool failed; /* an error, or out of memory */
    iconv_t from_cp932;
    /* the record being read */
    char *fields[BULK_COLUMNS];
    int nfields;
    /* the data rows */
    char *(*rows)[BULK_COLUMNS];
    int nrows, cap;
};

struct bulk_file *bulk_file_new(size_t max_bytes, int max_rows)
{
    struct bulk_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    /* Strict: a quote inside an unquoted field, or text after a closing quote, is an error. */
    if (csv_init(&f->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(f);
        return NULL;
    }
    /* Fields grow in steps of blk_size: the default 128 bytes makes a long field quadratic. */
    csv_set_blk_size(&f->parser, 4096);
    f->from_cp932 = iconv_open("UTF-8", "CP932");
    if (f->from_cp932 == (iconv_t)-1) {
        csv_free(&f->parser);
        free(f);
        return NULL;
    }
    f->max_bytes = max_bytes;
    f->max_rows = max_rows;
    return f;
}

static void clear_record(struct bulk_file *f)
{
    for (int i = 0; i < f->nfields && i < BULK_COLUMNS; i++)
        free(f->fields[i]);
    f->nfields = 0;
}

void bulk_file_free(struct bulk_file *f)
{
    if (!f)
        return;
    clear_record(f);
    for (int i = 0; i < f->nrows; i++)
        for (int j = 0; j < BULK_COLUMNS; j++)
            free(f->rows[i][j]);
    free(f->rows);
    csv_free(&f->parser);
    iconv_close(f->from_cp932);
    free(f);
}

static void fail(struct bulk_file *f, enum bulk_file_error e, int row)
{
    if (!f->failed) {
        f->failed = true;
        f->error = e;
        f->error_row = row;
    }
}

/* A field in UTF-8 (malloc'd), or NULL when it is not valid in the file's encoding. */
static char *decode(struct bulk_file *f, const char *s, size_t len)
{
    if (f->encoding == BULK_ENCODING_UTF8) {
        if (!utf8_valid(s, len))
            return NULL;
        char *out = malloc(len + 1);
        if (out)
            memcpy(out, s, len + 1);
        return out;
    }
    size_t cap = len * 3 + 1, left = cap - 1, inleft = len;
    char *out = malloc(cap), *o = out;
    char *in = (char *)s;
    iconv(f->from_cp932, NULL, NULL, NULL, NULL);
    if (!out || iconv(f->from_cp932, &in, &inleft, &o, &left) == (size_t)-1) {
        free(out);
        return NULL;
    }
    *o = '\0';
    if (!utf8_valid(out, (size_t)(o - out))) { /* e.g. a NUL byte */
        free(out);
        return NULL;
    }
    return out;
}

static void on_field(void *s, size_t len, void *data)
{
    struct bulk_file *f = data;
    if (f->failed)
        return;
    /* The slice check in bulk_file_feed sees only fields still open at a slice's end. */
    if (len > BULK_MAX_FIELD) {
        fail(f, BULK_FILE_FIELD_TOO_LONG, f->nrows + 1);
        return;
    }
    if (f->nfields < BULK_COLUMNS) {
        /* Raw bytes until the header is matched; then UTF-8. */
        if (f->header_seen) {
            if (!(f->fields[f->nfields] = decode(f, s, len))) {
                f->nfields++;
                fail(f, BULK_FILE_ENCODING, f->nrows + 1);
                return;
            }
        } else if (!(f->fields[f->nfields] = strndup(s, len))) {
            f->failed = true;
            return;
        }
    }
    f->nfields++;
}

/* The header decides the encoding: it is either the UTF-8 or the CP932 spelling. */
static bool match_header(struct bulk_file *f)
{
    if (f->nfields != BULK_COLUMNS)
        return false;
    bool utf8 = true, cp932 = true;
    for (int i = 0; i < BULK_COLUMNS; i++) {
        utf8 &= strcmp(f->fields[i], bulk_file_header[i]) == 0;
        f->encoding = BULK_ENCODING_CP932;
        char *as_utf8 = decode(f, f->fields[i], strlen(f->fields[i]));
        cp932 &= as_utf8 && strcmp(as_utf8, bulk_file_header[i]) == 0;
        free(as_utf8);
    }
    f->encoding = utf8 ? BULK_ENCODING_UTF8 : BULK_ENCODING_CP932;
    return utf8 || cp932;
}

static void on_record(int c, void *data)
{
    (void)c;
    struct bulk_file *f = data;
    if (f->failed) {
        clear_record(f);
        return;
    }
    if (!f->header_seen) {
        if (!match_header(f))
            fail(f, BULK_FILE_HEADER, 0);
        f->header_seen = true;
        clear_record(f);
        return;
    }
    bool blank = true;
    for (int i = 0; i < f->nfields && i < BULK_COLUMNS; i++)
        blank &= f->fields[i][0] == '\0';
    if (blank && f->nfields <= BULK_COLUMNS) { /* ",,,,," as spreadsheets write empty rows */
        clear_record(f);
        return;
    }
    if (f->nfields != BULK_COLUMNS) {
        fail(f, BULK_FILE_COLUMNS, f->nrows + 1);
        clear_record(f);
        return;
    }
    if (f->nrows == f->max_rows) {
        fail(f, BULK_FILE_TOO_MANY_ROWS, f->nrows + 1);
        clear_record(f);
        return;
    }
    if (f->nrows == f->cap) {
        int cap = f->cap ? f->cap * 2 : 64;
        void *p = realloc(f->rows, (size_t)cap * sizeof *f->rows);
        if (!p) {
            f->failed = true;
            clear_record(f);
            return;
        }
        f->rows = p;
        f->cap = cap;
    }
    memcpy(f->rows[f->nrows++], f->fields, sizeof f->fields);
    f->nfields = 0; /* the row owns the fields now */
}

bool bulk_file_feed(struct bulk_file *f, const void *data, size_t len)
{
    if (f->failed)
        return false;
    if (len > f->max_bytes - f->bytes) {
        fail(f, BULK_FILE_TOO_LARGE, 0);
        return false;
    }
    const unsigned char *p = data;
    /* A BOM is skipped; it may arrive split over chunks. */
    static const unsigned char bom[] = {0xEF, 0xBB, 0xBF};
    while (!f->started && len > 0) {
        if (f->bytes < 3 && p[0] == bom[f->bytes]) {
            f->bytes++;
            p++;
            len--;
            if (f->bytes == 3)
                f->started = true;
            continue;
        }
        if (f->bytes > 0 && f->bytes < 3) { /* a partial BOM: not UTF-8 after all */
            fail(f, BULK_FILE_ENCODING, 0);
            return false;
        }
        f->started = true;
    }
    f->bytes += len;
    /* Fed in slices, so that a field far longer than any column allows is refused before
     * it has grown to megabytes. */
    for (size_t at = 0; at < len && !f->failed;) {
        size_t n = len - at < 4096 ? len - at : 4096;
        if (csv_parse(&f->parser, p + at, n, on_field, on_record, f) != n)
            fail(f, BULK_FILE_QUOTING, f->nrows + 1);
        else if (f->parser.entry_pos > BULK_MAX_FIELD)
            fail(f, BULK_FILE_FIELD_TOO_LONG, f->nrows + 1);
        at += n;
    }
    return !f->failed;
}

bool bulk_file_finish(struct bulk_file *f)
{
    if (!f->failed && csv_fini(&f->parser, on_field, on_record, f) != 0)
        fail(f, BULK_FILE_QUOTING, f->nrows + 1);
    if (!f->failed && (!f->header_seen || f->nrows == 0))
        fail(f, BULK_FILE_EMPTY, 0);
    return !f->failed;
}

enum bulk_file_error bulk_file_error(const struct bulk_file *f, int *row)
{
    if (row)
        *row = f->error_row;
    return f->error;
}

enum bulk_encoding bulk_file_encoding(const struct bulk_file *f)
{
    return f->encoding;
}

int bulk_file_rows(const struct bulk_file *f)
{
    return f->nrows;
}

const char *const *bulk_file_row(const struct bulk_file *f, int i)
{
    return (const char *const *)f->rows[i];
}
