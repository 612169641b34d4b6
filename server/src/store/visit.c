#include "store/visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/qualification.h"

static void copy(char *dst, size_t size, PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

int store_visit_list(struct db *db, const char *code, struct visit_current out[2])
{
    const char *p[] = {code};
    PGresult *r;
    int n = db_exec(db, STMT_VISIT_LIST, 1, p, &r);
    if (n < 0)
        return n;
    if (n > 2)
        n = 2;
    for (int i = 0; i < n; i++) {
        copy(out[i].kind, sizeof out[i].kind, r, i, 0);
        out[i].generation = db_int(r, i, 1);
        copy(out[i].token, sizeof out[i].token, r, i, 2);
        copy(out[i].previous_token, sizeof out[i].previous_token, r, i, 3);
        out[i].can_revert = out[i].previous_token[0] != '\0';
        copy(out[i].initial_token, sizeof out[i].initial_token, r, i, 4);
    }
    PQclear(r);
    return n;
}

int store_visit_current(struct db *db, const char *code, const char *kind,
                        struct visit_current *out)
{
    const char *p[] = {code, kind};
    PGresult *r;
    int n = db_exec(db, STMT_VISIT_CURRENT, 2, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n;
    }
    snprintf(out->kind, sizeof out->kind, "%s", kind);
    out->generation = db_int(r, 0, 0);
    copy(out->token, sizeof out->token, r, 0, 1);
    out->can_revert = false; /* not read here */
    out->previous_token[0] = out->initial_token[0] = '\0';
    PQclear(r);
    return 1;
}

static int set_state(struct db *db, const char *code, const char *kind, int generation,
                     const char *state)
{
    char g[16];
    snprintf(g, sizeof g, "%d", generation);
    const char *p[] = {code, kind, g, state};
    int n = db_exec_command(db, STMT_VISIT_SET_STATE, 4, p);
    return n < 0 ? n : 1;
}

int store_visit_apply(struct db *db, const char *code, const char *kind, enum visit_op op,
                      const char *by, enum visit_refusal *refusal, int *generation)
{
    const char *p[] = {code, kind, by};
    PGresult *r;
    int n = db_exec_command(db, STMT_VISIT_SERIALIZE, 2, p);
    if (n < 0)
        return n;
    n = db_exec(db, STMT_VISIT_LOCK, 2, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n < 0 ? n : DB_HARD; /* every institution has its first token */
    }
    int current = 0, previous = 0;
    for (int i = 0; i < n; i++) {
        const char *state = PQgetvalue(r, i, 1);
        if (strcmp(state, "current") == 0)
            current = db_int(r, i, 0);
        else if (strcmp(state, "previous") == 0)
            previous = db_int(r, i, 0);
    }
    PQclear(r);
    *refusal = VISIT_OK;
    int rc = 1;
    switch (op) {
    case VISIT_CHANGE: /* current → previous (the old previous retires), a new current */
        if (previous)
            rc = set_state(db, code, kind, previous, "retired");
        if (rc > 0 && current)
            rc = set_state(db, code, kind, current, "previous");
        if (rc > 0) {
            n = db_exec(db, STMT_VISIT_NEW, 3, p, &r);
            if (n <= 0) {
                if (n == 0)
                    PQclear(r);
                return n < 0 ? n : DB_HARD;
            }
            *generation = db_int(r, 0, 0);
            PQclear(r);
        }
        return rc;
    case VISIT_REVERT: /* the newer one retires; the previous is current again, once */
        if (!previous) {
            *refusal = VISIT_NO_PREVIOUS;
            return 1;
        }
        rc = set_state(db, code, kind, current, "retired");
        if (rc > 0)
            rc = set_state(db, code, kind, previous, "current");
        *generation = previous;
        return rc;
    case VISIT_RESET: /* the first is current; nothing to go back to afterwards */
        if (current == 1) {
            *refusal = VISIT_ALREADY_INITIAL;
            return 1;
        }
        if (previous)
            rc = set_state(db, code, kind, previous, "retired");
        if (rc > 0)
            rc = set_state(db, code, kind, current, "retired");
        if (rc > 0)
            rc = set_state(db, code, kind, 1, "current");
        *generation = 1;
        return rc;
    }
    return DB_HARD;
}

int store_visit_by_token(struct db *db, const char *token, struct visit_owner *o)
{
    const char *p[] = {token};
    PGresult *r;
    int n = db_exec(db, STMT_VISIT_BY_TOKEN, 1, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n;
    }
    copy(o->institution_code, sizeof o->institution_code, r, 0, 0);
    copy(o->kind, sizeof o->kind, r, 0, 1);
    copy(o->state, sizeof o->state, r, 0, 2);
    o->generation = db_int(r, 0, 3);
    copy(o->institution_name, sizeof o->institution_name, r, 0, 4);
    copy(o->institution_kind, sizeof o->institution_kind, r, 0, 5);
    o->settings = PQgetisnull(r, 0, 6) ? NULL : json_loads(PQgetvalue(r, 0, 6), 0, NULL);
    bool broken = !PQgetisnull(r, 0, 6) && !o->settings;
    PQclear(r);
    return broken ? DB_HARD : 1;
}

void visit_owner_free(struct visit_owner *o)
{
    json_decref(o->settings);
    o->settings = NULL;
}

struct consent_tx {
    const char *token, *serial, *items, *address;
    int item_count;
    bool withdraw;
    const char *code;
    bool verification;
    char *received_at;
    bool not_given; /* a withdrawal named an item not in force */
};

static int consent_tx(struct db *db, void *p)
{
    struct consent_tx *c = p;
    const char *q[] = {c->token, c->serial, c->items, c->address[0] ? c->address : NULL,
                       c->withdraw ? "withdraw" : "give"};
    PGresult *r;
    int n = db_exec(db, STMT_VISIT_CONSENT_INSERT, 5, q, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n; /* 0: the token is no longer current */
    }
    snprintf(c->received_at, 32, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (c->verification && c->withdraw) {
        if ((n = store_consents_withdraw(db, c->code, c->serial, c->items)) < 0)
            return n;
        c->not_given = n < c->item_count;
        return c->not_given ? DB_ABORT : 1;
    }
    if (c->verification) {
        const char *g[] = {c->code, c->serial, c->items};
        if ((n = db_exec_command(db, STMT_VISIT_CONSENT_GIVE, 3, g)) < 0)
            return n;
    }
    return 1;
}

int store_visit_consent(struct db *db, const struct visit_owner *o, const char *token,
                        const char *serial, const char *items, int item_count, bool withdraw,
                        const char *address, bool verification, int retry_limit,
                        char received_at[32])
{
    struct consent_tx c = {.token = token,
                           .serial = serial,
                           .items = items,
                           .address = address,
                           .item_count = item_count,
                           .withdraw = withdraw,
                           .code = o->institution_code,
                           .verification = verification,
                           .received_at = received_at};
    int rc = db_transaction(db, DB_READ_COMMITTED, retry_limit, consent_tx, &c);
    return rc == DB_ABORT && c.not_given ? 2 : rc;
}
