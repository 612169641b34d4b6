/* Session lookups remembered for a moment, so that an authenticated read runs one database
 * round trip (its own) instead of two. Each onshid keeps its own; an entry serves for at most
 * SESSION_CACHE_TTL_MS, and none serves unless the event hub is listening for the 'account'
 * and 'institution' notifications that clear the cache (schema/0009, 0018). Changes made
 * through this onshid clear it before their answer leaves (ROUTE_REVOKES), so a client never
 * sees its own sign-out, disable or password change undone. Every guarantee a lookup gives
 * holds within the TTL, even while notifications are lost. Thread-safe. */
#ifndef ONSHI_STORE_SESSION_CACHE_H
#define ONSHI_STORE_SESSION_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/session.h"

enum { SESSION_CACHE_TTL_MS = 500 };

/* Read before the lookup whose result is put: a clear in between keeps it out. */
uint64_t session_cache_epoch(void);
/* Remembers a live session as store_session_lookup found it (csrf_ok is not kept: requests
 * that need the CSRF check always look up). */
void session_cache_put(uint64_t epoch, const char *code, const char *digest,
                       const struct session_view *v);
/* A remembered session, still valid now: true with *out filled (session_view_free it),
 * its password age and idle end as of now. */
bool session_cache_get(const char *code, const char *digest, struct session_view *out);
/* Forgets everything (an account or institution changed, or notifications were lost). */
void session_cache_clear(void);
/* Whether the notifications that clear the cache arrive: set by the event hub. */
void session_cache_listening(bool on);
/* A change committed just now (by psql, onshictl, another node) has its notification on the
 * way: in the event hub's socket, or being handed over while the hub is awake. Nothing is
 * served then, so a request sent after such a change never meets the old session: the hub's
 * socket (watched with a zero-timeout poll) and whether its thread is between waits. */
void session_cache_watch(int fd);
void session_cache_hub_awake(bool awake);
/* For /metrics. */
unsigned long long session_cache_hits(void);
unsigned long long session_cache_misses(void);

#endif
