/* How a request is framed and what its head holds, checked before anything routes it: the
 * ambiguities request smuggling lives on are refused, and the connection closed. */
#ifndef ONSHI_HTTP_FRAMING_H
#define ONSHI_HTTP_FRAMING_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/* false for: a Transfer-Encoding other than chunked, Transfer-Encoding with Content-Length,
 * two Content-Length, a header name with white space or a NUL, HTTP/1.1 without Host.
 * libmicrohttpd 0.9.75 cuts a header value at a NUL before onshid sees it: that one cannot
 * be told from a shorter value here. */
bool framing_valid(struct MHD_Connection *conn, const char *version);

/* libmicrohttpd's %XX decoding of the path and the query, except that an encoded NUL becomes
 * the byte 0xFF: it would otherwise cut the string short ("/app.js%00/../x" served app.js);
 * now the UTF-8 check of the path and arguments refuses it. */
size_t framing_unescape(void *cls, struct MHD_Connection *conn, char *s);

#endif
