/* The policy for passwords people choose (manual ch. 2; the limits are configuration:
 * password_min_length, password_max_length, password_min_classes, password_history). History
 * ("not one of the last three") needs the stored hashes and is checked by the caller. */
#ifndef ONSHI_PASSWORD_POLICY_H
#define ONSHI_PASSWORD_POLICY_H

#include <stdbool.h>

#include "util/errors.h"

struct password_policy {
    int min_length;  /* 8 */
    int max_length;  /* 64 */
    int min_classes; /* of upper case, lower case, digits, symbols: 3 */
    int history;     /* not one of the last 3 (the current one included) */
};

extern const struct password_policy password_policy_default;

/* Visible ASCII only (0x21–0x7E), length within bounds, enough classes, and the user ID
 * nowhere inside it regardless of case. */
bool password_policy_check(const struct password_policy *policy, const char *password,
                           const char *user_id, enum err_code *err);

#endif
