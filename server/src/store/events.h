/* What the live-update hub (jobs/event_hub.c) reads: the channel the triggers of
 * schema/0009_events.sql notify, and a session's state without touching it. */
#ifndef ONSHI_STORE_EVENTS_H
#define ONSHI_STORE_EVENTS_H

#include <stdbool.h>

struct db;

/* LISTEN onshi_events (again after a reconnect: a new connection listens to nothing). */
int store_events_listen(struct db *db);

struct session_check {
    char role[16];
    bool account_usable; /* enabled, not deleted, inside its period */
    bool alive;          /* neither idle too long nor past its lifetime */
    long long deadline;  /* epoch seconds when it ends unless used meanwhile */
};
/* 1 with *out filled, DB_NONE when the session no longer exists. */
int store_session_check(struct db *db, const char *code, const char *digest, int idle_seconds,
                        struct session_check *out);

/* The PC/SC service state of each institution of `codes` (a text[] literal): calls `each`
 * with the code, whether it is up and when the bridge was last seen (NULL: never). Rows
 * seen, or <0. */
int store_reader_services_state(struct db *db, const char *codes,
                                void (*each)(const char *code, bool up, const char *seen_at,
                                             void *ctx),
                                void *ctx);

#endif
