/* Per-address request budgets for the public pages: a token bucket per client address in
 * a fixed table (an address that collides with another takes its slot over, so memory stays
 * bounded whatever the traffic). Thread-safe. */
#ifndef ONSHI_RATE_LIMIT_H
#define ONSHI_RATE_LIMIT_H

#include <stdbool.h>

/* True when `address` may make one more request now (`now_ms`: a monotonic clock), given
 * `per_minute` requests a minute and bursts of as many; otherwise false and *retry_after
 * says in how many seconds one is allowed again. */
bool rate_limit_allow(const char *address, int per_minute, long long now_ms, int *retry_after);

enum { RATE_LIMIT_KEY_MAX = 46 };

/* The budget an address draws on: itself, or its /64 for IPv6 (a site gets a whole /64, so
 * its hosts share one budget). */
void rate_limit_key(const char *address, char out[RATE_LIMIT_KEY_MAX]);

/* Forgets every bucket (tests). */
void rate_limit_reset(void);

#endif
