/* Prints the SQL of onshid's prepared statements by name (store/statements.h: stmt_get), so that
 * a benchmark's pgbench reference runs exactly what onshid runs; also the query of each
 * history CSV file (history_checks_csv, history_views_csv) for a psql \copy reference.
 * Usage: bench_print_sql NAME   → the statement's SQL on one line; exit 1 if unknown. */
#include <stdio.h>
#include <string.h>

#include "store/history.h"
#include "store/statements.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_print_sql NAME\n");
        return 2;
    }
    if (strcmp(argv[1], "history_checks_csv") == 0 || strcmp(argv[1], "history_views_csv") == 0) {
        printf("%s\n", history_csv_select(argv[1][8] == 'c' ? HISTORY_CHECKS : HISTORY_VIEWS));
        return 0;
    }
    for (int i = 0; i < STMT__COUNT; i++) {
        const struct stmt_def *d = stmt_get((enum stmt_id)i);
        if (d && strcmp(d->name, argv[1]) == 0) {
            printf("%s\n", d->sql);
            return 0;
        }
    }
    fprintf(stderr, "bench_print_sql: no statement named %s\n", argv[1]);
    return 1;
}
