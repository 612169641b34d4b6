#include "util/sealed.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

enum { KEY_LEN = 32, NONCE_LEN = 12, TAG_LEN = 16, HEAD_LEN = 2 };

static unsigned char key[KEY_LEN];
static bool key_ready;

int sealed_key_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "result_key_file %s cannot be read", path);
        return -1;
    }
    char text[130];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        text[--n] = '\0';
    unsigned char k[KEY_LEN];
    bool ok = n == 2 * KEY_LEN && secret_from_hex(text, KEY_LEN, k);
    secret_wipe(text, sizeof text);
    if (!ok) {
        secret_wipe(k, sizeof k);
        snprintf(err, errlen,
                 "result_key_file %s must hold 64 hexadecimal digits (e.g. from "
                 "'openssl rand -hex 32')",
                 path);
        return -1;
    }
    memcpy(key, k, KEY_LEN);
    secret_wipe(k, sizeof k);
    key_ready = true;
    return 0;
}

bool sealed_key_ready(void)
{
    return key_ready;
}

void sealed_key_forget(void)
{
    secret_wipe(key, sizeof key);
    key_ready = false;
}

int seal(const char *label, const void *plain, size_t len, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    if (!key_ready || len > (size_t)0x7fffffff)
        return -1;
    size_t total = HEAD_LEN + NONCE_LEN + len + TAG_LEN;
    unsigned char *buf = malloc(total);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = buf && ctx;
    if (ok) {
        buf[0] = 'S';
        buf[1] = 1;
        unsigned char *nonce = buf + HEAD_LEN, *body = nonce + NONCE_LEN;
        ok = RAND_bytes(nonce, NONCE_LEN) == 1 &&
             EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
             EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)label, (int)strlen(label)) ==
                 1 &&
             EVP_EncryptUpdate(ctx, body, &n, plain, (int)len) == 1 &&
             EVP_EncryptFinal_ex(ctx, body + n, &fin) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, body + len) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = total;
    return 0;
}

int unseal(const char *label, const unsigned char *in, size_t len, char **plain, size_t *plainlen)
{
    *plain = NULL;
    if (!key_ready || len < HEAD_LEN + NONCE_LEN + TAG_LEN || in[0] != 'S' || in[1] != 1)
        return -1;
    size_t body_len = len - HEAD_LEN - NONCE_LEN - TAG_LEN;
    const unsigned char *nonce = in + HEAD_LEN, *body = nonce + NONCE_LEN;
    char *out = malloc(body_len + 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok =
        out && ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
        EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)label, (int)strlen(label)) == 1 &&
        EVP_DecryptUpdate(ctx, (unsigned char *)out, &n, body, (int)body_len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(body + body_len)) == 1 &&
        EVP_DecryptFinal_ex(ctx, (unsigned char *)out + n, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        if (out)
            secret_wipe(out, body_len);
        free(out);
        return -1;
    }
    out[body_len] = '\0';
    *plain = out;
    *plainlen = body_len;
    return 0;
}
