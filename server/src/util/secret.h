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
/* Overwrites a secret in a way the compiler may not optimise away. */
void secret_wipe(void *buf, size_t len);
/* Decodes 2 * len hexadecimal digits (either case) into len bytes; false at any other one. */
bool secret_from_hex(const char *hex, size_t len, unsigned char *out);
int secret_initial_password(char out[INITIAL_PASSWORD_LEN + 1]);

/* '$sha256$<salt hex>$<digest hex>'. A fast hash is safe only because initial passwords
 * carry well over 96 random bits: guessing them is infeasible however fast the hash is.
 * Passwords people choose are hashed with argon2id instead. Caller frees the result. */
char *secret_hash_initial(const char *password);
bool secret_verify_initial(const char *password, const char *stored);

/* Session, token and CSRF secrets: 256 random bits as 43 base64url characters. Session and
 * token values are "<institution_code>.<secret>", so lookups stay inside one tenant. */
enum { SECRET_TEXT_LEN = 43, TOKEN_TEXT_LEN = 10 + 1 + SECRET_TEXT_LEN, DIGEST_PARAM_LEN = 66 };

int secret_new_text(char out[SECRET_TEXT_LEN + 1]);
int secret_new_token(const char *institution_code, char out[TOKEN_TEXT_LEN + 1]);
/* Splits a presented token; false if it is not shaped like one. */
bool secret_token_split(const char *token, char code[11], char secret[SECRET_TEXT_LEN + 1]);
/* SHA-256 of text as a bytea parameter ("\x" + 64 hex digits): what the database keeps. */
int secret_digest_param(const char *text, char out[DIGEST_PARAM_LEN + 1]);

#endif
