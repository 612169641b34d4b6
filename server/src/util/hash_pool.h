/* Password hashing in a helper process: onshid re-executed with --hash-worker, one thread
 * per deferred-work worker, each talking to its worker over a socket pair. p99 of an account
 * read while sign-ins saturate 2 cores (tests/bench/account_get_under_signin.mjs; idle about
 * 1.2 ms): hashing threads inside onshid, 40-130 ms (argon2id maps and unmaps 64 MiB per
 * hash, under the memory-map lock onshid's HTTP threads share); a helper in onshid's session,
 * still 100-400 ms stalls (with autogroup the kernel divides CPU time between sessions before
 * nice values count); a helper in a session of its own at nice 10, about 4 ms.
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
