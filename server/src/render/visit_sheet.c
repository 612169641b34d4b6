#include "render/visit_sheet.h"

#include <stdio.h>
#include <stdlib.h>

#include "render/pdf.h"
#include "render/qr.h"

enum { MARGIN = 60, QR_SIZE = 280 };

int visit_sheet_pdf(const struct visit_sheet *s, char **pdf, size_t *len)
{
    struct pdf_doc d;
    char title[128];
    snprintf(title, sizeof title, "医療機関別URL（%s）", s->kind_label);
    if (pdf_begin(&d, title) != 0)
        return -1;
    cairo_t *cr = d.cr;
    const double width = PDF_A4_WIDTH - 2 * MARGIN;
    cairo_set_source_rgb(cr, 0, 0, 0);
    pdf_text_box(cr, PDF_FONT_JA, 22, MARGIN, 60, width, 40, title);
    /* Names of up to 100 characters wrap over up to three lines. */
    pdf_text_box(cr, PDF_FONT_JA, 16, MARGIN, 110, width, 70, s->institution_name);
    pdf_text_box(cr, PDF_FONT_JA, 11, MARGIN, 185, width, 36,
                 "スマートフォン等で二次元バーコードを読み取り、マイナ在宅受付Webから閲覧同意を"
                 "登録してください。");
    if (qr_draw(cr, s->url, (PDF_A4_WIDTH - QR_SIZE) / 2, 235, QR_SIZE) != 0) {
        char *unused = NULL;
        size_t n;
        pdf_finish(&d, &unused, &n);
        free(unused);
        return -1;
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    pdf_text_box(cr, PDF_FONT_JA, 10, MARGIN, 535, width, 20, "URL");
    pdf_text_box(cr, PDF_FONT_MONO, 10, MARGIN, 555, width, 40, s->url);
    char date[96];
    snprintf(date, sizeof date, "作成日　%s", s->date);
    pdf_text_box(cr, PDF_FONT_JA, 10, MARGIN, 620, width, 20, date);
    pdf_text_box(cr, PDF_FONT_JA, 9, MARGIN, 650, width, 50,
                 "URLを変更すると、この二次元バーコードは使用できなくなります。"
                 "変更後は新しい二次元バーコードを印刷し直してください。");
    return pdf_finish(&d, pdf, len);
}
