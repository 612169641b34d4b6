/* The list of the store files' statement tables, and the index from id to definition that
 * db.c prepares from and db_exec looks statements up in. */
#include "store/statements.h"

#include <pthread.h>
#include <stdbool.h>

#include "util/invariant.h"

static const struct stmt_table *const tables[] = {
    &health_statements,        &institution_statements, &session_statements,  &events_statements,
    &account_statements,       &bulk_statements,        &settings_statements, &test_data_statements,
    &qualification_statements, &history_statements,     &visit_statements,    &readers_statements,
};

static struct stmt_def index_by_id[STMT__COUNT];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* Each id once, each within the parameters a struct db_params holds. A broken table is a bug:
 * the statements it leaves out are refused by db_exec and by the prepare at connect. */
static void build_index(void)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < tables[t]->count; i++) {
            const struct stmt_def *d = &tables[t]->defs[i];
            if (!INVARIANT((unsigned)d->id < STMT__COUNT, "statement %s has id %d", d->name,
                           (int)d->id) ||
                !INVARIANT(!index_by_id[d->id].name, "statements %s and %s share id %d",
                           index_by_id[d->id].name, d->name, (int)d->id) ||
                !INVARIANT(d->nparams >= 0 && d->nparams <= STMT_PARAMS_MAX,
                           "statement %s declares %d parameters", d->name, d->nparams))
                continue;
            index_by_id[d->id] = *d;
        }
    for (int id = 0; id < STMT__COUNT; id++)
        INVARIANT(index_by_id[id].name, "statement id %d has no definition", id);
}

size_t stmt_defined_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        n += tables[t]->count;
    return n;
}

const struct stmt_def *stmt_all(void)
{
    pthread_once(&index_once, build_index);
    return index_by_id;
}

const struct stmt_def *stmt_get(enum stmt_id id)
{
    if (!INVARIANT((unsigned)id < STMT__COUNT, "statement id %d out of range", (int)id))
        return NULL;
    const struct stmt_def *d = &stmt_all()[id];
    return INVARIANT(d->name, "statement id %d has no definition", (int)id) ? d : NULL;
}
