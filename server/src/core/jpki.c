#include "core/jpki.h"

#include <string.h>

const char *jpki_result_id(enum jpki_result r)
{
    static const char *const ids[] = {
        [JPKI_OK] = "ok",
        [JPKI_NOT_MY_NUMBER_CARD] = "not_my_number_card",
        [JPKI_CARD_ERROR] = "card_error",
        [JPKI_BAD_CERTIFICATE] = "bad_certificate",
        [JPKI_NO_ANSWER] = "no_answer",
        [JPKI_REMOVED] = "removed",
    };
    return (size_t)r < sizeof ids / sizeof ids[0] && ids[r] ? ids[r] : "unknown";
}

struct reply {
    uint8_t data[JPKI_CERT_MAX];
    size_t len;
    unsigned sw;
};

/* One command, following the card's 61xx (more data: GET RESPONSE) and 6Cxx (wrong length:
 * send again with Le = xx). 0, or -1 without an answer. */
static int exchange(card_transmit_fn tx, void *ctx, const uint8_t *apdu, size_t len,
                    struct reply *r)
{
    uint8_t cmd[64], resp[258];
    size_t rlen;
    if (len > sizeof cmd)
        return -1;
    memcpy(cmd, apdu, len);
    r->len = 0;
    for (int round = 0; round < 64; round++) {
        if (tx(ctx, cmd, len, resp, sizeof resp, &rlen) != 0 || rlen < 2 || rlen > sizeof resp)
            return -1;
        unsigned sw1 = resp[rlen - 2], sw2 = resp[rlen - 1];
        size_t n = rlen - 2;
        if (sw1 == 0x6C && len == 5 && round == 0) {
            cmd[4] = (uint8_t)sw2; /* case 2 command: Le is the last byte */
            continue;
        }
        if (r->len + n > sizeof r->data)
            return -1;
        memcpy(r->data + r->len, resp, n);
        r->len += n;
        if (sw1 == 0x61) { /* GET RESPONSE for the rest */
            const uint8_t get[] = {0x00, 0xC0, 0x00, 0x00, (uint8_t)sw2};
            memcpy(cmd, get, sizeof get);
            len = sizeof get;
            continue;
        }
        r->sw = (sw1 << 8) | sw2;
        return 0;
    }
    return -1; /* a card that never stops asking */
}

static enum jpki_result command(card_transmit_fn tx, void *ctx, const uint8_t *apdu, size_t len,
                                struct reply *r)
{
    if (exchange(tx, ctx, apdu, len, r) != 0)
        return JPKI_NO_ANSWER;
    return r->sw == 0x9000 ? JPKI_OK : JPKI_CARD_ERROR;
}

enum jpki_result jpki_read_serial(card_transmit_fn tx, void *ctx,
                                  char decimal[JPKI_DECIMAL_MAX + 1])
{
    static const uint8_t select_aid[] = {0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0,
                                         0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
    static const uint8_t select_cert[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A};
    static const uint8_t read_header[] = {0x00, 0xB0, 0x00, 0x00, 0x04};
    struct reply r;
    uint8_t der[JPKI_CERT_MAX];
    decimal[0] = '\0';
    if (exchange(tx, ctx, select_aid, sizeof select_aid, &r) != 0)
        return JPKI_NO_ANSWER;
    if (r.sw != 0x9000) /* 6A82 and the like: no JPKI application on this card */
        return JPKI_NOT_MY_NUMBER_CARD;
    enum jpki_result res = command(tx, ctx, select_cert, sizeof select_cert, &r);
    if (res != JPKI_OK)
        return res;
    if ((res = command(tx, ctx, read_header, sizeof read_header, &r)) != JPKI_OK)
        return res;
    if (r.len != 4 || r.data[0] != 0x30 || r.data[1] != 0x82)
        return JPKI_BAD_CERTIFICATE;
    size_t total = ((size_t)r.data[2] << 8 | r.data[3]) + 4;
    if (total > sizeof der)
        return JPKI_BAD_CERTIFICATE;
    memcpy(der, r.data, 4);
    for (size_t off = 4; off < total;) {
        size_t want = total - off < 256 ? total - off : 256;
        const uint8_t read[] = {0x00, 0xB0, (uint8_t)(off >> 8), (uint8_t)off,
                                (uint8_t)(want == 256 ? 0 : want)};
        if ((res = command(tx, ctx, read, sizeof read, &r)) != JPKI_OK)
            return res;
        if (r.len == 0)
            return JPKI_BAD_CERTIFICATE; /* the file ends before the certificate does */
        size_t n = r.len < total - off ? r.len : total - off;
        memcpy(der + off, r.data, n);
        off += n;
    }
    uint8_t serial[JPKI_SERIAL_MAX];
    size_t n;
    if (!der_certificate_serial(der, total, serial, &n))
        return JPKI_BAD_CERTIFICATE;
    serial_to_decimal(serial, n, decimal);
    return JPKI_OK;
}

/* One DER header at *p (within end): tag, content length; *p moves to the content. */
static bool tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag, size_t *len)
{
    if (end - *p < 2)
        return false;
    *tag = *(*p)++;
    size_t l = *(*p)++;
    if (l & 0x80) {
        size_t bytes = l & 0x7F;
        if (bytes == 0 || bytes > 3 || (size_t)(end - *p) < bytes)
            return false; /* indefinite or absurd lengths: not DER of a card's certificate */
        l = 0;
        while (bytes--)
            l = l << 8 | *(*p)++;
    }
    if (l > (size_t)(end - *p))
        return false;
    *len = l;
    return true;
}

bool der_certificate_serial(const uint8_t *der, size_t len, uint8_t serial[JPKI_SERIAL_MAX],
                            size_t *serial_len)
{
    const uint8_t *p = der, *end = der + len;
    uint8_t tag;
    size_t l;
    if (!tlv(&p, end, &tag, &l) || tag != 0x30) /* Certificate */
        return false;
    end = p + l;
    if (!tlv(&p, end, &tag, &l) || tag != 0x30) /* tbsCertificate */
        return false;
    end = p + l;
    if (!tlv(&p, end, &tag, &l))
        return false;
    if (tag == 0xA0) { /* [0] version: skip */
        p += l;
        if (!tlv(&p, end, &tag, &l))
            return false;
    }
    if (tag != 0x02 || l == 0 || (p[0] & 0x80))
        return false;            /* serialNumber: a positive INTEGER */
    if (p[0] == 0x00 && l > 1) { /* the sign byte of a number whose top bit is set */
        p++;
        l--;
    }
    if (l > JPKI_SERIAL_MAX)
        return false;
    bool nonzero = false;
    for (size_t i = 0; i < l; i++)
        nonzero |= p[i] != 0;
    if (!nonzero)
        return false;
    memcpy(serial, p, l);
    *serial_len = l;
    return true;
}

void serial_to_decimal(const uint8_t *bytes, size_t len, char out[JPKI_DECIMAL_MAX + 1])
{
    uint8_t n[JPKI_SERIAL_MAX];
    char rev[JPKI_DECIMAL_MAX + 1];
    size_t digits = 0;
    if (len > JPKI_SERIAL_MAX)
        len = JPKI_SERIAL_MAX;
    memcpy(n, bytes, len);
    bool zero;
    do { /* divide the big-endian number by 10; the remainder is the next digit */
        unsigned rem = 0;
        zero = true;
        for (size_t i = 0; i < len; i++) {
            unsigned cur = rem << 8 | n[i];
            n[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            zero &= n[i] == 0;
        }
        rev[digits++] = (char)('0' + rem);
    } while (!zero && digits < JPKI_DECIMAL_MAX);
    for (size_t i = 0; i < digits; i++)
        out[i] = rev[digits - 1 - i];
    out[digits] = '\0';
}
