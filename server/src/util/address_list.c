#include "util/address_list.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address as bytes: 4 for IPv4, 16 for IPv6. */
struct addr {
    int len;
    unsigned char b[16];
};

struct entry {
    struct addr a;
    int prefix; /* bits */
};

static bool parse_addr(const char *text, struct addr *a)
{
    if (inet_pton(AF_INET, text, a->b) == 1) {
        a->len = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text, a->b) == 1) {
        a->len = 16;
        return true;
    }
    return false;
}

/* One entry, [s, s + n): "address" or "address/prefix". */
static bool parse_entry(const char *s, size_t n, struct entry *e)
{
    char text[64];
    if (n == 0 || n >= sizeof text)
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    if (!parse_addr(text, &e->a))
        return false;
    e->prefix = e->a.len * 8;
    if (slash) {
        char *end;
        long p = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || p < 0 || p > e->a.len * 8)
            return false;
        e->prefix = (int)p;
    }
    return true;
}

static bool in_entry(const struct entry *e, const struct addr *a)
{
    if (e->a.len != a->len)
        return false;
    int whole = e->prefix / 8, rest = e->prefix % 8;
    if (memcmp(e->a.b, a->b, (size_t)whole) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return rest == 0 || (e->a.b[whole] & mask) == (a->b[whole] & mask);
}

/* Walks the entries, setting *found when one holds `match`; false when an entry does not
 * parse. */
static bool each(const char *list, const struct addr *match, bool *found)
{
    for (const char *p = list; *p;) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, " ,");
        if (n == 0)
            break;
        struct entry e;
        if (!parse_entry(p, n, &e))
            return false;
        if (match && in_entry(&e, match))
            *found = true;
        p += n;
    }
    return true;
}

bool address_list_valid(const char *list)
{
    bool found = false;
    return each(list, NULL, &found);
}

bool address_list_contains(const char *list, const struct sockaddr *sa)
{
    struct addr a;
    if (sa->sa_family == AF_INET) {
        a.len = 4;
        memcpy(a.b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(v6)) {
            a.len = 4;
            memcpy(a.b, v6->s6_addr + 12, 4);
        } else {
            a.len = 16;
            memcpy(a.b, v6->s6_addr, 16);
        }
    } else {
        return false;
    }
    bool found = false;
    return each(list, &a, &found) && found;
}
