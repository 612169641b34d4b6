#include "util/password_hash.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/config.h"
#include "util/secret.h"

const struct argon2_params argon2_params_default = {crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE};

struct argon2_params argon2_params_configured(const struct config *c)
{
    return (struct argon2_params){(unsigned long long)c->password_hash_passes,
                                  (size_t)c->password_hash_memory};
}

int password_hash_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

char *password_hash_chosen(const char *password, const struct argon2_params *params)
{
    char *out = malloc(crypto_pwhash_STRBYTES);
    if (!out)
        return NULL;
    if (crypto_pwhash_str_alg(out, password, strlen(password), params->opslimit, params->memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

bool password_hash_is_argon2id(const char *stored)
{
    return strncmp(stored, crypto_pwhash_argon2id_STRPREFIX,
                   strlen(crypto_pwhash_argon2id_STRPREFIX)) == 0;
}

bool password_verify(const char *password, const char *stored)
{
    if (password_hash_is_argon2id(stored))
        return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
    return secret_verify_initial(password, stored);
}

bool password_needs_rehash(const char *stored, const struct argon2_params *params)
{
    if (!password_hash_is_argon2id(stored))
        return false;
    return crypto_pwhash_str_needs_rehash(stored, params->opslimit, params->memlimit) != 0;
}

/* One dummy hash per parameter set, made on first use. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy[crypto_pwhash_STRBYTES];
static struct argon2_params dummy_params;

void password_verify_dummy(const struct argon2_params *params)
{
    pthread_mutex_lock(&dummy_lock);
    if (!dummy[0] || dummy_params.opslimit != params->opslimit ||
        dummy_params.memlimit != params->memlimit) {
        char random[32];
        secret_random(random, sizeof random);
        for (size_t i = 0; i < sizeof random; i++)
            random[i] = (char)('a' + ((unsigned char)random[i] % 26));
        random[sizeof random - 1] = '\0';
        if (crypto_pwhash_str_alg(dummy, random, strlen(random), params->opslimit, params->memlimit,
                                  crypto_pwhash_ALG_ARGON2ID13) != 0)
            dummy[0] = '\0';
        dummy_params = *params;
    }
    char copy[crypto_pwhash_STRBYTES];
    memcpy(copy, dummy, sizeof copy);
    pthread_mutex_unlock(&dummy_lock);
    if (copy[0]) {
        /* The outcome is always "wrong"; only the time spent matters. */
        volatile int outcome = crypto_pwhash_str_verify(copy, "not the password", 16);
        (void)outcome;
    }
}
