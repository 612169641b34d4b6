#include "http/tls.h"

#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CHAIN = 16 };

/* One certificate chain and key as read. GnuTLS keeps using what tls_retrieve returned
 * while a handshake runs, so a generation replaced by SIGHUP is kept (a few KiB per
 * renewal) until tls_shutdown. */
struct generation {
    gnutls_pcert_st chain[MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
    struct generation *older;
};

static _Atomic(struct generation *) current;
static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

static void generation_free(struct generation *g)
{
    for (unsigned i = 0; i < g->n; i++)
        gnutls_pcert_deinit(&g->chain[i]);
    if (g->key)
        gnutls_privkey_deinit(g->key);
    free(g);
}

/* The key must be the first certificate's: their public keys, exported, are the same. */
static bool key_matches(const struct generation *g, char *err, size_t errlen)
{
    if (g->n == 0) {
        snprintf(err, errlen, "certificate: none in the file");
        return false;
    }
    gnutls_pubkey_t from_key = NULL;
    gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
    int rc = gnutls_pubkey_init(&from_key);
    if (rc >= 0)
        rc = gnutls_pubkey_import_privkey(from_key, g->key, 0, 0);
    if (rc >= 0)
        rc = gnutls_pubkey_export2(from_key, GNUTLS_X509_FMT_DER, &a);
    if (rc >= 0)
        rc = gnutls_pubkey_export2(g->chain[0].pubkey, GNUTLS_X509_FMT_DER, &b);
    bool same = rc >= 0 && a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
    if (rc < 0)
        snprintf(err, errlen, "key: %s", gnutls_strerror(rc));
    else if (!same)
        snprintf(err, errlen, "the key is not the certificate's");
    gnutls_free(a.data);
    gnutls_free(b.data);
    if (from_key)
        gnutls_pubkey_deinit(from_key);
    return same;
}

static struct generation *generation_read(const gnutls_datum_t *cert, const gnutls_datum_t *key,
                                          char *err, size_t errlen)
{
    struct generation *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->n = MAX_CHAIN;
    int rc = gnutls_pcert_list_import_x509_raw(g->chain, &g->n, cert, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0) {
        g->n = 0;
        snprintf(err, errlen, "certificate: %s", gnutls_strerror(rc));
        generation_free(g);
        return NULL;
    }
    if ((rc = gnutls_privkey_init(&g->key)) < 0 ||
        (rc = gnutls_privkey_import_x509_raw(g->key, key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        snprintf(err, errlen, "key: %s", gnutls_strerror(rc));
        generation_free(g);
        return NULL;
    }
    if (!key_matches(g, err, errlen)) {
        generation_free(g);
        return NULL;
    }
    return g;
}

int tls_load(const char *cert_file, const char *key_file, char *err, size_t errlen)
{
    gnutls_datum_t cert = {NULL, 0}, key = {NULL, 0};
    char why[256];
    struct generation *g = NULL;
    int rc = gnutls_load_file(cert_file, &cert);
    if (rc < 0) {
        snprintf(err, errlen, "tls_certificate_file %s: %s", cert_file, gnutls_strerror(rc));
        goto done;
    }
    if ((rc = gnutls_load_file(key_file, &key)) < 0) {
        snprintf(err, errlen, "tls_key_file %s: %s", key_file, gnutls_strerror(rc));
        goto done;
    }
    if (!(g = generation_read(&cert, &key, why, sizeof why))) {
        snprintf(err, errlen, "%s with %s: %s", cert_file, key_file, why);
        goto done;
    }
    pthread_mutex_lock(&loading);
    g->older = atomic_load(&current);
    atomic_store(&current, g);
    pthread_mutex_unlock(&loading);
done:
    /* The key's bytes are wiped before they are freed: they should live only in GnuTLS. */
    if (key.data)
        gnutls_memset(key.data, 0, key.size);
    gnutls_free(key.data);
    gnutls_free(cert.data);
    return g ? 0 : -1;
}

bool tls_enabled(void)
{
    return atomic_load(&current) != NULL;
}

int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    (void)session, (void)req_ca_dn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
    struct generation *g = atomic_load(&current);
    if (!g)
        return -1;
    *pcert = g->chain;
    *pcert_length = g->n;
    *pkey = g->key;
    return 0;
}

void tls_shutdown(void)
{
    pthread_mutex_lock(&loading);
    struct generation *g = atomic_exchange(&current, NULL);
    pthread_mutex_unlock(&loading);
    while (g) {
        struct generation *older = g->older;
        generation_free(g);
        g = older;
    }
}
