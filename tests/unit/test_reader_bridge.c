/* The reader bridge against a fake PC/SC service: readers appearing and disappearing (vpcd
 * cannot hot-plug), cards inserted and removed, mute and foreign cards, and the service
 * going away and coming back with backoff. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "reader/bridge.h"

/* The fake service: a list of readers with a card flag each, a script of what the next
 * wait reports, and whether the service is up. */
struct fake {
    bool up;
    char readers[4][32];
    size_t n;
    DWORD card[4]; /* SCARD_STATE_PRESENT (| MUTE) or EMPTY */
    DWORD counter; /* the event counter pcsc-lite keeps in the high word */
    int establish_calls;
    bool jpki; /* what a card answers to SELECT */
    int transmits;
    char log[2048];
};

static void logf_(struct fake *f, const char *s)
{
    strncat(f->log, s, sizeof f->log - strlen(f->log) - 1);
}

static LONG f_establish(void *self, SCARDCONTEXT *ctx)
{
    struct fake *f = self;
    f->establish_calls++;
    *ctx = 1;
    return f->up ? SCARD_S_SUCCESS : SCARD_E_NO_SERVICE;
}

static LONG f_release(void *self, SCARDCONTEXT ctx)
{
    (void)self;
    (void)ctx;
    return SCARD_S_SUCCESS;
}

static LONG f_list(void *self, SCARDCONTEXT ctx, char *names, DWORD *len)
{
    struct fake *f = self;
    (void)ctx;
    if (!f->up)
        return SCARD_E_NO_SERVICE;
    if (f->n == 0)
        return SCARD_E_NO_READERS_AVAILABLE;
    size_t need = 1;
    for (size_t i = 0; i < f->n; i++)
        need += strlen(f->readers[i]) + 1;
    if (!names) { /* the size query */
        *len = (DWORD)need;
        return SCARD_S_SUCCESS;
    }
    if (*len < need)
        return SCARD_E_INSUFFICIENT_BUFFER;
    size_t o = 0;
    for (size_t i = 0; i < f->n; i++) {
        strcpy(names + o, f->readers[i]);
        o += strlen(f->readers[i]) + 1;
    }
    names[o++] = '\0';
    *len = (DWORD)o;
    return SCARD_S_SUCCESS;
}

/* Reports every difference between what the bridge knows and the fake's truth at once. */
static LONG f_wait(void *self, SCARDCONTEXT ctx, DWORD timeout, SCARD_READERSTATE *rs, DWORD n)
{
    struct fake *f = self;
    (void)ctx;
    (void)timeout;
    if (!f->up)
        return SCARD_F_COMM_ERROR;
    bool any = false;
    for (DWORD i = 0; i < n; i++) {
        DWORD now;
        bool pnp = strcmp(rs[i].szReader, "\\\\?PnP?\\Notification") == 0;
        if (pnp)
            now = (DWORD)f->n << 16; /* PnP: the reader count in the high word */
        else {
            now = SCARD_STATE_UNKNOWN;
            for (size_t k = 0; k < f->n; k++)
                if (strcmp(rs[i].szReader, f->readers[k]) == 0)
                    now = f->card[k];
        }
        DWORD known = rs[i].dwCurrentState & (pnp ? 0xFFFF0000u : 0xFFFFFFFFu);
        DWORD truth = now & (pnp ? 0xFFFF0000u : 0xFFFFFFFFu);
        rs[i].dwEventState = now;
        if (known != truth || rs[i].dwCurrentState == SCARD_STATE_UNAWARE) {
            rs[i].dwEventState |= SCARD_STATE_CHANGED;
            any = true;
        }
    }
    return any ? SCARD_S_SUCCESS : SCARD_E_TIMEOUT;
}

static LONG f_cancel(void *self, SCARDCONTEXT ctx)
{
    (void)self;
    (void)ctx;
    return SCARD_S_SUCCESS;
}

static LONG f_connect(void *self, SCARDCONTEXT ctx, const char *reader, SCARDHANDLE *card,
                      DWORD *protocol)
{
    (void)self;
    (void)ctx;
    (void)reader;
    *card = 7;
    *protocol = SCARD_PROTOCOL_T1;
    return SCARD_S_SUCCESS;
}

static LONG f_transmit(void *self, SCARDHANDLE card, DWORD protocol, const uint8_t *apdu,
                       size_t len, uint8_t *resp, DWORD *rlen)
{
    struct fake *f = self;
    (void)card;
    (void)protocol;
    (void)len;
    if (f->jpki && apdu[1] != 0xA4) { /* taken out after the application was selected */
        f->card[0] = SCARD_STATE_EMPTY | (2u << 16);
        return SCARD_W_REMOVED_CARD;
    }
    resp[0] = f->jpki ? 0x90 : 0x6A;
    resp[1] = f->jpki ? 0x00 : 0x82;
    *rlen = 2;
    f->transmits++;
    return SCARD_S_SUCCESS;
}

static LONG f_disconnect(void *self, SCARDHANDLE card)
{
    (void)self;
    (void)card;
    return SCARD_S_SUCCESS;
}

static struct fake fake;
static const struct pcsc_ops fake_ops = {f_establish, f_release,  f_list,       f_wait, f_cancel,
                                         f_connect,   f_transmit, f_disconnect, &fake};

static void on_service(void *ctx, bool up)
{
    logf_(ctx, up ? "[up]" : "[down]");
}

static void on_readers(void *ctx, char names[][BRIDGE_NAME_MAX], size_t n)
{
    char s[256] = "[readers";
    for (size_t i = 0; i < n; i++) {
        strcat(s, " ");
        strcat(s, names[i]);
    }
    strcat(s, "]");
    logf_(ctx, s);
}

static void on_state(void *ctx, const char *reader, const char *state)
{
    char s[128];
    snprintf(s, sizeof s, "[%s=%s]", reader, state);
    logf_(ctx, s);
}

static void on_card(void *ctx, const char *reader, enum jpki_result r, const char *serial)
{
    char s[128];
    snprintf(s, sizeof s, "[%s card %s%s]", reader, jpki_result_id(r), serial);
    logf_(ctx, s);
}

static struct bridge bridge;

static void start(void)
{
    memset(&fake, 0, sizeof fake);
    fake.up = true;
    struct bridge_events ev = {on_service, on_readers, on_state, on_card, &fake};
    bridge_init(&bridge, &fake_ops, ev, 2000);
}

static void step_until_quiet(void)
{
    for (int i = 0; i < 5; i++)
        bridge_step(&bridge, 10);
}

/* Started, with R1 known and empty, and the log cleared. */
static void start_with_one_empty_reader(void)
{
    start();
    strcpy(fake.readers[0], "R1");
    fake.card[0] = SCARD_STATE_EMPTY;
    fake.n = 1;
    step_until_quiet();
    fake.log[0] = '\0';
}

static void readers_come_and_go(void **state)
{
    (void)state;
    start();
    strcpy(fake.readers[0], "R1");
    fake.card[0] = SCARD_STATE_EMPTY;
    fake.n = 1;
    step_until_quiet();
    assert_string_equal(fake.log, "[readers R1][up][R1=empty]");
    fake.log[0] = '\0';
    /* Hot-plug: R2 arrives, then R1 leaves. */
    strcpy(fake.readers[1], "R2");
    fake.card[1] = SCARD_STATE_EMPTY;
    fake.n = 2;
    step_until_quiet();
    assert_string_equal(fake.log, "[readers R1 R2][R2=empty]");
    fake.log[0] = '\0';
    strcpy(fake.readers[0], "R2");
    fake.n = 1;
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=unavailable][readers R2]");
    bridge_close(&bridge);
}

static void cards_foreign_and_mute(void **state)
{
    (void)state;
    start_with_one_empty_reader();
    fake.card[0] = SCARD_STATE_PRESENT; /* a card that is not a My Number card */
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=card_present][R1 card not_my_number_card]");
    fake.log[0] = '\0';
    fake.card[0] = SCARD_STATE_EMPTY;
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=empty]");
    fake.log[0] = '\0';
    fake.card[0] = SCARD_STATE_PRESENT | SCARD_STATE_MUTE;
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=mute][R1 card no_answer]");
    fake.log[0] = '\0';
    fake.card[0] = SCARD_STATE_EMPTY;
    fake.jpki = true; /* selected, then taken out halfway */
    step_until_quiet();
    fake.card[0] = SCARD_STATE_PRESENT | (1u << 16);
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=empty][R1=card_present][R1=empty][R1 card removed]");
    bridge_close(&bridge);
}

static void a_card_swapped_between_two_looks_is_read_again(void **state)
{
    (void)state;
    start_with_one_empty_reader();
    fake.card[0] = SCARD_STATE_PRESENT | (1u << 16);
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=card_present][R1 card not_my_number_card]");
    fake.log[0] = '\0';
    /* Out and another in before the bridge looked again: present both times, count +2. */
    fake.card[0] = SCARD_STATE_PRESENT | (3u << 16);
    step_until_quiet();
    assert_string_equal(fake.log, "[R1=card_present][R1 card not_my_number_card]");
    fake.log[0] = '\0';
    /* Only another flag changing (in use) is no new card. */
    fake.card[0] = SCARD_STATE_PRESENT | SCARD_STATE_INUSE | (3u << 16);
    step_until_quiet();
    assert_string_equal(fake.log, "");
    bridge_close(&bridge);
}

static void many_readers_and_long_names(void **state)
{
    (void)state;
    start();
    fake.n = 3;
    strcpy(fake.readers[0], "R1");
    memset(fake.readers[1], 'L', 31); /* fits the fake, and the bridge */
    fake.readers[1][31] = '\0';
    strcpy(fake.readers[2], "R3");
    for (int i = 0; i < 3; i++)
        fake.card[i] = SCARD_STATE_EMPTY;
    step_until_quiet();
    assert_non_null(strstr(fake.log, "[readers R1 LLLL"));
    assert_non_null(strstr(fake.log, "[up]"));
    assert_int_equal(bridge.skipped, 0);
    bridge_close(&bridge);
}

static void cancel_stops_at_once_and_reports_nothing_more(void **state)
{
    (void)state;
    start_with_one_empty_reader();
    bridge_cancel(&bridge);
    fake.card[0] = SCARD_STATE_PRESENT;
    assert_int_equal(bridge_step(&bridge, 10), 0);
    assert_string_equal(fake.log, "");
    bridge_close(&bridge);
}

static void the_service_goes_and_comes_back(void **state)
{
    (void)state;
    start_with_one_empty_reader();
    fake.up = false;
    int waits[6];
    for (int i = 0; i < 6; i++)
        waits[i] = bridge_step(&bridge, 10);
    assert_string_equal(fake.log, "[R1=unavailable][down]");
    /* Backoff: 250 ms doubling, at most 2 s. */
    assert_int_equal(waits[0], 250);
    assert_int_equal(waits[1], 500);
    assert_int_equal(waits[2], 1000);
    assert_int_equal(waits[3], 2000);
    assert_int_equal(waits[5], 2000);
    fake.log[0] = '\0';
    fake.up = true;
    step_until_quiet();
    assert_string_equal(fake.log, "[readers R1][up][R1=empty]");
    assert_int_equal(bridge_step(&bridge, 10), 0);
    bridge_close(&bridge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_come_and_go),
        cmocka_unit_test(cards_foreign_and_mute),
        cmocka_unit_test(a_card_swapped_between_two_looks_is_read_again),
        cmocka_unit_test(many_readers_and_long_names),
        cmocka_unit_test(cancel_stops_at_once_and_reports_nothing_more),
        cmocka_unit_test(the_service_goes_and_comes_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
