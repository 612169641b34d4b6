/* The My Number card's JPKI application (DOMAIN.md "My Number card over PC/SC"): the APDU
 * sequence that reads the 利用者証明用電子証明書 without a PIN, and the certificate's serial
 * number in decimal. Pure: the card is reached through a transmit function, so the sequence
 * is tested against fakes. */
#ifndef ONSHI_CORE_JPKI_H
#define ONSHI_CORE_JPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { JPKI_SERIAL_MAX = 20, JPKI_DECIMAL_MAX = 49, JPKI_CERT_MAX = 8192 };

/* Sends one APDU and writes the response (data + SW1 SW2) to resp (resp_cap ≥ 258 bytes).
 * 0, or -1 when the card did not answer (removed, mute, reader gone). */
typedef int (*card_transmit_fn)(void *ctx, const uint8_t *apdu, size_t len, uint8_t *resp,
                                size_t resp_cap, size_t *resp_len);

enum jpki_result {
    JPKI_OK,
    JPKI_NOT_MY_NUMBER_CARD, /* the JPKI application is not there */
    JPKI_CARD_ERROR,         /* an unexpected status word */
    JPKI_BAD_CERTIFICATE,    /* not a certificate this code can read */
    JPKI_NO_ANSWER,          /* mute, removed halfway, or the reader went away */
    JPKI_REMOVED,            /* (the bridge's finding) the card left during the read */
};

const char *jpki_result_id(enum jpki_result r); /* "ok", "not_my_number_card", … */

/* Reads the certificate and writes its serial number in decimal. Never sends VERIFY. */
enum jpki_result jpki_read_serial(card_transmit_fn tx, void *ctx,
                                  char decimal[JPKI_DECIMAL_MAX + 1]);

/* The serial number (without sign padding) of a DER certificate: 1–20 bytes, positive. */
bool der_certificate_serial(const uint8_t *der, size_t len, uint8_t serial[JPKI_SERIAL_MAX],
                            size_t *serial_len);
/* Big-endian unsigned bytes → decimal text, by long division. */
void serial_to_decimal(const uint8_t *bytes, size_t len, char out[JPKI_DECIMAL_MAX + 1]);

#endif
