/* The PC/SC calls the reader bridge makes, behind a table of functions: pcsc_lite.c passes
 * them to libpcsclite; unit tests pass fakes (vpcd cannot hot-plug readers). */
#ifndef ONSHI_READER_PCSC_H
#define ONSHI_READER_PCSC_H

#include <PCSC/winscard.h>
#include <stddef.h>
#include <stdint.h>

struct pcsc_ops {
    LONG (*establish)(void *self, SCARDCONTEXT *ctx);
    LONG (*release)(void *self, SCARDCONTEXT ctx);
    /* Reader names as a multi-string (each NUL-terminated, an empty one last). */
    LONG (*list)(void *self, SCARDCONTEXT ctx, char *names, DWORD *len);
    LONG(*wait)
    (void *self, SCARDCONTEXT ctx, DWORD timeout_ms, SCARD_READERSTATE *states, DWORD n);
    LONG (*cancel)(void *self, SCARDCONTEXT ctx);
    LONG(*connect)
    (void *self, SCARDCONTEXT ctx, const char *reader, SCARDHANDLE *card, DWORD *protocol);
    LONG(*transmit)
    (void *self, SCARDHANDLE card, DWORD protocol, const uint8_t *apdu, size_t len, uint8_t *resp,
     DWORD *resp_len);
    LONG (*disconnect)(void *self, SCARDHANDLE card);
    void *self;
};

/* The real PC/SC service (pcscd). */
extern const struct pcsc_ops pcsc_lite;

#endif
