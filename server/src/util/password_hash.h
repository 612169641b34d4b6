/* Stored password hashes: argon2id (libsodium crypto_pwhash_str) for passwords people
 * choose, with its parameters inside the string so they can be raised later; the fast
 * salted '$sha256$' form (util/secret.h) for server-generated initial passwords. Both are
 * CPU work to run off the HTTP threads (http/defer.h). */
#ifndef ONSHI_PASSWORD_HASH_H
#define ONSHI_PASSWORD_HASH_H

#include <stdbool.h>
#include <stddef.h>

struct argon2_params {
    unsigned long long opslimit; /* passes */
    size_t memlimit;             /* bytes */
};

/* libsodium's interactive level: 2 passes over 64 MiB. */
extern const struct argon2_params argon2_params_default;

struct config;
/* The parameters the configuration asks for (password_hash_passes, password_hash_memory). */
struct argon2_params argon2_params_configured(const struct config *c);

/* Once per process, before any other call (wraps sodium_init). 0 on success. */
int password_hash_init(void);
/* The main of `onshid --hash-worker N`: the hashing helper of util/hash_pool.h. */
int password_hash_worker_main(int workers);
/* '$argon2id$v=19$m=…,t=…,p=1$salt$hash'; malloc'd, NULL on failure (out of memory). */
char *password_hash_chosen(const char *password, const struct argon2_params *params);
/* True for an argon2id hash (as opposed to the fast initial-password form). */
bool password_hash_is_argon2id(const char *stored);
/* Checks a password against either stored form; false for anything unrecognised. */
bool password_verify(const char *password, const char *stored);
/* True when an argon2id hash was made with other parameters than `params` (rehash it at
 * the next successful sign-in). Initial-password hashes never need it. */
bool password_needs_rehash(const char *stored, const struct argon2_params *params);
/* Spends the time of one argon2id verification, for sign-ins whose account does not exist
 * or cannot sign in, so that the answer takes as long as a real check. */
void password_verify_dummy(const struct argon2_params *params);

#endif
