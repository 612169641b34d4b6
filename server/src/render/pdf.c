#include "render/pdf.h"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int length)
{
    struct strbuf *sb = closure;
    return sb_try_append(sb, data, length) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

bool pdf_fonts_available(void)
{
    FcPattern *want = FcNameParse((const FcChar8 *)PDF_FONT_JA);
    if (!want)
        return false;
    FcConfigSubstitute(NULL, want, FcMatchPattern);
    FcDefaultSubstitute(want);
    FcResult res;
    FcPattern *got = FcFontMatch(NULL, want, &res);
    FcChar8 *family = NULL;
    bool ok = got && FcPatternGetString(got, FC_FAMILY, 0, &family) == FcResultMatch &&
              strcasecmp((const char *)family, PDF_FONT_JA) == 0;
    if (got)
        FcPatternDestroy(got);
    FcPatternDestroy(want);
    return ok;
}

void pdf_shutdown(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

int pdf_begin(struct pdf_doc *d, const char *title)
{
    *d = (struct pdf_doc){0};
    d->surface = cairo_pdf_surface_create_for_stream(collect, &d->out, PDF_A4_WIDTH, PDF_A4_HEIGHT);
    if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(d->surface);
        return -1;
    }
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "onshi");
    d->cr = cairo_create(d->surface);
    return 0;
}

int pdf_finish(struct pdf_doc *d, char **data, size_t *len)
{
    cairo_status_t st = cairo_status(d->cr);
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surface);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d->surface);
    cairo_surface_destroy(d->surface);
    if (st != CAIRO_STATUS_SUCCESS || d->out.len == 0) {
        sb_free(&d->out);
        return -1;
    }
    *data = sb_steal(&d->out, len);
    return 0;
}

/* Bytes of the UTF-8 sequence starting at s (1 for anything malformed). */
static size_t utf8_step(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Greedy wrap at the current font: the byte lengths of at most max_lines lines in `cut`;
 * returns the number of lines, or max_lines + 1 when the text needs more. */
static int wrap(cairo_t *cr, const char *text, double width, size_t *cut, int max_lines)
{
    int lines = 0;
    const char *p = text;
    char buf[1024];
    while (*p) {
        if (lines == max_lines)
            return max_lines + 1;
        size_t len = 0;
        for (;;) {
            size_t step = utf8_step(p + len);
            if (!p[len] || len + step >= sizeof buf)
                break;
            memcpy(buf, p, len + step);
            buf[len + step] = '\0';
            cairo_text_extents_t ext;
            cairo_text_extents(cr, buf, &ext);
            if (ext.x_advance > width && len > 0)
                break;
            len += step;
        }
        cut[lines++] = len;
        p += len;
    }
    return lines;
}

void pdf_text_box(cairo_t *cr, const char *font, double size, double x, double y, double width,
                  double height, const char *text)
{
    enum { MAX_LINES = 8 };
    size_t cut[MAX_LINES];
    cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    double s = size;
    int lines;
    /* Half a point smaller each round, counted in an integer (cert-flp30-c). */
    for (int round = 0;; round++) {
        s = size - 0.5 * round;
        cairo_set_font_size(cr, s);
        int fit = (int)(height / (s * 1.3));
        fit = fit < 1 ? 1 : fit > MAX_LINES ? MAX_LINES : fit;
        lines = wrap(cr, text, width, cut, fit);
        if (lines > fit && s - 0.5 >= size / 2)
            continue;
        if (lines > fit) /* still too long at half size: the box shows what fits */
            lines = fit;
        break;
    }
    double lh = s * 1.3;
    double top = y + (height - lh * lines) / 2;
    const char *p = text;
    char buf[1024];
    for (int i = 0; i < lines; i++) {
        memcpy(buf, p, cut[i]);
        buf[cut[i]] = '\0';
        /* The baseline sits about 1.0 em + the leading's half below the line's top. */
        cairo_move_to(cr, x, top + lh * i + s * 1.1);
        cairo_show_text(cr, buf);
        p += cut[i];
    }
}
