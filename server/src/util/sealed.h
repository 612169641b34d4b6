/* Files kept at rest encrypted (bulk registration results hold initial passwords):
 * AES-256-GCM with a random 96-bit nonce, bound to a label (the job's reception number) as
 * additional data, so a sealed file cannot be moved to another job. Layout: 'S' 1, nonce,
 * ciphertext, 16-byte tag. The key (32 bytes, written as 64 hex digits) comes from the file
 * named by the result_key_file setting. */
#ifndef ONSHI_SEALED_H
#define ONSHI_SEALED_H

#include <stdbool.h>
#include <stddef.h>

/* Reads and installs the process's key; -1 with a message (the key never appears in it). */
int sealed_key_load(const char *path, char *err, size_t errlen);
bool sealed_key_ready(void);
void sealed_key_forget(void);

/* *out is malloc'd. 0, or -1 (no key, or OpenSSL failed). */
int seal(const char *label, const void *plain, size_t len, unsigned char **out, size_t *outlen);
/* *plain is malloc'd (and NUL-terminated). 0, or -1 when the file is not this key's and
 * label's, or was altered. */
int unseal(const char *label, const unsigned char *in, size_t len, char **plain, size_t *plainlen);

#endif
