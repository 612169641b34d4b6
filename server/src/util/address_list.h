/* Lists of client addresses in the configuration: "127.0.0.1, ::1, 10.0.0.0/8, fd00::/8" —
 * IPv4 or IPv6 addresses, each optionally with a prefix length. */
#ifndef ONSHI_UTIL_ADDRESS_LIST_H
#define ONSHI_UTIL_ADDRESS_LIST_H

#include <stdbool.h>
#include <sys/socket.h>

/* Whether every entry of the list parses (an empty list is valid and matches nothing). */
bool address_list_valid(const char *list);
/* Whether the address (AF_INET or AF_INET6; an IPv4-mapped IPv6 address counts as its IPv4
 * one) falls in an entry of a valid list. */
bool address_list_contains(const char *list, const struct sockaddr *sa);

#endif
