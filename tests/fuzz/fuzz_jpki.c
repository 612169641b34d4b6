/* The JPKI read (core/jpki.c) against a card whose every answer the input writes: each
 * answer is a length byte pair (big-endian, taken modulo 259) and that many bytes; once the
 * input runs out the card falls mute. The whole input is also read as a DER certificate.
 * A serial number, when one comes out, is its bytes in decimal. */
#include "fuzz.h"

#include "core/jpki.h"

struct card {
    const uint8_t *p, *end;
    int commands;
};

static int transmit(void *ctx, const uint8_t *apdu, size_t len, uint8_t *resp, size_t resp_cap,
                    size_t *resp_len)
{
    struct card *c = ctx;
    CHECK(len >= 4 && len <= 64); /* a short APDU of the sequence */
    CHECK(apdu[1] != 0x20);       /* never VERIFY: no PIN is ever sent */
    CHECK(resp_cap >= 258);
    CHECK(++c->commands <= 64 * 40); /* the read ends however the card answers */
    if (c->end - c->p < 2)
        return -1;
    size_t n = ((size_t)c->p[0] << 8 | c->p[1]) % 259;
    c->p += 2;
    if ((size_t)(c->end - c->p) < n)
        n = (size_t)(c->end - c->p);
    memcpy(resp, c->p, n);
    c->p += n;
    *resp_len = n;
    return 0;
}

static void check_decimal(const char *dec, const uint8_t *serial, size_t n)
{
    size_t len = strlen(dec);
    CHECK(len >= 1 && len <= JPKI_DECIMAL_MAX);
    for (size_t i = 0; i < len; i++)
        CHECK(dec[i] >= '0' && dec[i] <= '9');
    CHECK(len == 1 || dec[0] != '0');
    if (serial && n <= 8) { /* small enough to check against native arithmetic */
        unsigned long long v = 0;
        for (size_t i = 0; i < n; i++)
            v = v << 8 | serial[i];
        char want[24];
        snprintf(want, sizeof want, "%llu", v);
        CHECK(strcmp(dec, want) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct card c = {data, data + size, 0};
    char decimal[JPKI_DECIMAL_MAX + 1];
    enum jpki_result r = jpki_read_serial(transmit, &c, decimal);
    CHECK(r >= JPKI_OK && r <= JPKI_NO_ANSWER);
    CHECK(strcmp(jpki_result_id(r), "unknown") != 0);
    if (r == JPKI_OK)
        check_decimal(decimal, NULL, 0);
    else
        CHECK(decimal[0] == '\0');

    uint8_t serial[JPKI_SERIAL_MAX];
    size_t n = 0;
    if (der_certificate_serial(data, size, serial, &n)) {
        CHECK(n >= 1 && n <= JPKI_SERIAL_MAX);
        serial_to_decimal(serial, n, decimal);
        check_decimal(decimal, serial, n);
    }
    return 0;
}
