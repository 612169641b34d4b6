#include "store/session_cache.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"

/* Direct-mapped by the secret's digest: a session that collides with another only costs a
 * lookup. 1024 slots of about 1.5 KiB: the sessions one onshid serves within half a second. */
enum { SLOTS = 1024, NAME_BYTES = 64 * 4 + 1, KANA_BYTES = 128 * 4 + 1, INST_BYTES = 100 * 4 + 1 };

struct entry {
    bool used;
    uint64_t epoch;
    long long at_ms;          /* monotonic, when it was looked up */
    time_t expires, idle_end; /* idle_end 0: a token, no idle timeout */
    char code[11], digest[67];
    struct session_view v; /* its malloc'd strings NULL: they are the three below */
    char name[NAME_BYTES], name_kana[KANA_BYTES], institution_name[INST_BYTES];
};

static struct entry slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t epoch = 1;
static atomic_bool listening;
static atomic_bool hub_awake = true;
static atomic_int watched_fd = -1;
static atomic_ullong hits, misses;

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static size_t slot_of(const char *code, const char *digest)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *s = digest; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    for (const char *s = code; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SLOTS;
}

static bool copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

uint64_t session_cache_epoch(void)
{
    return atomic_load(&epoch);
}

void session_cache_put(uint64_t seen, const char *code, const char *digest,
                       const struct session_view *v)
{
    if (!atomic_load(&listening))
        return;
    struct entry e = {.used = true, .epoch = seen, .at_ms = now_ms(), .v = *v};
    e.v.name = e.v.name_kana = e.v.institution_name = NULL;
    e.v.csrf_ok = false;
    if (!copy_text(e.code, sizeof e.code, code) || !copy_text(e.digest, sizeof e.digest, digest) ||
        !copy_text(e.name, sizeof e.name, v->name) ||
        !copy_text(e.name_kana, sizeof e.name_kana, v->name_kana) ||
        !copy_text(e.institution_name, sizeof e.institution_name, v->institution_name) ||
        !timestamp_parse_utc(v->expires_at, &e.expires) ||
        (v->idle_expires_at[0] && !timestamp_parse_utc(v->idle_expires_at, &e.idle_end)))
        return; /* not kept: the next request looks it up again */
    pthread_mutex_lock(&lock);
    /* A clear since the lookup began: what it read may be what the clear was about. */
    if (seen == atomic_load(&epoch))
        slots[slot_of(code, digest)] = e;
    pthread_mutex_unlock(&lock);
}

/* A notification may be waiting for the hub: it is awake, or its socket has data. */
static bool notification_pending(void)
{
    int fd = atomic_load(&watched_fd);
    if (atomic_load(&hub_awake) || fd < 0)
        return true;
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) != 0;
}

bool session_cache_get(const char *code, const char *digest, struct session_view *out)
{
    struct entry e = {0};
    long long t = now_ms();
    if (atomic_load(&listening) && !notification_pending()) {
        pthread_mutex_lock(&lock);
        const struct entry *s = &slots[slot_of(code, digest)];
        if (s->used && s->epoch == atomic_load(&epoch) && t - s->at_ms < SESSION_CACHE_TTL_MS &&
            strcmp(s->digest, digest) == 0 && strcmp(s->code, code) == 0)
            e = *s;
        pthread_mutex_unlock(&lock);
    }
    time_t now = time(NULL);
    if (!e.used || now >= e.expires || (e.idle_end && now >= e.idle_end)) {
        atomic_fetch_add(&misses, 1);
        return false;
    }
    *out = e.v;
    out->password_age_seconds += (t - e.at_ms) / 1000;
    out->name = strdup(e.name);
    out->name_kana = strdup(e.name_kana);
    out->institution_name = strdup(e.institution_name);
    if (!out->name || !out->name_kana || !out->institution_name) {
        session_view_free(out);
        atomic_fetch_add(&misses, 1);
        return false;
    }
    atomic_fetch_add(&hits, 1);
    return true;
}

void session_cache_clear(void)
{
    atomic_fetch_add(&epoch, 1); /* entries of an older epoch never serve again */
}

void session_cache_listening(bool on)
{
    if (atomic_exchange(&listening, on) != on)
        session_cache_clear(); /* either way, what was kept may have missed a notification */
}

void session_cache_watch(int fd)
{
    atomic_store(&watched_fd, fd);
}

void session_cache_hub_awake(bool awake)
{
    atomic_store(&hub_awake, awake);
}

unsigned long long session_cache_hits(void)
{
    return atomic_load(&hits);
}

unsigned long long session_cache_misses(void)
{
    return atomic_load(&misses);
}
