/* The アカウント一括登録用ファイル reader (core/bulk_file.c) fed in chunks of a size the input
 * chooses, then every data row through the row rules (core/bulk_rows.c). The first byte
 * picks the chunk size, the second the limits, the manager and the institution kind; the
 * rest is the file. */
#include "fuzz.h"

#include "core/bulk_rows.h"
#include "core/date.h"
#include "core/text.h"

static void check_row(const char *const *col, enum role manager, enum institution_kind kind)
{
    struct bulk_row_check c;
    bulk_row_check(col, manager, kind, &c);
    CHECK(c.nproblems >= 0 && c.nproblems <= BULK_ROW_MAX_PROBLEMS);
    for (int i = 0; i < c.nproblems; i++) {
        CHECK(c.problems[i].column >= 0 && c.problems[i].column < BULK_COLUMNS);
        CHECK(c.problems[i].code >= 0 && c.problems[i].code < ERR__COUNT);
    }
    if (c.nproblems == 0) {
        /* What would be registered obeys every rule of a single registration. */
        enum err_code e;
        struct date start, end;
        CHECK(role_manages(manager, c.role));
        CHECK(account_user_id_check(col[1], c.role, kind, &e));
        CHECK(c.names.name && account_name_check(c.names.name, &e));
        CHECK(c.names.name_kana && account_name_kana_check(c.names.name_kana, &e));
        CHECK(date_parse(c.start, &start) && date_parse(c.end, &end));
        CHECK(date_compare(&start, &end) <= 0);
    } else {
        CHECK(!c.names.name && !c.names.name_kana);
    }
    bulk_row_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t chunk = 1 + (size_t)data[0] * 37;
    unsigned opts = data[1];
    data += 2;
    size -= 2;
    size_t max_bytes = (opts & 1) ? 300 : 5 * 1024 * 1024;
    int max_rows = (opts & 2) ? 2 : 10000;
    enum role manager = (opts & 4) ? ROLE_MASTER : ROLE_ADMIN;
    enum institution_kind kind = (enum institution_kind)((opts >> 3) % KIND__COUNT);

    struct bulk_file *f = bulk_file_new(max_bytes, max_rows);
    CHECK(f != NULL);
    bool ok = true;
    for (size_t at = 0; at < size && ok; at += chunk)
        ok = bulk_file_feed(f, data + at, size - at < chunk ? size - at : chunk);
    if (ok)
        ok = bulk_file_finish(f);
    int row = -1;
    enum bulk_file_error err = bulk_file_error(f, &row);
    int rows = bulk_file_rows(f);
    CHECK(rows >= 0 && rows <= max_rows);
    if (!ok) {
        CHECK(err != BULK_FILE_OK);
        CHECK(row >= 0 && row <= rows + 1);
        CHECK(size > 0 || err == BULK_FILE_EMPTY);
    } else {
        CHECK(err == BULK_FILE_OK && rows >= 1 && size <= max_bytes);
        /* A CP932 byte becomes at most three UTF-8 bytes. */
        size_t most =
            bulk_file_encoding(f) == BULK_ENCODING_UTF8 ? BULK_MAX_FIELD : 3 * BULK_MAX_FIELD;
        for (int i = 0; i < rows; i++) {
            const char *const *col = bulk_file_row(f, i);
            for (int j = 0; j < BULK_COLUMNS; j++) {
                size_t len = strlen(col[j]);
                CHECK(len <= most);
                CHECK(utf8_valid(col[j], len));
            }
            check_row(col, manager, kind);
        }
    }
    bulk_file_free(f);
    return 0;
}
