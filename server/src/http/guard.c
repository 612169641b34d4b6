#include "http/guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/config.h"

enum phase {
    SLOT_FREE,
    SLOT_PENDING, /* admitted, not yet started by libmicrohttpd */
    SLOT_WAITING, /* for a request's head */
    SLOT_BODY,    /* head in, body arriving */
    SLOT_BUSY,    /* handler or answer: bounded elsewhere */
    SLOT_CLOSING, /* shut down, waiting for libmicrohttpd to notice */
};

/* IPv4 address, or an IPv6 /64 (one customer's network), with its family. */
enum { ADDRESS_KEY_SIZE = 9 };

struct guard_slot {
    enum phase phase;
    bool reserve;
    int fd;
    unsigned char key[ADDRESS_KEY_SIZE];
    int64_t since_ms; /* when the current phase began */
    size_t body;      /* bytes of the current body so far */
};

/* One mutex over a small table: every operation is a short scan, a few thousand
 * comparisons at most, far below the cost of the accept or the request itself. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct guard_slot *slots;
static size_t nslots;
static int connection_limit, reserve_size;

/* A pending slot that libmicrohttpd never started (it failed after taking the socket) is
 * given up after this long; its socket is never touched. */
enum { PENDING_MAX_MS = 10000 };

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int guard_init(int limit, int reserve)
{
    nslots = (size_t)limit + (size_t)reserve;
    slots = calloc(nslots, sizeof *slots);
    connection_limit = limit;
    reserve_size = reserve;
    return slots ? 0 : -1;
}

void guard_free(void)
{
    free(slots);
    slots = NULL;
    nslots = 0;
}

static void address_key(const struct sockaddr *sa, unsigned char key[ADDRESS_KEY_SIZE])
{
    memset(key, 0, ADDRESS_KEY_SIZE);
    if (sa->sa_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, sizeof mapped) == 0) {
            key[0] = 4;
            memcpy(key + 1, a + 12, 4);
        } else {
            key[0] = 6;
            memcpy(key + 1, a, 8);
        }
    }
}

enum guard_verdict guard_admit(int fd, const struct sockaddr *sa, bool exempt)
{
    unsigned char key[ADDRESS_KEY_SIZE];
    address_key(sa, key);
    int per_address = config_current()->connections_per_address;
    int reserve_share = reserve_size / 4 > 0 ? reserve_size / 4 : 1;
    pthread_mutex_lock(&lock);
    int open = 0, in_reserve = 0, mine = 0, mine_reserve = 0;
    struct guard_slot *free_slot = NULL;
    for (size_t i = 0; i < nslots; i++) {
        struct guard_slot *s = &slots[i];
        if (s->phase == SLOT_FREE) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        open++;
        in_reserve += s->reserve;
        if (memcmp(s->key, key, ADDRESS_KEY_SIZE) == 0) {
            mine++;
            mine_reserve += s->reserve;
        }
    }
    bool over_limit = open - in_reserve >= connection_limit;
    bool over_address = !exempt && mine - mine_reserve >= per_address;
    enum guard_verdict v = GUARD_ADMIT;
    if (over_limit || over_address) {
        if (in_reserve < reserve_size && mine_reserve < reserve_share)
            v = GUARD_RESERVE;
        else
            v = over_address ? GUARD_REFUSE_ADDRESS : GUARD_REFUSE_LIMIT;
    }
    if (!free_slot && (v == GUARD_ADMIT || v == GUARD_RESERVE))
        v = GUARD_REFUSE_LIMIT;
    if (v == GUARD_ADMIT || v == GUARD_RESERVE)
        *free_slot = (struct guard_slot){SLOT_PENDING, v == GUARD_RESERVE, fd, {0}, now_ms(), 0};
    if (v == GUARD_ADMIT || v == GUARD_RESERVE)
        memcpy(free_slot->key, key, ADDRESS_KEY_SIZE);
    pthread_mutex_unlock(&lock);
    return v;
}

void guard_forget(int fd)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].phase == SLOT_PENDING && slots[i].fd == fd)
            slots[i].phase = SLOT_FREE;
    pthread_mutex_unlock(&lock);
}

struct guard_slot *guard_attach(int fd)
{
    struct guard_slot *found = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nslots && !found; i++)
        if (slots[i].phase == SLOT_PENDING && slots[i].fd == fd) {
            found = &slots[i];
            found->phase = SLOT_WAITING;
            found->since_ms = now_ms();
        }
    pthread_mutex_unlock(&lock);
    return found;
}

static void enter(struct guard_slot *s, enum phase p)
{
    if (!s)
        return;
    pthread_mutex_lock(&lock);
    if (s->phase != SLOT_CLOSING && s->phase != SLOT_FREE) {
        s->phase = p;
        s->since_ms = now_ms();
        s->body = 0;
    }
    pthread_mutex_unlock(&lock);
}

void guard_head_done(struct guard_slot *s)
{
    enter(s, SLOT_BODY);
}

void guard_busy(struct guard_slot *s)
{
    enter(s, SLOT_BUSY);
}

void guard_request_done(struct guard_slot *s)
{
    enter(s, SLOT_WAITING);
}

void guard_body(struct guard_slot *s, size_t n)
{
    if (!s)
        return;
    pthread_mutex_lock(&lock);
    s->body += n;
    pthread_mutex_unlock(&lock);
}

bool guard_in_reserve(const struct guard_slot *s)
{
    return s && s->reserve; /* set at admission, never changed while attached */
}

void guard_release(struct guard_slot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&lock);
    s->phase = SLOT_FREE;
    pthread_mutex_unlock(&lock);
}

int guard_sweep(void)
{
    const struct config *c = config_current();
    int64_t head_ms = (int64_t)c->header_timeout * 1000;
    int64_t rate = c->body_min_rate;
    int64_t now = now_ms();
    int shut = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nslots; i++) {
        struct guard_slot *s = &slots[i];
        int64_t age = now - s->since_ms;
        bool over = false;
        switch (s->phase) {
        case SLOT_PENDING:
            if (age > PENDING_MAX_MS)
                s->phase = SLOT_FREE;
            continue;
        case SLOT_WAITING:
            over = age > head_ms;
            break;
        case SLOT_BODY:
            /* After the grace, on average at least `rate` bytes a second since the head. */
            over = rate > 0 && age > head_ms && (int64_t)s->body * 1000 < (age - head_ms) * rate;
            break;
        default:
            continue;
        }
        if (over) {
            /* The socket is libmicrohttpd's until it reports the close (which needs this
             * lock), so it cannot have been reused. */
            shutdown(s->fd, SHUT_RDWR);
            s->phase = SLOT_CLOSING;
            shut++;
        }
    }
    pthread_mutex_unlock(&lock);
    return shut;
}

int guard_open(void)
{
    int open = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nslots; i++)
        open += slots[i].phase != SLOT_FREE;
    pthread_mutex_unlock(&lock);
    return open;
}
