/* gen_errors: turns server/errors.csv into a C header + table and a JS module.
 * Usage: gen_errors errors.csv out.h out.c out.js
 * Build-time tool; it fails the build on a malformed or inconsistent registry. */
#include <csv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_ROWS = 1024, NFIELDS = 4 };

struct row {
    char *f[NFIELDS];
};

struct parse_state {
    struct row rows[MAX_ROWS];
    size_t nrows;
    size_t field;
    size_t line;
    int bad;
};

static void on_field(void *s, size_t len, void *ctx)
{
    struct parse_state *ps = ctx;
    if (ps->nrows >= MAX_ROWS || ps->field >= NFIELDS) {
        ps->bad = 1;
        ps->field++;
        return;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        exit(2);
    memcpy(copy, s, len);
    copy[len] = '\0';
    ps->rows[ps->nrows].f[ps->field++] = copy;
}

static void on_row(int c, void *ctx)
{
    (void)c;
    struct parse_state *ps = ctx;
    ps->line++;
    if (ps->field != NFIELDS) {
        fprintf(stderr, "errors.csv:%zu: expected %d fields, got %zu\n", ps->line, NFIELDS,
                ps->field);
        ps->bad = 1;
    }
    ps->field = 0;
    ps->nrows++;
}

/* ERR_ + code upper-cased with dots as underscores. */
static void print_enum_name(FILE *o, const char *code)
{
    fputs("ERR_", o);
    for (const char *p = code; *p; p++)
        fputc(*p == '.' ? '_' : toupper((unsigned char)*p), o);
}

static void print_c_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(o, "\\%c", *p);
        else
            fputc(*p, o);
    }
    fputc('"', o);
}

static int valid_code(const char *c)
{
    if (!*c)
        return 0;
    for (const char *p = c; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '.' || *p == '_'))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen_errors errors.csv out.h out.c out.js\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    static struct parse_state ps;
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_row, &ps) != n) {
            fprintf(stderr, "errors.csv: %s\n", csv_strerror(csv_error(&p)));
            return 1;
        }
    csv_fini(&p, on_field, on_row, &ps);
    csv_free(&p);
    fclose(in);
    if (ps.bad || ps.nrows < 2)
        return 1;
    if (strcmp(ps.rows[0].f[0], "code") != 0) {
        fprintf(stderr, "errors.csv: header must start with 'code'\n");
        return 1;
    }
    for (size_t i = 1; i < ps.nrows; i++) {
        struct row *r = &ps.rows[i];
        int status = (int)strtol(r->f[1], NULL, 10);
        int ctl = 0;
        for (int f = 0; f < NFIELDS; f++)
            for (const char *q = r->f[f]; *q; q++)
                ctl |= (unsigned char)*q < 0x20;
        if (ctl || !valid_code(r->f[0]) || status < 400 || status > 599 || !*r->f[2] || !*r->f[3]) {
            fprintf(stderr, "errors.csv:%zu: bad row for '%s'\n", i + 1, r->f[0]);
            return 1;
        }
        for (size_t j = 1; j < i; j++)
            if (strcmp(ps.rows[j].f[0], r->f[0]) == 0) {
                fprintf(stderr, "errors.csv:%zu: duplicate code '%s'\n", i + 1, r->f[0]);
                return 1;
            }
    }

    FILE *h = fopen(argv[2], "w"), *c = fopen(argv[3], "w"), *js = fopen(argv[4], "w");
    if (!h || !c || !js) {
        perror("gen_errors: output");
        return 1;
    }
    fputs("/* Generated from server/errors.csv by gen_errors. Do not edit. */\n"
          "#ifndef ONSHI_ERRORS_GEN_H\n#define ONSHI_ERRORS_GEN_H\n\nenum err_code {\n",
          h);
    for (size_t i = 1; i < ps.nrows; i++) {
        fputs("    ", h);
        print_enum_name(h, ps.rows[i].f[0]);
        fputs(",\n", h);
    }
    fputs("    ERR__COUNT\n};\n\n#endif\n", h);

    fputs("/* Generated from server/errors.csv by gen_errors. Do not edit. */\n"
          "#include \"util/errors.h\"\n\nconst struct error_def error_table[ERR__COUNT] = {\n",
          c);
    for (size_t i = 1; i < ps.nrows; i++) {
        struct row *r = &ps.rows[i];
        fputs("    [", c);
        print_enum_name(c, r->f[0]);
        fputs("] = {", c);
        print_c_string(c, r->f[0]);
        fprintf(c, ", %d, ", (int)strtol(r->f[1], NULL, 10));
        print_c_string(c, r->f[2]);
        fputs(", ", c);
        print_c_string(c, r->f[3]);
        fputs("},\n", c);
    }
    fputs("};\n", c);

    /* JSON string literals are valid JS; the table stays a plain frozen object. */
    fputs("// Generated from server/errors.csv by gen_errors. Do not edit.\n"
          "export const ERRORS = Object.freeze({\n",
          js);
    for (size_t i = 1; i < ps.nrows; i++) {
        struct row *r = &ps.rows[i];
        fputs("  ", js);
        print_c_string(js, r->f[0]);
        /* The console shows the Japanese message only; the English hints stay in the C
         * table and the spec, out of every page load. */
        fprintf(js, ": Object.freeze({ status: %d, message: ", (int)strtol(r->f[1], NULL, 10));
        print_c_string(js, r->f[2]);
        fputs(" }),\n", js);
    }
    fputs("});\n\nexport function errorMessage(code) {\n"
          "  return (ERRORS[code] || ERRORS['server.internal']).message;\n}\n",
          js);
    int rc = (fclose(h) | fclose(c) | fclose(js)) ? 1 : 0;
    for (size_t i = 0; i < ps.nrows; i++)
        for (int f = 0; f < NFIELDS; f++)
            free(ps.rows[i].f[f]);
    return rc;
}
