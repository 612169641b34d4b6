#include "render/qr.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static QRcode *encode(const char *text)
{
    /* Case-sensitive 8-bit mode: URLs mix cases and the token is base64url. */
    return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

static void png_write(png_structp p, png_bytep data, png_size_t len)
{
    struct strbuf *sb = png_get_io_ptr(p);
    if (sb_try_append(sb, (const char *)data, len) != 0)
        png_error(p, "out of memory");
}

static void png_flush(png_structp p)
{
    (void)p;
}

int qr_png(const char *text, int module_px, char **png, size_t *len)
{
    QRcode *qr = encode(text);
    if (!qr)
        return -1;
    const int side = (qr->width + 2 * QR_QUIET_ZONE) * module_px;
    const size_t row_bytes = ((size_t)side + 7) / 8;
    struct strbuf out = {0};
    png_bytep row = calloc(1, row_bytes);
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    int rc = -1;
    if (!row || !info)
        goto done;
    if (setjmp(png_jmpbuf(p)))
        goto done; /* libpng reported an error */
    png_set_write_fn(p, &out, png_write, png_flush);
    png_set_IHDR(p, info, (png_uint_32)side, (png_uint_32)side, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (int y = 0; y < side; y++) {
        int my = y / module_px - QR_QUIET_ZONE;
        memset(row, 0xff, row_bytes); /* white */
        for (int x = 0; x < side; x++) {
            int mx = x / module_px - QR_QUIET_ZONE;
            bool dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                        (qr->data[my * qr->width + mx] & 1);
            if (dark)
                row[x / 8] &= (png_byte) ~(0x80 >> (x % 8));
        }
        png_write_row(p, row);
    }
    png_write_end(p, info);
    *png = out.data;
    *len = out.len;
    out.data = NULL;
    rc = 0;
done:
    png_destroy_write_struct(&p, info ? &info : NULL);
    sb_free(&out);
    free(row);
    QRcode_free(qr);
    return rc;
}

int qr_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
    QRcode *qr = encode(text);
    if (!qr)
        return -1;
    const double m = size / (qr->width + 2 * QR_QUIET_ZONE);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < qr->width; r++)
        for (int c = 0; c < qr->width; c++)
            if (qr->data[r * qr->width + c] & 1)
                cairo_rectangle(cr, x + (c + QR_QUIET_ZONE) * m, y + (r + QR_QUIET_ZONE) * m, m, m);
    cairo_fill(cr); /* one path: adjacent squares leave no hairline seams */
    cairo_restore(cr);
    QRcode_free(qr);
    return 0;
}
