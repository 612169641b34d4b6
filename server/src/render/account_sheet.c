#include "render/account_sheet.h"

#include "render/pdf.h"

enum { MARGIN = 60, LABEL_WIDTH = 150, ROW = 34, PAD = 10 };

static void row(cairo_t *cr, double y, double height, const char *label, const char *value,
                const char *value_font)
{
    const double width = PDF_A4_WIDTH - 2 * MARGIN;
    cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
    cairo_rectangle(cr, MARGIN, y, LABEL_WIDTH, height);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, MARGIN, y, width, height);
    cairo_move_to(cr, MARGIN + LABEL_WIDTH, y);
    cairo_line_to(cr, MARGIN + LABEL_WIDTH, y + height);
    cairo_stroke(cr);
    pdf_text_box(cr, PDF_FONT_JA, 11, MARGIN + PAD, y, LABEL_WIDTH - 2 * PAD, height, label);
    pdf_text_box(cr, value_font, 13, MARGIN + LABEL_WIDTH + PAD, y, width - LABEL_WIDTH - 2 * PAD,
                 height, value);
}

int account_sheet_pdf(const struct account_sheet *s, char **pdf, size_t *len)
{
    struct pdf_doc d;
    if (pdf_begin(&d, "アカウント設定情報") != 0)
        return -1;
    cairo_t *cr = d.cr;
    const double width = PDF_A4_WIDTH - 2 * MARGIN;
    cairo_set_source_rgb(cr, 0, 0, 0);
    pdf_text_box(cr, PDF_FONT_JA, 22, MARGIN, 60, width, 40, "アカウント設定情報");
    pdf_text_box(cr, PDF_FONT_JA, 10, MARGIN, 100, width, 20,
                 "オンライン資格確認等システム（onshi）");

    double y = 140;
    const struct {
        const char *label, *value;
        double height;
        const char *font;
    } rows[] = {
        {"医療機関等コード", s->institution_code, ROW, PDF_FONT_JA},
        /* Names of up to 100 characters wrap over up to three lines. */
        {"医療機関等名称", s->institution_name, 2.5 * ROW, PDF_FONT_JA},
        {"アカウント種別", s->role_label, ROW, PDF_FONT_JA},
        {"ユーザID", s->user_id, ROW, PDF_FONT_MONO},
        {"ユーザ名", s->user_name, ROW, PDF_FONT_JA},
        {"初期パスワード", s->initial_password, ROW, PDF_FONT_MONO},
        {"初期パスワード有効期限", s->expires_at, ROW, PDF_FONT_JA},
        {"発行日時", s->issued_at, ROW, PDF_FONT_JA},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        row(cr, y, rows[i].height, rows[i].label, rows[i].value, rows[i].font);
        y += rows[i].height;
    }

    static const char *const notes[] = {
        "・初期パスワードの有効期限までにログインし、パスワードを変更してください。",
        "・有効期限を過ぎるとログインできません。管理者にパスワードの初期化を依頼してください。",
        "・パスワードは他人に知られないよう管理し、本書は不要になったら裁断等により廃棄してください"
        "。",
    };
    y += 24;
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        pdf_text_box(cr, PDF_FONT_JA, 10, MARGIN, y, width, 20, notes[i]);
        y += 20;
    }
    return pdf_finish(&d, pdf, len);
}
