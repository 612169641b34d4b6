#include "reader/pcsc.h"

static LONG establish(void *self, SCARDCONTEXT *ctx)
{
    (void)self;
    return SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, ctx);
}

static LONG release(void *self, SCARDCONTEXT ctx)
{
    (void)self;
    return SCardReleaseContext(ctx);
}

static LONG list(void *self, SCARDCONTEXT ctx, char *names, DWORD *len)
{
    (void)self;
    return SCardListReaders(ctx, NULL, names, len);
}

static LONG wait_change(void *self, SCARDCONTEXT ctx, DWORD timeout_ms, SCARD_READERSTATE *states,
                        DWORD n)
{
    (void)self;
    return SCardGetStatusChange(ctx, timeout_ms, states, n);
}

static LONG cancel(void *self, SCARDCONTEXT ctx)
{
    (void)self;
    return SCardCancel(ctx);
}

static LONG connect_card(void *self, SCARDCONTEXT ctx, const char *reader, SCARDHANDLE *card,
                         DWORD *protocol)
{
    (void)self;
    return SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                        card, protocol);
}

static LONG transmit(void *self, SCARDHANDLE card, DWORD protocol, const uint8_t *apdu, size_t len,
                     uint8_t *resp, DWORD *resp_len)
{
    (void)self;
    const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
    return SCardTransmit(card, pci, apdu, (DWORD)len, NULL, resp, resp_len);
}

static LONG disconnect(void *self, SCARDHANDLE card)
{
    (void)self;
    return SCardDisconnect(card, SCARD_LEAVE_CARD);
}

const struct pcsc_ops pcsc_lite = {establish,    release,  list,       wait_change, cancel,
                                   connect_card, transmit, disconnect, NULL};
