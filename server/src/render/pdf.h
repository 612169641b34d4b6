/* A4 PDF documents drawn with cairo into memory, and the text helpers the sheets share.
 * Japanese text uses IPAex Gothic (Debian's fonts-ipaexfont-gothic, installed by
 * packaging/install-deps.sh); cairo embeds the subset it uses, with a ToUnicode map, so the
 * text can be searched and extracted. */
#ifndef ONSHI_RENDER_PDF_H
#define ONSHI_RENDER_PDF_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define PDF_A4_WIDTH  595.28 /* points */
#define PDF_A4_HEIGHT 841.89
#define PDF_FONT_JA   "IPAexGothic"
#define PDF_FONT_MONO "DejaVu Sans Mono" /* passwords: 0/O and 1/l look different */

struct pdf_doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    struct strbuf out;
};

/* True when fontconfig has the Japanese font itself (not a stand-in without kanji). */
bool pdf_fonts_available(void);
/* Releases cairo's and fontconfig's caches; at exit, when no thread draws any more (so that
 * leak checkers see what is really lost). */
void pdf_shutdown(void);

/* One A4 page with the document title in its metadata. 0, or -1 (nothing to free). */
int pdf_begin(struct pdf_doc *d, const char *title);
/* Finishes the document: *data (malloc'd) and *len on success (0), else -1. Frees d. */
int pdf_finish(struct pdf_doc *d, char **data, size_t *len);

/* Draws `text` inside the box (x, y, width, height), left-aligned and centred vertically,
 * wrapped at character boundaries (Japanese has no spaces to break at) and, when it does not
 * fit at `size`, at the largest smaller size that fits (not below half). */
void pdf_text_box(cairo_t *cr, const char *font, double size, double x, double y, double width,
                  double height, const char *text);

#endif
