/* Secrets from the CSPRNG (OpenSSL RAND_bytes) and the fast salted hash for
 * server-generated initial passwords. */
#ifndef ONSHI_SECRET_H
#define ONSHI_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* 20 characters from a 56-letter alphabet without look-alikes (no 0/O, 1/l/I):
 * 20 × log2(56) ≈ 116 bits. */
enum { INITIAL_PASSWORD_LEN = 20 };

int secret_random(void *buf, size_t len);
int secret_initial_password(char out[INITIAL_PASSWORD_LEN + 1]);

/* '$sha256$<salt hex>$<digest hex>'. A fast hash is safe only because initial passwords
 * carry well over 96 random bits: guessing them is infeasible however fast the hash is.
 * Passwords people choose are hashed with argon2id instead. Caller frees the result. */
char *secret_hash_initial(const char *password);
bool secret_verify_initial(const char *password, const char *stored);

#endif
