#include "core/institution.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

static const struct {
    const char *id;
    const char *label;
    char table_number; /* third digit of the code */
} kinds[KIND__COUNT] = {
    [KIND_MEDICAL] = {"medical", "医科", '1'},
    [KIND_DENTAL] = {"dental", "歯科", '3'},
    [KIND_PHARMACY] = {"pharmacy", "薬局", '4'},
    [KIND_HOME_NURSING] = {"home_nursing", "訪問看護", '6'},
};

bool institution_kind_parse(const char *id, enum institution_kind *out)
{
    for (int i = 0; i < KIND__COUNT; i++)
        if (strcmp(kinds[i].id, id) == 0) {
            *out = (enum institution_kind)i;
            return true;
        }
    return false;
}

const char *institution_kind_id(enum institution_kind kind)
{
    return kinds[kind].id;
}

const char *institution_kind_label(enum institution_kind kind)
{
    return kinds[kind].label;
}

bool institution_code_check_any(const char *code, enum err_code *err)
{
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)code[i])) {
            *err = ERR_INSTITUTION_CODE_FORMAT;
            return false;
        }
    if (n != 10) {
        *err = ERR_INSTITUTION_CODE_FORMAT;
        return false;
    }
    int prefecture = (code[0] - '0') * 10 + (code[1] - '0');
    if (prefecture < 1 || prefecture > 47) {
        *err = ERR_INSTITUTION_CODE_PREFECTURE;
        return false;
    }
    for (int i = 0; i < KIND__COUNT; i++)
        if (code[2] == kinds[i].table_number)
            return true;
    *err = ERR_INSTITUTION_CODE_TABLE_NUMBER;
    return false;
}

bool institution_code_check(const char *code, enum institution_kind kind, enum err_code *err)
{
    if (!institution_code_check_any(code, err))
        return false;
    if (code[2] != kinds[kind].table_number) {
        *err = ERR_INSTITUTION_CODE_TABLE_NUMBER;
        return false;
    }
    return true;
}

bool institution_name_check(const char *name)
{
    size_t bytes = strlen(name);
    if (!utf8_valid(name, bytes) || text_has_control(name))
        return false;
    size_t chars = utf8_length(name);
    return chars >= 1 && chars <= 100;
}

void institution_master_user_id(const char *code, char out[16])
{
    snprintf(out, 16, "M%.10s", code);
}

void institution_master_reset_user_id(const char *code, char out[16])
{
    snprintf(out, 16, "MR%.10s", code);
}
