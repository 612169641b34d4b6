/* Text checks, name normalisation and account checks (core/text.c, core/account.c,
 * core/password_policy.c). The input up to its first newline is a user ID, the rest a name
 * and a password; the first byte also picks a password policy. A normalised name is valid
 * UTF-8, has no half-width letters left, is no longer than its input and normalises to
 * itself; whatever a check accepts obeys the rule it states. */
#include "fuzz.h"

#include <ctype.h>
#include <strings.h>

#include "core/account.h"
#include "core/password_policy.h"
#include "core/text.h"

static size_t decoded_length(const char *s)
{
    size_t chars = 0, n;
    for (size_t at = 0, len = strlen(s); at < len; at += n, chars++) {
        utf8_decode(s + at, len - at, &n);
        CHECK(n > 0);
    }
    return chars;
}

static void check_name(const char *in)
{
    enum err_code e;
    char *out = account_name_normalise(in);
    CHECK((out != NULL) == utf8_valid(in, strlen(in)));
    if (!out)
        return;
    size_t len = strlen(out), n;
    CHECK(utf8_valid(out, len));
    CHECK(utf8_length(out) <= utf8_length(in));
    for (size_t at = 0; at < len; at += n) {
        uint32_t cp = utf8_decode(out + at, len - at, &n);
        CHECK(!(cp >= 0x20 && cp <= 0x7E) && !(cp >= 0xFF61 && cp <= 0xFF9F));
    }
    char *again = account_name_normalise(out);
    CHECK(again && strcmp(again, out) == 0);
    free(again);
    if (account_name_check(out, &e)) {
        CHECK(utf8_length(out) >= 1 && utf8_length(out) <= 20);
        CHECK(!text_has_control(out) && text_fits_cp932(out));
    } else {
        CHECK(e == ERR_ACCOUNT_NAME_LENGTH || e == ERR_ACCOUNT_NAME_CHARSET);
    }
    if (account_name_kana_check(out, &e)) {
        CHECK(utf8_length(out) >= 1 && utf8_length(out) <= 40);
        CHECK(!text_has_control(out) && text_fits_cp932(out));
    } else {
        CHECK(e == ERR_ACCOUNT_NAME_KANA_LENGTH || e == ERR_ACCOUNT_NAME_KANA_CHARSET);
    }
    free(out);
}

static void check_user_id(const char *id)
{
    for (int r = 0; r < ROLE__COUNT; r++)
        for (int k = 0; k < KIND__COUNT; k++) {
            enum err_code e = ERR__COUNT;
            if (!account_user_id_check(id, (enum role)r, (enum institution_kind)k, &e)) {
                CHECK(e >= 0 && e < ERR__COUNT);
                continue;
            }
            size_t len = strlen(id);
            CHECK(len >= 2 && len <= 8);
            for (size_t i = 0; i < len; i++)
                CHECK(isascii((unsigned char)id[i]) && isalnum((unsigned char)id[i]));
            if (role_is_human((enum role)r) && r != ROLE_MASTER_RESET)
                CHECK(!(strchr("RrAaFf", id[0]) && isdigit((unsigned char)id[1])));
        }
}

static void check_password(const char *password, const char *user_id, uint8_t pick)
{
    struct password_policy p = {1 + pick % 16, 8 + pick / 16 * 4, 1 + pick % 4, 3};
    enum err_code e = ERR__COUNT;
    if (!password_policy_check(&p, password, user_id, &e)) {
        CHECK(e >= 0 && e < ERR__COUNT);
        return;
    }
    size_t len = strlen(password);
    int classes[4] = {0};
    CHECK(len >= (size_t)p.min_length && len <= (size_t)p.max_length);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];
        CHECK(c >= 0x21 && c <= 0x7E);
        classes[isupper(c) ? 0 : islower(c) ? 1 : isdigit(c) ? 2 : 3] = 1;
    }
    CHECK(classes[0] + classes[1] + classes[2] + classes[3] >= p.min_classes);
    size_t idlen = strlen(user_id);
    for (size_t i = 0; idlen && i + idlen <= len; i++)
        CHECK(strncasecmp(password + i, user_id, idlen) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_cstring(data + 1, size - 1);
    size_t len = strlen(text);
    if (utf8_valid(text, len))
        CHECK(decoded_length(text) == utf8_length(text));
    if (text_starts_formula(text))
        CHECK(strchr("=+-@\t\r", text[0]) || (unsigned char)text[0] == 0xEF);
    check_name(text);
    char *nl = strchr(text, '\n');
    const char *rest = nl ? nl + 1 : "";
    if (nl)
        *nl = '\0';
    check_user_id(text);
    check_name(rest);
    check_password(rest, text, data[0]);
    free(text);
    return 0;
}
