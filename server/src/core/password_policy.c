#include "core/password_policy.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const struct password_policy password_policy_default = {8, 64, 3, 3};

static bool fail(enum err_code *err, enum err_code code)
{
    *err = code;
    return false;
}

/* Case-insensitive substring test; an empty needle never matches. */
static bool contains_ignoring_case(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return false;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

bool password_policy_check(const struct password_policy *policy, const char *password,
                           const char *user_id, enum err_code *err)
{
    size_t len = strlen(password);
    bool upper = false, lower = false, digit = false, symbol = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];
        /* Space is left out: leading and trailing spaces are invisible on the sheet. */
        if (c < 0x21 || c > 0x7E)
            return fail(err, ERR_PASSWORD_CHARSET);
        upper |= isupper(c) != 0;
        lower |= islower(c) != 0;
        digit |= isdigit(c) != 0;
        symbol |= ispunct(c) != 0;
    }
    if (len < (size_t)policy->min_length || len > (size_t)policy->max_length)
        return fail(err, ERR_PASSWORD_LENGTH);
    if ((int)upper + (int)lower + (int)digit + (int)symbol < policy->min_classes)
        return fail(err, ERR_PASSWORD_CLASSES);
    if (user_id && contains_ignoring_case(password, user_id))
        return fail(err, ERR_PASSWORD_CONTAINS_USER_ID);
    return true;
}
