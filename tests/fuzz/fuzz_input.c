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
    struct in_enum kind;
    struct in_int count;
    struct in_bool flag;
    json_t *items;
    const char *note;
};

static const struct in_choice kinds[] = {
    {"medical", 1}, {"dental", 2}, {"pharmacy", 3}, {"home_nursing", 4}, {NULL, 0}};

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
        IN_TEXT("name", data[1] & 1, min, max, struct form, name),
        IN_DAY("day", data[1] & 2, struct form, day),
        IN_CHOICE("kind", data[1] & 4, kinds, struct form, kind),
        IN_NUMBER("count", data[1] & 8, imin, imax, struct form, count),
        IN_FLAG("flag", false, struct form, flag),
        IN_LIST("items", false, max, struct form, items),
        IN_TEXT("note", false, 0, 0, struct form, note),
    };
    json_t *obj = json_loadb((const char *)data + 2, size - 2, JSON_DECODE_ANY, NULL);
    if (!obj)
        return 0;
    struct form f;
    memset(&f, 0, sizeof f);
    struct input_error err = {ERR__COUNT, "(untouched)"};
    if (INPUT_PARSE(obj, fields, &f, &err)) {
        struct date d;
        CHECK(json_is_object(obj));
        CHECK(!(data[1] & 1) || f.name);
        CHECK(!(data[1] & 2) || f.day);
        CHECK(!(data[1] & 4) || f.kind.set);
        CHECK(!(data[1] & 8) || f.count.set);
        CHECK(!f.name || within(f.name, min, max));
        CHECK(!f.note || within(f.note, 0, 0));
        CHECK(!f.day || date_parse(f.day, &d));
        if (f.kind.set) {
            bool listed = false;
            for (const struct in_choice *k = kinds; k->id; k++)
                listed |= strcmp(k->id, f.kind.id) == 0 && k->value == f.kind.value;
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
            for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
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
