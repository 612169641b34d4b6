/* Per-address budgets of the public pages: bursts, refill over time, Retry-After, and
 * addresses kept apart. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "util/rate_limit.h"

static void a_burst_then_refusal_with_retry_after(void **state)
{
    (void)state;
    rate_limit_reset();
    int retry = -1;
    for (int i = 0; i < 30; i++)
        assert_true(rate_limit_allow("192.0.2.1", 30, 1000, &retry));
    assert_false(rate_limit_allow("192.0.2.1", 30, 1000, &retry));
    assert_int_equal(retry, 2); /* one request every 2 s at 30 a minute */
    /* Another address has its own budget. */
    assert_true(rate_limit_allow("2001:db8::1", 30, 1000, &retry));
}

static void the_budget_refills_with_time_up_to_the_burst(void **state)
{
    (void)state;
    rate_limit_reset();
    int retry;
    for (int i = 0; i < 30; i++)
        assert_true(rate_limit_allow("192.0.2.7", 30, 0, &retry));
    assert_false(rate_limit_allow("192.0.2.7", 30, 1999, &retry));
    assert_int_equal(retry, 1);
    assert_true(rate_limit_allow("192.0.2.7", 30, 2000, &retry)); /* 2 s → one more */
    assert_false(rate_limit_allow("192.0.2.7", 30, 2000, &retry));
    /* A long pause refills the burst, not more. */
    int allowed = 0;
    while (rate_limit_allow("192.0.2.7", 30, 10 * 60 * 1000, &retry))
        allowed++;
    assert_int_equal(allowed, 30);
}

static void ipv6_addresses_share_their_64(void **state)
{
    (void)state;
    char a[RATE_LIMIT_KEY_MAX], b[RATE_LIMIT_KEY_MAX];
    rate_limit_key("2001:db8:1:2:aaaa::1", a);
    rate_limit_key("2001:db8:1:2:ffff:1:2:3", b);
    assert_string_equal(a, b);
    assert_string_equal(a, "2001:db8:1:2::");
    rate_limit_key("2001:db8:1:3::1", b);
    assert_string_not_equal(a, b);
    rate_limit_key("192.0.2.9", a);
    assert_string_equal(a, "192.0.2.9");
    rate_limit_key("not an address", a); /* kept as it is */
    assert_string_equal(a, "not an address");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_burst_then_refusal_with_retry_after),
        cmocka_unit_test(the_budget_refills_with_time_up_to_the_burst),
        cmocka_unit_test(ipv6_addresses_share_their_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
