/* Address lists of the configuration (metrics_allow): entries, prefixes, IPv4-mapped IPv6. */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "util/address_list.h"

static bool has(const char *list, const char *address)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6;
    else
        fail_msg("bad test address %s", address);
    return address_list_contains(list, (const struct sockaddr *)&ss);
}

static void valid_lists(void **state)
{
    (void)state;
    assert_true(address_list_valid(""));
    assert_true(address_list_valid("127.0.0.1"));
    assert_true(address_list_valid("127.0.0.1, ::1"));
    assert_true(address_list_valid(" 10.0.0.0/8,fd00::/8 ,192.168.1.7/32"));
    assert_true(address_list_valid("0.0.0.0/0"));
    assert_false(address_list_valid("localhost"));
    assert_false(address_list_valid("10.0.0.0/33"));
    assert_false(address_list_valid("10.0.0.0/"));
    assert_false(address_list_valid("10.0.0.0/8x"));
    assert_false(address_list_valid("::1/129"));
    assert_false(address_list_valid("127.0.0.1; ::1"));
}

static void matching(void **state)
{
    (void)state;
    const char *list = "127.0.0.1, ::1, 10.0.0.0/8, 192.168.4.0/23, fd00::/8";
    assert_true(has(list, "127.0.0.1"));
    assert_false(has(list, "127.0.0.2"));
    assert_true(has(list, "::1"));
    assert_true(has(list, "10.255.1.2"));
    assert_false(has(list, "11.0.0.1"));
    assert_true(has(list, "192.168.5.200"));
    assert_false(has(list, "192.168.6.1"));
    assert_true(has(list, "fd12:3456::1"));
    assert_false(has(list, "fe80::1"));
    assert_true(has(list, "::ffff:10.1.2.3")); /* an IPv4 client on an IPv6 socket */
    assert_false(has("", "127.0.0.1"));
    assert_true(has("0.0.0.0/0", "203.0.113.9"));
    assert_false(has("0.0.0.0/0", "2001:db8::1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_lists),
        cmocka_unit_test(matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
