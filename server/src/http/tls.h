/* HTTPS: the certificate and key onshid serves, read from files at start and again on
 * SIGHUP. libmicrohttpd asks for them at each handshake (tls_retrieve), so a renewed
 * certificate applies to the next connection without a restart. */
#ifndef ONSHI_TLS_H
#define ONSHI_TLS_H

#include <gnutls/abstract.h>
#include <stdbool.h>
#include <stddef.h>

/* GnuTLS priorities: TLS 1.2 and 1.3 only, GnuTLS's NORMAL ciphers within them. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* Reads the certificate chain and key, checks that they belong together, and makes them the
 * ones served. On failure the ones served so far stay (none at start) and err says why. */
int tls_load(const char *cert_file, const char *key_file, char *err, size_t errlen);
bool tls_enabled(void);
/* libmicrohttpd's MHD_OPTION_HTTPS_CERT_CALLBACK (a gnutls_certificate_retrieve_function2):
 * the certificates loaded last. */
int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);
/* Frees every certificate loaded; only once no connection can be handshaking. */
void tls_shutdown(void);

#endif
