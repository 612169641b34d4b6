/* embed_sql: compiles schema/NNNN_name.sql files into a C table of migrations, so that
 * onshid and onshictl carry the exact schema they expect and need no files at run time.
 * Usage: embed_sql out.c file... (in order; numbers must run 1, 2, 3 … without gaps) */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit_file(FILE *out, const char *path, int expected)
{
    char *dup = strdup(path);
    if (!dup)
        return 1;
    char *base = basename(dup);
    int number = 0;
    char name[256];
    /* NOLINTNEXTLINE(cert-err34-c): a width-4 %d cannot overflow; failure is the != 2 */
    if (sscanf(base, "%4d_%255[a-z0-9_].sql", &number, name) != 2 || number != expected) {
        fprintf(stderr, "embed_sql: %s: expected migration number %04d\n", path, expected);
        free(dup);
        return 1;
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        free(dup);
        return 1;
    }
    fprintf(out, "    {%d, \"%04d_%s\",\n     \"", number, number, name);
    int ch;
    while ((ch = fgetc(in)) != EOF) {
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n\"\n     \"", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch == '\r')
            continue;
        else
            fputc(ch, out);
    }
    fputs("\"},\n", out);
    fclose(in);
    free(dup);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: embed_sql out.c migration.sql...\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fputs("/* Generated from the schema migrations by embed_sql. Do not edit. */\n"
          "#include \"store/migrations.h\"\n\nconst struct migration migrations[] = {\n",
          out);
    for (int i = 2; i < argc; i++)
        if (emit_file(out, argv[i], i - 1) != 0) {
            fclose(out);
            remove(argv[1]);
            return 1;
        }
    fprintf(out, "};\n\nconst int migrations_count = %d;\n", argc - 2);
    return fclose(out) ? 1 : 0;
}
