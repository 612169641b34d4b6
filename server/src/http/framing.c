#include "http/framing.h"

#include <string.h>
#include <strings.h>

struct head_scan {
    int content_lengths;
    bool transfer_encoding, chunked_only, host, bad;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct head_scan *s = cls;
    if (strlen(key) != key_size || (value && strlen(value) != value_size) || strpbrk(key, " \t")) {
        s->bad = true;
        return MHD_NO;
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        s->content_lengths++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        s->host = true;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        /* Only "chunked", once: anything else has a length nobody here can know. */
        s->chunked_only = !s->transfer_encoding && value && strcasecmp(value, "chunked") == 0;
        s->transfer_encoding = true;
    }
    return MHD_YES;
}

bool framing_valid(struct MHD_Connection *conn, const char *version)
{
    struct head_scan s = {0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &s);
    if (s.bad || s.content_lengths > 1)
        return false;
    if (s.transfer_encoding && (!s.chunked_only || s.content_lengths))
        return false;
    return s.host || !version || strcmp(version, MHD_HTTP_VERSION_1_1) != 0;
}

size_t framing_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    for (char *p = s; (p = strstr(p, "%00")) != NULL; p += 3) {
        p[1] = 'F';
        p[2] = 'F';
    }
    return MHD_http_unescape(s);
}
