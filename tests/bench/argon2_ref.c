/* Reference for the sign-in benchmark: argon2id verifications per second with libsodium's
 * interactive parameters (the ones onshid uses), on N threads for S seconds.
 * Usage: argon2_ref THREADS SECONDS   → prints "argon2id_verify_per_s=<rate>" */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char stored[crypto_pwhash_STRBYTES];
static atomic_long done;
static atomic_bool stop;

static void *run(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        if (crypto_pwhash_str_verify(stored, "Sakura2026!", 11) != 0)
            abort();
        atomic_fetch_add(&done, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 2;
    int seconds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    if (threads < 1 || threads > 64 || seconds < 1 || sodium_init() < 0)
        return 2;
    if (crypto_pwhash_str_alg(stored, "Sakura2026!", 11, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return 1;
    pthread_t t[64];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, run, NULL);
    struct timespec span = {seconds, 0};
    nanosleep(&span, NULL);
    atomic_store(&stop, true);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("argon2id_verify_per_s=%.1f\n", (double)atomic_load(&done) / secs);
    return 0;
}
