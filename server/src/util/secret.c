#include "util/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

int secret_random(void *buf, size_t len)
{
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

void secret_wipe(void *buf, size_t len)
{
    OPENSSL_cleanse(buf, len);
}

int secret_initial_password(char out[INITIAL_PASSWORD_LEN + 1])
{
    const unsigned n = sizeof alphabet - 1; /* 56 */
    const unsigned limit = 256 - 256 % n;   /* reject above this: no modulo bias */
    size_t filled = 0;
    while (filled < INITIAL_PASSWORD_LEN) {
        unsigned char rnd[32];
        if (secret_random(rnd, sizeof rnd) != 0)
            return -1;
        for (size_t i = 0; i < sizeof rnd && filled < INITIAL_PASSWORD_LEN; i++)
            if (rnd[i] < limit)
                out[filled++] = alphabet[rnd[i] % n];
        OPENSSL_cleanse(rnd, sizeof rnd);
    }
    out[INITIAL_PASSWORD_LEN] = '\0';
    return 0;
}

static void to_hex(const unsigned char *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", in[i]);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool secret_from_hex(const char *hex, size_t len, unsigned char *out)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

static int digest(const unsigned char salt[16], const char *password, unsigned char out[32])
{
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, salt, 16) &&
             EVP_DigestUpdate(ctx, password, strlen(password)) &&
             EVP_DigestFinal_ex(ctx, out, &len) && len == 32;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

char *secret_hash_initial(const char *password)
{
    unsigned char salt[16], d[32];
    if (secret_random(salt, sizeof salt) != 0 || digest(salt, password, d) != 0)
        return NULL;
    char *out = malloc(8 + 32 + 1 + 64 + 1);
    if (!out)
        return NULL;
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): a prefix; to_hex writes the NUL
    memcpy(out, "$sha256$", 8);
    to_hex(salt, 16, out + 8);
    out[40] = '$';
    to_hex(d, 32, out + 41);
    return out;
}

bool secret_verify_initial(const char *password, const char *stored)
{
    if (strlen(stored) != 105 || strncmp(stored, "$sha256$", 8) != 0 || stored[40] != '$')
        return false;
    /* Exactly the lowercase hex secret_hash_initial writes: one spelling per hash. */
    for (int i = 8; i < 105; i++)
        if (i != 40 &&
            !((stored[i] >= '0' && stored[i] <= '9') || (stored[i] >= 'a' && stored[i] <= 'f')))
            return false;
    unsigned char salt[16], d[32];
    if (!secret_from_hex(stored + 8, sizeof salt, salt))
        return false;
    if (digest(salt, password, d) != 0)
        return false;
    char hex[65];
    to_hex(d, 32, hex);
    return CRYPTO_memcmp(hex, stored + 41, 64) == 0;
}

int secret_new_text(char out[SECRET_TEXT_LEN + 1])
{
    unsigned char raw[32];
    unsigned char b64[48];
    if (secret_random(raw, sizeof raw) != 0)
        return -1;
    EVP_EncodeBlock(b64, raw, sizeof raw); /* 44 characters, the last one '=' */
    OPENSSL_cleanse(raw, sizeof raw);
    for (int i = 0; i < SECRET_TEXT_LEN; i++)
        out[i] = (char)(b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i]);
    out[SECRET_TEXT_LEN] = '\0';
    OPENSSL_cleanse(b64, sizeof b64);
    return 0;
}

int secret_new_token(const char *institution_code, char out[TOKEN_TEXT_LEN + 1])
{
    if (strlen(institution_code) != 10)
        return -1;
    memcpy(out, institution_code, 10);
    out[10] = '.';
    return secret_new_text(out + 11);
}

static bool is_b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool secret_token_split(const char *token, char code[11], char secret[SECRET_TEXT_LEN + 1])
{
    if (strlen(token) != TOKEN_TEXT_LEN || token[10] != '.')
        return false;
    for (int i = 0; i < 10; i++)
        if (token[i] < '0' || token[i] > '9')
            return false;
    for (int i = 11; i < TOKEN_TEXT_LEN; i++)
        if (!is_b64url(token[i]))
            return false;
    memcpy(code, token, 10);
    code[10] = '\0';
    memcpy(secret, token + 11, SECRET_TEXT_LEN + 1);
    return true;
}

int secret_digest_param(const char *text, char out[DIGEST_PARAM_LEN + 1])
{
    unsigned char d[32];
    unsigned int len = 0;
    if (EVP_Digest(text, strlen(text), d, &len, EVP_sha256(), NULL) != 1 || len != 32)
        return -1;
    out[0] = '\\';
    out[1] = 'x';
    to_hex(d, 32, out + 2);
    return 0;
}
