/* The reader bridge's logic, without threads of its own or a database: it follows the PC/SC
 * service, its readers appearing and disappearing, and cards inserted and removed, reads a
 * My Number card's serial number on insertion, and reports all of it through callbacks.
 * One bridge_step() waits for one change (bounded), so the caller can stop between steps. */
#ifndef ONSHI_READER_BRIDGE_H
#define ONSHI_READER_BRIDGE_H

#include <pthread.h>
#include <stdbool.h>

#include "core/jpki.h"
#include "reader/pcsc.h"

struct card_job;

enum { BRIDGE_MAX_READERS = 16, BRIDGE_NAME_MAX = 128 };

struct bridge_events {
    void (*service)(void *ctx, bool up);
    /* The readers there are now (a reader not listed has gone away). */
    void (*readers)(void *ctx, char names[][BRIDGE_NAME_MAX], size_t n);
    /* empty, card_present, mute, unavailable */
    void (*state)(void *ctx, const char *reader, const char *state);
    void (*card)(void *ctx, const char *reader, enum jpki_result r, const char *serial);
    void *ctx;
};

struct bridge {
    const struct pcsc_ops *ops;
    struct bridge_events ev;
    int read_timeout_ms; /* a card that does not finish within this is reported mute */
    SCARDCONTEXT ctx;
    bool have_ctx, relist, listed, service_reported, service_up;
    int backoff_ms;
    size_t n;
    char names[BRIDGE_MAX_READERS][BRIDGE_NAME_MAX];
    DWORD states[BRIDGE_MAX_READERS];
    DWORD pnp_state;
    pthread_mutex_t lock; /* guards ctx, have_ctx, stopping and job for bridge_cancel */
    bool stopping;        /* set by bridge_cancel: no more reads, no more callbacks */
    unsigned skipped;     /* readers left out (too many, or names too long) */
    struct card_job *job; /* the read being waited for */
};

void bridge_init(struct bridge *b, const struct pcsc_ops *ops, struct bridge_events ev,
                 int read_timeout_ms);
/* Waits up to wait_ms for one change and handles it. Returns the milliseconds to wait before
 * the next step (the backoff while the service is down), else 0. */
int bridge_step(struct bridge *b, DWORD wait_ms);
/* From another thread: ends a waiting bridge_step early, gives up a card read in progress,
 * and makes every later bridge_step return at once without calling back. */
void bridge_cancel(struct bridge *b);
void bridge_close(struct bridge *b);

#endif
