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
    IN_ENUM,   /* struct in_enum: one of `choices`, as its value */
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

/* One accepted text of an IN_ENUM field and the value it yields (an enum of the caller's). */
struct in_choice {
    const char *id;
    int value;
};

struct in_enum {
    bool set;
    int value;
    const char *id; /* the text as sent (points into the parsed object) */
};

struct input_field {
    const char *name;
    enum input_type type;
    bool required;
    long min, max;
    size_t offset;                   /* where in the destination struct the value goes */
    const struct in_choice *choices; /* IN_ENUM: ended by {NULL, 0} */
    int (*parse)(const char *id);    /* IN_ENUM without choices: the value, or < 0 */
};

/* Field declarations: the member's type must be the one the field type writes, or the
 * table does not build (_Generic has no match). T is the destination struct type. */
// ctype is a type name in a _Generic association, which cannot be parenthesised.
// NOLINTNEXTLINE(bugprone-macro-parentheses)
#define IN_SLOT(T, member, ctype) (offsetof(T, member) + _Generic(((T *)0)->member, ctype : 0))
#define IN_TEXT(name, req, min, max, T, m)                                                         \
    {                                                                                              \
        name, IN_STRING, req, min, max, IN_SLOT(T, m, const char *), NULL, NULL                    \
    }
#define IN_DAY(name, req, T, m)                                                                    \
    {                                                                                              \
        name, IN_DATE, req, 0, 0, IN_SLOT(T, m, const char *), NULL, NULL                          \
    }
#define IN_CHOICE(name, req, choices, T, m)                                                        \
    {                                                                                              \
        name, IN_ENUM, req, 0, 0, IN_SLOT(T, m, struct in_enum), choices, NULL                     \
    }
/* An enum field whose ids another table holds: parse gives the value, or < 0 to refuse. */
#define IN_PARSED(name, req, parse, T, m)                                                          \
    {                                                                                              \
        name, IN_ENUM, req, 0, 0, IN_SLOT(T, m, struct in_enum), NULL, parse                       \
    }
#define IN_NUMBER(name, req, min, max, T, m)                                                       \
    {                                                                                              \
        name, IN_INT, req, min, max, IN_SLOT(T, m, struct in_int), NULL, NULL                      \
    }
#define IN_FLAG(name, req, T, m)                                                                   \
    {                                                                                              \
        name, IN_BOOL, req, 0, 0, IN_SLOT(T, m, struct in_bool), NULL, NULL                        \
    }
#define IN_LIST(name, req, max, T, m)                                                              \
    {                                                                                              \
        name, IN_ARRAY, req, 0, max, IN_SLOT(T, m, json_t *), NULL, NULL                           \
    }

/* input_parse over a field table, counted here: `fields` must be an array, not a pointer. */
#define INPUT_PARSE(obj, fields, dst, err)                                                         \
    input_parse(obj, fields,                                                                       \
                sizeof(fields) / sizeof((fields)[0]) +                                             \
                    0 * sizeof(char[1 - 2 * __builtin_types_compatible_p(                          \
                                                __typeof__(fields), __typeof__(&(fields)[0]))]),   \
                dst, err)

struct input_error {
    enum err_code code;
    const char *field; /* points into the spec or into the parsed object */
};

/* Strings written to dst point into obj: keep obj alive while using them. */
bool input_parse(json_t *obj, const struct input_field *fields, size_t nfields, void *dst,
                 struct input_error *err);

#endif
