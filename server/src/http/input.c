#include "http/input.h"

#include <string.h>

#include "core/date.h"
#include "core/text.h"

static bool fail(struct input_error *err, enum err_code code, const char *field)
{
    err->code = code;
    err->field = field;
    return false;
}

static bool parse_one(json_t *v, const struct input_field *f, void *slot, struct input_error *err)
{
    switch (f->type) {
    case IN_STRING:
    case IN_DATE:
    case IN_ENUM: {
        if (!json_is_string(v))
            return fail(err, ERR_REQUEST_FIELD_TYPE, f->name);
        const char *s = json_string_value(v);
        /* jansson guarantees UTF-8 and, without JSON_ALLOW_NUL, no embedded NUL. */
        if (strlen(s) != json_string_length(v))
            return fail(err, ERR_REQUEST_FIELD_TYPE, f->name);
        if (f->type == IN_DATE) {
            struct date d;
            if (!date_parse(s, &d))
                return fail(err, ERR_REQUEST_FIELD_DATE, f->name);
        } else if (f->type == IN_ENUM) {
            int value = -1;
            if (f->parse)
                value = f->parse(s);
            else
                for (const struct in_choice *c = f->choices; c && c->id && value < 0; c++)
                    if (strcmp(c->id, s) == 0)
                        value = c->value;
            if (value < 0)
                return fail(err, ERR_REQUEST_FIELD_RANGE, f->name);
            *(struct in_enum *)slot = (struct in_enum){true, value, s};
            return true;
        } else {
            size_t chars = utf8_length(s);
            if (text_has_control(s) || (long)chars < f->min || (f->max && (long)chars > f->max))
                return fail(err, ERR_REQUEST_FIELD_RANGE, f->name);
        }
        *(const char **)slot = s;
        return true;
    }
    case IN_INT: {
        if (!json_is_integer(v))
            return fail(err, ERR_REQUEST_FIELD_TYPE, f->name);
        json_int_t i = json_integer_value(v);
        if (i < f->min || i > f->max)
            return fail(err, ERR_REQUEST_FIELD_RANGE, f->name);
        ((struct in_int *)slot)->set = true;
        ((struct in_int *)slot)->value = (long)i;
        return true;
    }
    case IN_BOOL:
        if (!json_is_boolean(v))
            return fail(err, ERR_REQUEST_FIELD_TYPE, f->name);
        ((struct in_bool *)slot)->set = true;
        ((struct in_bool *)slot)->value = json_is_true(v);
        return true;
    case IN_ARRAY:
        if (!json_is_array(v))
            return fail(err, ERR_REQUEST_FIELD_TYPE, f->name);
        if ((long)json_array_size(v) > f->max)
            return fail(err, ERR_REQUEST_FIELD_RANGE, f->name);
        *(json_t **)slot = v;
        return true;
    }
    return fail(err, ERR_SERVER_INTERNAL, f->name);
}

bool input_parse(json_t *obj, const struct input_field *fields, size_t nfields, void *dst,
                 struct input_error *err)
{
    if (!json_is_object(obj))
        return fail(err, ERR_REQUEST_NOT_OBJECT, NULL);
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        bool known = false;
        for (size_t i = 0; i < nfields && !known; i++)
            known = strcmp(fields[i].name, key) == 0;
        if (!known)
            return fail(err, ERR_REQUEST_UNKNOWN_FIELD, key);
    }
    for (size_t i = 0; i < nfields; i++) {
        const struct input_field *f = &fields[i];
        void *slot = (char *)dst + f->offset;
        json_t *v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return fail(err, ERR_REQUEST_FIELD_MISSING, f->name);
            continue;
        }
        if (!parse_one(v, f, slot, err))
            return false;
    }
    return true;
}
