#include "core/account.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static const struct {
    const char *id;
    const char *label;
    int id_min; /* 0: issued by the operator, not by the ID rules */
    bool human;
} roles[ROLE__COUNT] = {
    [ROLE_MASTER] = {"master", "マスタアカウント", 0, true},
    [ROLE_MASTER_RESET] = {"master_reset", "マスタアカウントリセット用アカウント", 0, true},
    [ROLE_ADMIN] = {"admin", "管理者", 2, true},
    [ROLE_GENERAL] = {"general", "一般利用者", 2, true},
    [ROLE_MEDICAL_VIEWER] = {"medical_viewer", "医療情報閲覧", 2, true},
    [ROLE_WEBAPI] = {"webapi", "WebAPI用", 3, false},
    [ROLE_LINKED_APP] = {"linked_app", "連携アプリケーション用", 3, false},
    [ROLE_FACE_READER] = {"face_reader", "顔認証付きカードリーダー用", 3, false},
};

enum { USER_ID_MAX = 8, NAME_MAX_CHARS = 20, KANA_MAX_CHARS = 40 };

bool role_parse(const char *id, enum role *out)
{
    if (!id)
        return false;
    for (int i = 0; i < ROLE__COUNT; i++)
        if (strcmp(roles[i].id, id) == 0) {
            *out = (enum role)i;
            return true;
        }
    return false;
}

const char *role_id(enum role r)
{
    return roles[r].id;
}

const char *role_label(enum role r)
{
    return roles[r].label;
}

bool role_registrable(enum role r)
{
    return roles[r].id_min != 0;
}

bool role_is_human(enum role r)
{
    return roles[r].human;
}

static bool is_lower_kind(enum role r)
{
    return r == ROLE_GENERAL || r == ROLE_MEDICAL_VIEWER || r == ROLE_WEBAPI ||
           r == ROLE_LINKED_APP || r == ROLE_FACE_READER;
}

bool role_manages(enum role manager, enum role target)
{
    return (manager == ROLE_MASTER && target == ROLE_ADMIN) ||
           (manager == ROLE_ADMIN && is_lower_kind(target));
}

bool role_initialises_password(enum role manager, enum role target)
{
    return (manager == ROLE_MASTER_RESET && target == ROLE_MASTER) || role_manages(manager, target);
}

bool role_finds(enum role manager, enum role target)
{
    return role_manages(manager, target) || role_initialises_password(manager, target);
}

static const unsigned caps_of[ROLE__COUNT] = {
    [ROLE_MASTER] = CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_ACCOUNTS) | CAP_BIT(CAP_BULK),
    [ROLE_MASTER_RESET] = CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_ACCOUNTS),
    /* Administrators may use the business screens as well (manual ch. 2 §1(1)): 資格確認,
     * not 医療情報閲覧, which is for 有資格者 (medical_viewer). */
    [ROLE_ADMIN] = CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_QUALIFICATION) | CAP_BIT(CAP_ACCOUNTS) |
                   CAP_BIT(CAP_BULK) | CAP_BIT(CAP_SETTINGS) | CAP_BIT(CAP_TEST_DATA) |
                   CAP_BIT(CAP_AUDIT) | CAP_BIT(CAP_HISTORY_CHECKS) | CAP_BIT(CAP_HISTORY_VIEWS) |
                   CAP_BIT(CAP_VISIT) | CAP_BIT(CAP_READERS),
    [ROLE_GENERAL] =
        CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_QUALIFICATION) | CAP_BIT(CAP_HISTORY_CHECKS),
    [ROLE_MEDICAL_VIEWER] = CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_QUALIFICATION) |
                            CAP_BIT(CAP_MEDICAL_INFO) | CAP_BIT(CAP_HISTORY_CHECKS),
    [ROLE_WEBAPI] = CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_QUALIFICATION) | CAP_BIT(CAP_MEDICAL_INFO),
    [ROLE_LINKED_APP] =
        CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_QUALIFICATION) | CAP_BIT(CAP_MEDICAL_INFO),
    [ROLE_FACE_READER] = CAP_BIT(CAP_SESSION) | CAP_BIT(CAP_QUALIFICATION),
};

static const char *const capability_ids[CAP__COUNT] = {
    [CAP_NONE] = "",
    [CAP_SESSION] = "session",
    [CAP_QUALIFICATION] = "qualification",
    [CAP_MEDICAL_INFO] = "medical_info",
    [CAP_ACCOUNTS] = "accounts",
    [CAP_BULK] = "bulk",
    [CAP_SETTINGS] = "settings",
    [CAP_TEST_DATA] = "test_data",
    [CAP_AUDIT] = "audit",
    [CAP_HISTORY_CHECKS] = "history_checks",
    [CAP_HISTORY_VIEWS] = "history_views",
    [CAP_VISIT] = "visit",
    [CAP_READERS] = "readers",
};

const char *capability_id(enum capability c)
{
    return (unsigned)c < CAP__COUNT ? capability_ids[c] : "";
}

bool role_has_capability(enum role r, enum capability c)
{
    return (unsigned)r < ROLE__COUNT && c != CAP_NONE && (unsigned)c < CAP__COUNT &&
           (caps_of[r] & CAP_BIT(c)) != 0;
}

bool capability_open_before_start(enum capability c)
{
    /* Test data too: rehearsals come before the start. */
    return c == CAP_SESSION || c == CAP_ACCOUNTS || c == CAP_BULK || c == CAP_SETTINGS ||
           c == CAP_TEST_DATA;
}

bool capability_in_environment(enum capability c, bool verification)
{
    return verification || c != CAP_TEST_DATA;
}

bool role_may_use(enum role r, enum capability c, bool verification, bool institution_not_started)
{
    return role_has_capability(r, c) && capability_in_environment(c, verification) &&
           (!institution_not_started || capability_open_before_start(c));
}

static bool fail(enum err_code *err, enum err_code code)
{
    *err = code;
    return false;
}

bool account_user_id_check(const char *user_id, enum role r, enum institution_kind kind,
                           enum err_code *err)
{
    size_t len = strlen(user_id);
    for (size_t i = 0; i < len; i++)
        if (!isascii((unsigned char)user_id[i]) || !isalnum((unsigned char)user_id[i]))
            return fail(err, ERR_ACCOUNT_USER_ID_CHARSET);
    if (roles[r].id_min == 0)
        return fail(err, ERR_ACCOUNT_ROLE_INVALID);
    if (len < (size_t)roles[r].id_min || len > USER_ID_MAX)
        return fail(err, ERR_ACCOUNT_USER_ID_LENGTH);
    bool pharmacy = kind == KIND_PHARMACY;
    const char *required = NULL;
    switch (r) {
    case ROLE_WEBAPI:
        required = pharmacy ? "A1" : "A0";
        break;
    case ROLE_LINKED_APP:
        required = pharmacy ? "R1" : "R0";
        break;
    case ROLE_FACE_READER:
        required = "F0";
        break;
    default: {
        /* The prefixes tell system accounts apart; a person's ID may not look like one,
         * whatever its case. */
        char c = (char)toupper((unsigned char)user_id[0]);
        if ((c == 'R' || c == 'A' || c == 'F') && isdigit((unsigned char)user_id[1]))
            return fail(err, ERR_ACCOUNT_USER_ID_RESERVED_PREFIX);
        return true;
    }
    }
    if (strncmp(user_id, required, 2) != 0)
        return fail(err, ERR_ACCOUNT_USER_ID_PREFIX);
    return true;
}

/* UTF-8 helpers ---------------------------------------------------------------------- */

/* Decodes one code point of valid UTF-8; returns its length. */
static size_t decode(const unsigned char *p, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] & 0xE0) == 0xC0) {
        *cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if ((p[0] & 0xF0) == 0xE0) {
        *cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
          ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
}

static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Full-width forms of U+FF61..U+FF9F (half-width punctuation and katakana). */
static const uint16_t halfwidth_kana[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C,
};

/* カ..ト and ハ..ホ take a voiced mark (+1); ハ..ホ also the semi-voiced one (+2). */
static bool takes_dakuten(uint32_t cp)
{
    static const uint16_t bases[] = {0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7,
                                     0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6,
                                     0x30C8, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        if (bases[i] == cp)
            return true;
    return false;
}

static bool takes_handakuten(uint32_t cp)
{
    return cp == 0x30CF || cp == 0x30D2 || cp == 0x30D5 || cp == 0x30D8 || cp == 0x30DB;
}

char *account_name_normalise(const char *in)
{
    size_t len = strlen(in);
    if (!utf8_valid(in, len))
        return NULL;
    /* Every input character becomes at most 3 bytes; a folded mark becomes none. */
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0, last = 0; /* `last`: where the previous character was written */
    uint32_t prev = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p) {
        uint32_t cp;
        p += decode(p, &cp);
        if (cp == 0x20)
            cp = 0x3000;
        else if (cp >= 0x21 && cp <= 0x7E)
            cp += 0xFEE0;
        else if (cp >= 0xFF61 && cp <= 0xFF9F)
            cp = halfwidth_kana[cp - 0xFF61];
        /* A voiced mark right after a letter that takes it joins the letter. */
        if ((cp == 0x309B || cp == 0x3099) && (takes_dakuten(prev) || prev == 0x30A6)) {
            cp = prev == 0x30A6 ? 0x30F4 : prev + 1; /* ウ゛ → ヴ */
            o = last;
        } else if ((cp == 0x309C || cp == 0x309A) && takes_handakuten(prev)) {
            cp = prev + 2;
            o = last;
        }
        last = o;
        o += encode(cp, out + o);
        prev = cp;
    }
    out[o] = '\0';
    return out;
}

static bool is_fullwidth_alnum(uint32_t cp)
{
    return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
           (cp >= 0xFF41 && cp <= 0xFF5A);
}

static bool is_katakana(uint32_t cp)
{
    return (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x30FB || cp == 0x30FD ||
           cp == 0x30FE;
}

static bool is_hiragana(uint32_t cp)
{
    return (cp >= 0x3041 && cp <= 0x3096) || cp == 0x309D || cp == 0x309E;
}

static bool is_kanji(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) || cp == 0x3005;
}

/* Counts the characters of s accepted by `allowed`; -1 at the first one refused. */
static long count_allowed(const char *s, bool (*allowed)(uint32_t))
{
    long n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        p += decode(p, &cp);
        if (!allowed(cp))
            return -1;
        n++;
    }
    return n;
}

static bool name_char(uint32_t cp)
{
    return cp == 0x3000 || is_hiragana(cp) || is_katakana(cp) || is_kanji(cp) ||
           is_fullwidth_alnum(cp);
}

static bool kana_char(uint32_t cp)
{
    return cp == 0x3000 || is_katakana(cp) || is_fullwidth_alnum(cp);
}

bool text_fits_cp932(const char *utf8)
{
    iconv_t cd = iconv_open("CP932", "UTF-8");
    if (cd == (iconv_t)-1)
        return false;
    char buf[256];
    char *in = (char *)utf8;
    size_t inleft = strlen(utf8);
    bool ok = true;
    while (inleft > 0) {
        char *out = buf;
        size_t outleft = sizeof buf;
        if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != E2BIG) {
            ok = false;
            break;
        }
    }
    iconv_close(cd);
    return ok;
}

static bool check_name(const char *s, bool (*allowed)(uint32_t), long max, enum err_code length,
                       enum err_code charset, enum err_code *err)
{
    if (!utf8_valid(s, strlen(s)))
        return fail(err, charset);
    long n = count_allowed(s, allowed);
    if (n < 0 || !text_fits_cp932(s))
        return fail(err, charset);
    if (n < 1 || n > max)
        return fail(err, length);
    return true;
}

bool account_name_check(const char *normalised, enum err_code *err)
{
    return check_name(normalised, name_char, NAME_MAX_CHARS, ERR_ACCOUNT_NAME_LENGTH,
                      ERR_ACCOUNT_NAME_CHARSET, err);
}

bool account_name_kana_check(const char *normalised, enum err_code *err)
{
    return check_name(normalised, kana_char, KANA_MAX_CHARS, ERR_ACCOUNT_NAME_KANA_LENGTH,
                      ERR_ACCOUNT_NAME_KANA_CHARSET, err);
}
