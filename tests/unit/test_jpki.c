/* The JPKI read through a fake card: the APDU sequence (and no VERIFY ever), chunked reads,
 * 61xx and 6Cxx replies, cards that are not My Number cards, cards removed halfway, and
 * truncated or hostile certificates; the serial in decimal up to 20 bytes. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jpki.h"

/* A certificate-shaped DER: SEQUENCE { SEQUENCE { [0] { INTEGER 2 }, INTEGER serial,
 * filler } } of about `size` bytes. */
static size_t make_cert(uint8_t *out, const uint8_t *serial, size_t serial_len, size_t size,
                        bool version)
{
    uint8_t tbs[JPKI_CERT_MAX];
    size_t t = 0;
    if (version) {
        const uint8_t v[] = {0xA0, 0x03, 0x02, 0x01, 0x02};
        memcpy(tbs, v, sizeof v);
        t = sizeof v;
    }
    tbs[t++] = 0x02;
    tbs[t++] = (uint8_t)serial_len;
    memcpy(tbs + t, serial, serial_len);
    t += serial_len;
    while (t + 8 < size) /* filler: a long OCTET STRING */
        tbs[t++] = 0x04, tbs[t++] = 0x00;
    size_t o = 0;
    out[o++] = 0x30;
    out[o++] = 0x82;
    size_t inner = t + 4, total = inner;
    out[o++] = (uint8_t)(total >> 8);
    out[o++] = (uint8_t)total;
    out[o++] = 0x30;
    out[o++] = 0x82;
    out[o++] = (uint8_t)(t >> 8);
    out[o++] = (uint8_t)t;
    memcpy(out + o, tbs, t);
    return o + t;
}

/* The fake card. */
struct fake {
    const uint8_t *cert;
    size_t cert_len;
    bool jpki;
    size_t max_chunk; /* a bigger Le gets 6Cxx */
    size_t split;     /* answers longer than this come in parts with 61xx */
    int fail_after;   /* commands before the card is "removed" (-1: never) */
    int commands;
    bool verify_seen;
    bool selected, ef;
    uint8_t pending[300]; /* the rest of a 61xx answer */
    size_t pending_len;
};

static int respond(uint8_t *resp, size_t *rlen, const uint8_t *data, size_t n, unsigned sw)
{
    if (n)
        memcpy(resp, data, n);
    resp[n] = (uint8_t)(sw >> 8);
    resp[n + 1] = (uint8_t)sw;
    *rlen = n + 2;
    return 0;
}

static int fake_tx(void *ctx, const uint8_t *a, size_t len, uint8_t *resp, size_t cap, size_t *rlen)
{
    struct fake *f = ctx;
    assert_true(cap >= 258);
    if (f->fail_after >= 0 && f->commands >= f->fail_after)
        return -1;
    f->commands++;
    if (a[1] == 0x20)
        f->verify_seen = true;
    if (a[1] == 0xC0) { /* GET RESPONSE */
        size_t n = f->pending_len < a[4] ? f->pending_len : a[4];
        memmove(resp, f->pending, n);
        memmove(f->pending, f->pending + n, f->pending_len - n);
        f->pending_len -= n;
        resp[n] = f->pending_len ? 0x61 : 0x90;
        resp[n + 1] = f->pending_len ? (uint8_t)(f->pending_len > 255 ? 0 : f->pending_len) : 0;
        *rlen = n + 2;
        return 0;
    }
    if (a[1] == 0xA4 && a[2] == 0x04) {
        f->selected = f->jpki;
        return respond(resp, rlen, NULL, 0, f->jpki ? 0x9000 : 0x6A82);
    }
    if (a[1] == 0xA4 && a[2] == 0x02) {
        f->ef = f->selected && len == 7 && a[5] == 0x00 && a[6] == 0x0A;
        return respond(resp, rlen, NULL, 0, f->ef ? 0x9000 : 0x6A82);
    }
    if (a[1] == 0xB0 && f->ef) {
        size_t off = (size_t)a[2] << 8 | a[3], want = a[4] ? a[4] : 256;
        if (want > f->max_chunk)
            return respond(resp, rlen, NULL, 0, 0x6C00 | f->max_chunk);
        size_t n = off >= f->cert_len ? 0 : f->cert_len - off < want ? f->cert_len - off : want;
        if (n > f->split) { /* the first part now, the rest with GET RESPONSE */
            memcpy(f->pending, f->cert + off + f->split, n - f->split);
            f->pending_len = n - f->split;
            return respond(resp, rlen, f->cert + off, f->split, 0x6100 | (f->pending_len & 0xFF));
        }
        return respond(resp, rlen, f->cert + off, n, 0x9000);
    }
    return respond(resp, rlen, NULL, 0, 0x6D00);
}

static const uint8_t serial17[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01,
                                   0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x42};

static struct fake card(const uint8_t *cert, size_t len)
{
    return (struct fake){cert, len, true, 256, 1000, -1, 0, false, false, false, {0}, 0};
}

static void reads_the_serial_of_a_real_sized_certificate(void **state)
{
    (void)state;
    uint8_t cert[JPKI_CERT_MAX];
    size_t len = make_cert(cert, serial17, sizeof serial17, 1500, true);
    struct fake f = card(cert, len);
    char dec[JPKI_DECIMAL_MAX + 1];
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_OK);
    char want[JPKI_DECIMAL_MAX + 1];
    serial_to_decimal(serial17, sizeof serial17, want);
    assert_string_equal(dec, want);
    assert_string_equal(dec, "387165715252267757836693082728079159106");
    assert_false(f.verify_seen);
    assert_int_equal(f.commands, 3 + 6); /* select ×2, header, then 6 chunks of ≤256 */
}

static void chunks_61xx_and_6cxx_are_followed(void **state)
{
    (void)state;
    uint8_t cert[JPKI_CERT_MAX];
    size_t len = make_cert(cert, serial17, sizeof serial17, 1300, false);
    char dec[JPKI_DECIMAL_MAX + 1], want[JPKI_DECIMAL_MAX + 1];
    serial_to_decimal(serial17, sizeof serial17, want);
    struct fake f = card(cert, len);
    f.max_chunk = 100; /* every 256-byte read is told 6C64 first */
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_OK);
    assert_string_equal(dec, want);
    f = card(cert, len);
    f.split = 50; /* long answers come as 50 bytes + 61xx */
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_OK);
    assert_string_equal(dec, want);
}

static void other_cards_and_removed_cards_are_reported(void **state)
{
    (void)state;
    uint8_t cert[JPKI_CERT_MAX];
    size_t len = make_cert(cert, serial17, sizeof serial17, 1200, true);
    char dec[JPKI_DECIMAL_MAX + 1];
    struct fake f = card(cert, len);
    f.jpki = false;
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_NOT_MY_NUMBER_CARD);
    assert_string_equal(dec, "");
    for (int after = 0; after < 8; after++) { /* removed at every step */
        f = card(cert, len);
        f.fail_after = after;
        assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_NO_ANSWER);
    }
    /* The file is shorter than its header says. */
    f = card(cert, 600);
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_BAD_CERTIFICATE);
}

static void hostile_certificates_are_refused(void **state)
{
    (void)state;
    uint8_t cert[JPKI_CERT_MAX], serial[JPKI_SERIAL_MAX];
    size_t n;
    size_t len = make_cert(cert, serial17, sizeof serial17, 400, true);
    assert_true(der_certificate_serial(cert, len, serial, &n));
    assert_int_equal(n, 17);
    /* Every truncation is refused, never overread: each cut is an exact-size heap copy (so
     * ASan sees one byte too far) whose outer length is rewritten to fit, so the inner
     * structures are the ones cut. */
    for (size_t cut = 4; cut < 40; cut++) {
        uint8_t *part = malloc(cut);
        memcpy(part, cert, cut);
        part[2] = (uint8_t)((cut - 4) >> 8);
        part[3] = (uint8_t)(cut - 4);
        assert_false(der_certificate_serial(part, cut, serial, &n));
        free(part);
    }
    for (size_t cut = 0; cut < 4; cut++)
        assert_false(der_certificate_serial(cert, cut, serial, &n));
    const uint8_t zero[] = {0x00}, negative[] = {0x80, 0x01};
    uint8_t big[21];
    memset(big, 0x11, sizeof big);
    len = make_cert(cert, zero, 1, 400, true);
    assert_false(der_certificate_serial(cert, len, serial, &n));
    len = make_cert(cert, negative, 2, 400, true);
    assert_false(der_certificate_serial(cert, len, serial, &n));
    len = make_cert(cert, big, 21, 400, true); /* 21 bytes: more than X.509 allows */
    assert_false(der_certificate_serial(cert, len, serial, &n));
    const uint8_t padded[] = {0x00, 0xFF, 0x01}; /* positive, top bit set: a sign byte */
    len = make_cert(cert, padded, 3, 400, true);
    assert_true(der_certificate_serial(cert, len, serial, &n));
    assert_int_equal(n, 2);
    const uint8_t lies[][8] = {
        {0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF},    /* 4-byte length */
        {0x30, 0x80, 0x30, 0x80, 0x02, 0x01, 1}, /* indefinite lengths */
        {0x30, 0x06, 0x30, 0x7F, 0x02, 0x01, 1}, /* inner longer than outer */
        {0x31, 0x05, 0x30, 0x03, 0x02, 0x01, 1}, /* a SET, not a SEQUENCE */
        {0x30, 0x05, 0x30, 0x03, 0x04, 0x01, 1}, /* no INTEGER */
    };
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++)
        assert_false(der_certificate_serial(lies[i], sizeof lies[i], serial, &n));
    /* Through the card: a header that is not 30 82, and an absurd length. */
    uint8_t bad[16] = {0x30, 0x81, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01};
    struct fake f = card(bad, sizeof bad);
    char dec[JPKI_DECIMAL_MAX + 1];
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_BAD_CERTIFICATE);
    uint8_t huge[8] = {0x30, 0x82, 0xFF, 0xF0};
    f = card(huge, sizeof huge);
    assert_int_equal(jpki_read_serial(fake_tx, &f, dec), JPKI_BAD_CERTIFICATE);
}

static void every_result_has_an_id(void **state)
{
    (void)state;
    const char *want[] = {
        "ok", "not_my_number_card", "card_error", "bad_certificate", "no_answer", "removed"};
    for (int r = JPKI_OK; r <= JPKI_REMOVED; r++)
        assert_string_equal(jpki_result_id((enum jpki_result)r), want[r]);
}

static void decimals_of_up_to_twenty_bytes(void **state)
{
    (void)state;
    char dec[JPKI_DECIMAL_MAX + 1];
    uint8_t max[20];
    memset(max, 0xFF, sizeof max);
    serial_to_decimal(max, sizeof max, dec); /* 2^160 - 1 */
    assert_string_equal(dec, "1461501637330902918203684832716283019655932542975");
    assert_int_equal(strlen(dec), JPKI_DECIMAL_MAX);
    const uint8_t one[] = {0x01}, ten[] = {0x00, 0x0A}, big[] = {0x01, 0x00, 0x00, 0x00, 0x00};
    serial_to_decimal(one, 1, dec);
    assert_string_equal(dec, "1");
    serial_to_decimal(ten, 2, dec);
    assert_string_equal(dec, "10");
    serial_to_decimal(big, 5, dec);
    assert_string_equal(dec, "4294967296");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_serial_of_a_real_sized_certificate),
        cmocka_unit_test(chunks_61xx_and_6cxx_are_followed),
        cmocka_unit_test(other_cards_and_removed_cards_are_reported),
        cmocka_unit_test(hostile_certificates_are_refused),
        cmocka_unit_test(decimals_of_up_to_twenty_bytes),
        cmocka_unit_test(every_result_has_an_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
