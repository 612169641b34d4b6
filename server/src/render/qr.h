/* QR codes (libqrencode, error correction M) of the per-institution URLs, as a PNG image
 * and as vector squares on a cairo page. */
#ifndef ONSHI_RENDER_QR_H
#define ONSHI_RENDER_QR_H

#include <cairo.h>
#include <stddef.h>

enum { QR_QUIET_ZONE = 4 }; /* modules of white around the code, as ISO/IEC 18004 asks */

/* A PNG of `text`: `module_px` pixels per module, with the quiet zone, 1 bit grey.
 * 0 and *png (malloc'd), *len; -1 on failure. */
int qr_png(const char *text, int module_px, char **png, size_t *len);

/* Draws `text` as a QR code `size` points wide (quiet zone included) at (x, y). 0, or -1. */
int qr_draw(cairo_t *cr, const char *text, double x, double y, double size);

#endif
