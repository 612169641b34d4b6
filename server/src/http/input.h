/* Declarative JSON input: a handler lists its fields once and makes one call. Anything the
 * list does not allow (unknown fields, wrong types, out-of-range values) is an error that
 * names the field, so no handler walks jansson objects by hand. */
#ifndef ONSHI_INPUT_H
#define ONSHI_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/errors.h"

enum input_type {
    IN_STRING, /* const char * (NULL when absent), length in characters within [min, max] */
    IN_DATE,   /* const char * in YYYY-MM-DD naming a real day */
    IN_ENUM,   /* const char * equal to one of `choices` */
    IN_INT,    /* struct in_int, value within [min, max] */
    IN_BOOL,   /* struct in_bool */
    IN_ARRAY,  /* json_t * (borrowed) of at most `max` items; the handler reads them */
};

struct in_int {
    bool set;
    long value;
};

struct in_bool {
    bool set;
    bool value;
};

struct input_field {
    const char *name;
    enum input_type type;
    bool required;
    long min, max;
    size_t offset; /* where in the destination struct the value goes */
    const char *const *choices;
};

struct input_error {
    enum err_code code;
    const char *field; /* points into the spec or into the parsed object */
};

/* Strings written to dst point into obj: keep obj alive while using them. */
bool input_parse(json_t *obj, const struct input_field *fields, size_t nfields, void *dst,
                 struct input_error *err);

#endif
