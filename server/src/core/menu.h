/* The manual's menu (ch. 1 §2): its groups and items in its order and words, each item behind
 * the capability that opens it. GET /session lists the items an account may use now, so every
 * client draws the same menu. Pure data. */
#ifndef ONSHI_CORE_MENU_H
#define ONSHI_CORE_MENU_H

#include <stddef.h>

#include "core/account.h"

struct menu_item {
    const char *id;
    const char *group; /* the manual's 《group》 */
    const char *label; /* the manual's item */
    enum capability capability;
    /* Shown only to accounts that register some kind (master_reset registers none). */
    int needs_registering;
};

extern const struct menu_item menu_items[];
extern const size_t menu_items_count;

#endif
