/* Password hashing in a helper process. argon2id maps and unmaps 64 MiB per hash; in
 * onshid's own address space that churn takes the kernel's per-process memory-map lock many
 * times a second, and HTTP threads that fault in a page wait behind it (measured: p99 of a
 * plain account read went from ~2 ms to ~100 ms under sign-in load). A separate process has
 * its own lock, so onshid starts one (itself, re-executed with --hash-worker) with one
 * thread per deferred-work worker, each talking to its worker over a socket pair.
 * Without a helper (onshictl, unit tests, or after the helper died) jobs run in the calling
 * thread. */
#ifndef ONSHI_HASH_POOL_H
#define ONSHI_HASH_POOL_H

#include <stdbool.h>

#include "util/password_hash.h"

#define HASH_JOB_TEXT 160 /* passwords (≤ 128 bytes) and stored hashes (≤ 128) fit */

enum hash_op { HASH_OP_VERIFY, HASH_OP_CHOSEN, HASH_OP_DUMMY };

struct hash_job {
    enum hash_op op;
    struct argon2_params params;  /* CHOSEN, DUMMY */
    char password[HASH_JOB_TEXT]; /* VERIFY, CHOSEN */
    char stored[HASH_JOB_TEXT];   /* VERIFY */
    char out[HASH_JOB_TEXT];      /* CHOSEN: the new hash */
    int result;                   /* VERIFY: 1 match; CHOSEN: 0 ok; -1 failure */
};

typedef void (*hash_job_fn)(struct hash_job *job);

/* Starts the helper (`exe` re-executed as `exe --hash-worker N`) with `workers` channels.
 * 0, or -1 (then every job runs in its caller). */
int hash_pool_start(const char *exe, int workers);
/* Closes the channels and waits for the helper to exit. */
void hash_pool_stop(void);
/* From the thread that will use channel `index` (a deferred-work worker), once; -1 detaches. */
void hash_pool_attach(int index);
/* Runs the job in the helper through the calling thread's channel; false when the thread
 * has none or the helper is gone (run it locally then). */
bool hash_pool_run(struct hash_job *job);

/* The helper's main: serves `n` channels on file descriptors 3 … 3+n-1, each on its own
 * thread, with `compute`, until onshid closes them. Returns the exit status. */
int hash_pool_serve(int n, hash_job_fn compute);

#endif
