/* Declarative JSON input (http/input.c): a spec with a field of every type, bounds chosen by
 * the first two bytes, the rest a JSON body. Accepted values obey their spec (types, lengths
 * in characters, real dates, listed choices, ranges); a refusal names a registry code and,
 * except for a body that is not an object, a field. */
#include "fuzz.h"

#include "core/date.h"
#include "core/text.h"
#include "http/input.h"

struct form {
    const char *name;
    const char *day;
    const char *kind;
    struct in_int count;
    struct in_bool flag;
    json_t *items;
    const char *note;
};

static const char *const kinds[] = {"medical", "dental", "pharmacy", "home_nursing", NULL};

static bool within(const char *s, long min, long max)
{
    long chars = (long)utf8_length(s);
    return chars >= min && (max == 0 || chars <= max) && !text_has_control(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    long min = data[0] % 8, max = data[0] / 8; /* max 0: no upper bound */
    long imin = -(long)data[1] * 1000, imax = (long)data[1] * 1000;
    struct input_field fields[] = {
        {"name", IN_STRING, data[1] & 1, min, max, offsetof(struct form, name), NULL},
        {"day", IN_DATE, data[1] & 2, 0, 0, offsetof(struct form, day), NULL},
        {"kind", IN_ENUM, data[1] & 4, 0, 0, offsetof(struct form, kind), kinds},
        {"count", IN_INT, data[1] & 8, imin, imax, offsetof(struct form, count), NULL},
        {"flag", IN_BOOL, false, 0, 0, offsetof(struct form, flag), NULL},
        {"items", IN_ARRAY, false, 0, max, offsetof(struct form, items), NULL},
        {"note", IN_STRING, false, 0, 0, offsetof(struct form, note), NULL},
    };
    enum { N = sizeof fields / sizeof fields[0] };
    json_t *obj = json_loadb((const char *)data + 2, size - 2, JSON_DECODE_ANY, NULL);
    if (!obj)
        return 0;
    struct form f;
    memset(&f, 0, sizeof f);
    struct input_error err = {ERR__COUNT, "(untouched)"};
    if (input_parse(obj, fields, N, &f, &err)) {
        struct date d;
        CHECK(json_is_object(obj));
        CHECK(!(data[1] & 1) || f.name);
        CHECK(!(data[1] & 2) || f.day);
        CHECK(!(data[1] & 4) || f.kind);
        CHECK(!(data[1] & 8) || f.count.set);
        CHECK(!f.name || within(f.name, min, max));
        CHECK(!f.note || within(f.note, 0, 0));
        CHECK(!f.day || date_parse(f.day, &d));
        if (f.kind) {
            bool listed = false;
            for (const char *const *k = kinds; *k; k++)
                listed |= strcmp(*k, f.kind) == 0;
            CHECK(listed);
        }
        CHECK(!f.count.set || (f.count.value >= imin && f.count.value <= imax));
        CHECK(!f.items || (json_is_array(f.items) && (long)json_array_size(f.items) <= max));
        /* Nothing outside the spec was let through. */
        const char *key;
        json_t *v;
        json_object_foreach(obj, key, v)
        {
            bool known = false;
            for (size_t i = 0; i < N; i++)
                known |= strcmp(fields[i].name, key) == 0;
            CHECK(known);
        }
    } else {
        CHECK(err.code >= 0 && err.code < ERR__COUNT);
        CHECK(json_is_object(obj) ? err.field != NULL : err.code == ERR_REQUEST_NOT_OBJECT);
    }
    json_decref(obj);
    return 0;
}
