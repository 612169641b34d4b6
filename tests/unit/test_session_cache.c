/* store/session_cache: what it serves, and every way an entry stops serving. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/session_cache.h"

static const char *CODE = "1319700001";
static const char *DIGEST = "\\x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void rfc3339(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A live session as a lookup returns it; its strings point at literals (never freed here). */
static struct session_view view(bool cookie)
{
    struct session_view v = {0};
    snprintf(v.user_id, sizeof v.user_id, "kanri01");
    snprintf(v.role, sizeof v.role, "admin");
    snprintf(v.institution_kind, sizeof v.institution_kind, "medical");
    v.cookie = cookie;
    v.csrf_ok = true;
    v.password_age_seconds = 100;
    v.name = (char *)"管理 太郎";
    v.name_kana = (char *)"カンリ タロウ";
    v.institution_name = (char *)"試験医院";
    rfc3339(time(NULL) + 3600, v.expires_at);
    if (cookie)
        rfc3339(time(NULL) + 1800, v.idle_expires_at);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Stands for the event hub's socket: readable once something is written to hub[1]. */
static int hub[2] = {-1, -1};

static int setup(void **state)
{
    (void)state;
    if (hub[0] < 0 && pipe(hub) != 0)
        return -1;
    session_cache_watch(hub[0]);
    session_cache_hub_awake(false);
    session_cache_listening(true);
    session_cache_clear();
    return 0;
}

static void nothing_serves_while_a_notification_may_be_on_its_way(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    session_cache_hub_awake(true); /* handing notifications over, or about to */
    assert_false(session_cache_get(CODE, DIGEST, &got));
    session_cache_hub_awake(false);
    assert_int_equal(write(hub[1], "n", 1), 1); /* one in the socket, not yet read */
    assert_false(session_cache_get(CODE, DIGEST, &got));
    char c;
    assert_int_equal(read(hub[0], &c, 1), 1);
    assert_true(session_cache_get(CODE, DIGEST, &got));
    session_view_free(&got);
}

static void a_put_session_is_served_with_its_own_copies(void **state)
{
    (void)state;
    struct session_view v = view(true), got;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    unsigned long long hits = session_cache_hits();
    assert_true(session_cache_get(CODE, DIGEST, &got));
    assert_int_equal(session_cache_hits(), hits + 1);
    assert_string_equal(got.user_id, "kanri01");
    assert_string_equal(got.role, "admin");
    assert_string_equal(got.name, "管理 太郎");
    assert_string_equal(got.institution_name, "試験医院");
    assert_ptr_not_equal(got.name, v.name);
    assert_true(got.cookie);
    assert_false(got.csrf_ok); /* never from the cache: such requests look up */
    assert_string_equal(got.idle_expires_at, v.idle_expires_at);
    session_view_free(&got);
}

static void another_digest_or_institution_is_a_miss(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    assert_false(session_cache_get("1319700002", DIGEST, &got));
    char other[70];
    snprintf(other, sizeof other, "%s", DIGEST);
    other[5] = other[5] == '0' ? '1' : '0';
    assert_false(session_cache_get(CODE, other, &got));
}

static void a_clear_ends_every_entry_and_keeps_out_a_lookup_begun_before_it(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    session_cache_clear();
    assert_false(session_cache_get(CODE, DIGEST, &got));
    /* Read before the clear, put after it: what it read may be what the clear was about. */
    uint64_t seen = session_cache_epoch();
    session_cache_clear();
    session_cache_put(seen, CODE, DIGEST, &v);
    assert_false(session_cache_get(CODE, DIGEST, &got));
}

static void nothing_serves_while_not_listening_nor_after_listening_again(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    session_cache_listening(false);
    assert_false(session_cache_get(CODE, DIGEST, &got));
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v); /* not kept either */
    session_cache_listening(true);
    assert_false(session_cache_get(CODE, DIGEST, &got)); /* notifications may have been lost */
}

static void an_entry_serves_for_the_ttl_only(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    assert_true(session_cache_get(CODE, DIGEST, &got));
    session_view_free(&got);
    sleep_ms(SESSION_CACHE_TTL_MS + 20);
    assert_false(session_cache_get(CODE, DIGEST, &got));
}

static void a_session_past_its_end_or_idle_end_is_a_miss(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    rfc3339(time(NULL) - 1, v.expires_at);
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    assert_false(session_cache_get(CODE, DIGEST, &got));
    v = view(true);
    rfc3339(time(NULL) - 1, v.idle_expires_at);
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    assert_false(session_cache_get(CODE, DIGEST, &got));
}

static void what_does_not_fit_is_not_kept(void **state)
{
    (void)state;
    struct session_view v = view(false), got;
    char long_name[1200];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    v.institution_name = long_name;
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    assert_false(session_cache_get(CODE, DIGEST, &got));
    v = view(false);
    snprintf(v.expires_at, sizeof v.expires_at, "not a time");
    session_cache_put(session_cache_epoch(), CODE, DIGEST, &v);
    assert_false(session_cache_get(CODE, DIGEST, &got));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_put_session_is_served_with_its_own_copies, setup),
        cmocka_unit_test_setup(another_digest_or_institution_is_a_miss, setup),
        cmocka_unit_test_setup(a_clear_ends_every_entry_and_keeps_out_a_lookup_begun_before_it,
                               setup),
        cmocka_unit_test_setup(nothing_serves_while_not_listening_nor_after_listening_again, setup),
        cmocka_unit_test_setup(nothing_serves_while_a_notification_may_be_on_its_way, setup),
        cmocka_unit_test_setup(an_entry_serves_for_the_ttl_only, setup),
        cmocka_unit_test_setup(a_session_past_its_end_or_idle_end_is_a_miss, setup),
        cmocka_unit_test_setup(what_does_not_fit_is_not_kept, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
