#include "util/password_hash.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/config.h"
#include "util/hash_pool.h"
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

/* Where the work happens: in the hashing helper (util/hash_pool.h) or, without one, here. */
static void dummy_verify(const struct argon2_params *params);

static void compute(struct hash_job *j)
{
    switch (j->op) {
    case HASH_OP_VERIFY:
        j->result = crypto_pwhash_str_verify(j->stored, j->password, strlen(j->password)) == 0;
        break;
    case HASH_OP_CHOSEN:
        j->result =
            crypto_pwhash_str_alg(j->out, j->password, strlen(j->password), j->params.opslimit,
                                  j->params.memlimit, crypto_pwhash_ALG_ARGON2ID13) == 0
                ? 0
                : -1;
        break;
    case HASH_OP_DUMMY:
        dummy_verify(&j->params);
        j->result = 0;
        break;
    }
}

/* False when the texts do not fit a job (longer than any input onshid accepts). */
static bool run(struct hash_job *j, const char *password, const char *stored)
{
    if ((password && strlen(password) >= sizeof j->password) ||
        (stored && strlen(stored) >= sizeof j->stored))
        return false;
    if (password)
        memcpy(j->password, password, strlen(password) + 1);
    if (stored)
        memcpy(j->stored, stored, strlen(stored) + 1);
    if (!hash_pool_run(j))
        compute(j);
    return true;
}

int password_hash_worker_main(int workers)
{
    if (sodium_init() < 0)
        return 1;
    return hash_pool_serve(workers, compute);
}

char *password_hash_chosen(const char *password, const struct argon2_params *params)
{
    struct hash_job j = {.op = HASH_OP_CHOSEN, .params = *params};
    char *out = NULL;
    if (run(&j, password, NULL) && j.result == 0)
        out = strdup(j.out);
    secret_wipe(&j, sizeof j);
    return out;
}

bool password_hash_is_argon2id(const char *stored)
{
    return strncmp(stored, crypto_pwhash_argon2id_STRPREFIX,
                   strlen(crypto_pwhash_argon2id_STRPREFIX)) == 0;
}

bool password_verify(const char *password, const char *stored)
{
    if (!password_hash_is_argon2id(stored)) /* the fast form needs no helper */
        return secret_verify_initial(password, stored);
    struct hash_job j = {.op = HASH_OP_VERIFY};
    bool ok = run(&j, password, stored) && j.result == 1;
    secret_wipe(&j, sizeof j);
    return ok;
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
    struct hash_job j = {.op = HASH_OP_DUMMY, .params = *params};
    run(&j, NULL, NULL);
}

static void dummy_verify(const struct argon2_params *params)
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
