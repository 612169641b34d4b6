#include "util/rate_limit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { SLOTS = 4096, ADDRESS_MAX = 46 }; /* INET6_ADDRSTRLEN */

struct bucket {
    char address[ADDRESS_MAX];
    double tokens;
    long long at_ms;
};

static struct bucket table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t slot_of(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SLOTS;
}

bool rate_limit_allow(const char *address, int per_minute, long long now_ms, int *retry_after)
{
    const double rate = per_minute / 60000.0; /* tokens per millisecond */
    struct bucket *b = &table[slot_of(address)];
    bool ok;
    pthread_mutex_lock(&lock);
    if (!b->address[0]) { /* a fresh slot starts full */
        b->tokens = per_minute;
        b->at_ms = now_ms;
    }
    /* An address landing on a used slot shares its budget: taking a slot over must not
     * refill it, or two colliding addresses would never run out. */
    strncpy(b->address, address, ADDRESS_MAX - 1);
    b->address[ADDRESS_MAX - 1] = '\0';
    b->tokens += (double)(now_ms - b->at_ms) * rate;
    if (b->tokens > per_minute)
        b->tokens = per_minute;
    b->at_ms = now_ms;
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else
        *retry_after = (int)(((1.0 - b->tokens) / rate - 1e-6) / 1000.0) + 1; /* rounded up */
    pthread_mutex_unlock(&lock);
    return ok;
}

void rate_limit_reset(void)
{
    pthread_mutex_lock(&lock);
    memset(table, 0, sizeof table);
    pthread_mutex_unlock(&lock);
}

void rate_limit_key(const char *address, char out[RATE_LIMIT_KEY_MAX])
{
    struct in6_addr a6;
    if (strchr(address, ':') && inet_pton(AF_INET6, address, &a6) == 1) {
        memset(a6.s6_addr + 8, 0, 8); /* one budget per /64: one site's addresses */
        if (inet_ntop(AF_INET6, &a6, out, RATE_LIMIT_KEY_MAX))
            return;
    }
    snprintf(out, RATE_LIMIT_KEY_MAX, "%s", address);
}
