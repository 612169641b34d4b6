#include "store/visit.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/qualification.h"

static const struct stmt_def stmts[] = {
    {STMT_VISIT_LIST, "visit_list",
     "SELECT c.kind, c.generation, c.token, p.token, f.token FROM visit_tokens c "
     "LEFT JOIN visit_tokens p ON p.institution_code = c.institution_code AND p.kind = "
     "c.kind AND p.state = 'previous' JOIN visit_tokens f ON f.institution_code = "
     "c.institution_code AND f.kind = c.kind AND f.generation = 1 WHERE "
     "c.institution_code = $1 AND c.state = 'current' ORDER BY c.kind",
     1},
    {STMT_VISIT_CURRENT, "visit_current",
     "SELECT generation, token FROM visit_tokens WHERE institution_code "
     "= $1 AND kind = $2 AND state = 'current'",
     2},
    /* One change of a kind at a time, whatever rows exist: a row lock alone would let the
     * second of two changes work from the states it read before the first committed. */
    {STMT_VISIT_SERIALIZE, "visit_serialize",
     "SELECT pg_advisory_xact_lock(hashtextextended('onshi.visit.' || "
     "$1 || '.' || $2, 0))",
     2},
    {STMT_VISIT_LOCK, "visit_lock",
     "SELECT generation, state FROM visit_tokens WHERE institution_code = "
     "$1 AND kind = $2 ORDER BY generation FOR UPDATE",
     2},
    {STMT_VISIT_SET_STATE, "visit_set_state",
     "UPDATE visit_tokens SET state = $4 WHERE institution_code = $1 "
     "AND kind = $2 AND generation = $3::int",
     4},
    {STMT_VISIT_NEW, "visit_new",
     "INSERT INTO visit_tokens (institution_code, kind, generation, token, "
     "state, created_by) SELECT $1, $2, max(generation) + 1, "
     "visit_token_new(), 'current', $3 FROM visit_tokens WHERE "
     "institution_code = $1 AND kind = $2 RETURNING generation",
     3},
    {STMT_VISIT_BY_TOKEN, "visit_by_token",
     "SELECT t.institution_code, t.kind, t.state, t.generation, i.name, i.kind, "
     "s.settings::text FROM visit_tokens t JOIN institutions i ON "
     "i.institution_code = t.institution_code LEFT JOIN institution_settings s ON "
     "s.institution_code = t.institution_code WHERE t.token = $1",
     1},
    /* Only through the token that is current as the row is written. */
    {STMT_VISIT_CONSENT_INSERT, "visit_consent_insert",
     "INSERT INTO visit_consent_requests (institution_code, kind, generation, serial_number, "
     "items, client_address, action) SELECT institution_code, kind, generation, $2, "
     "$3::text[], $4, $5 FROM visit_tokens WHERE token = $1 AND state = 'current' FOR SHARE "
     "RETURNING " SQL_TS("received_at"),
     5},
    /* In the verification environment the card's test person gets the consents, marked as
     * given through the patient page (閲覧同意情報初期化 leaves them alone). */
    {STMT_VISIT_CONSENT_GIVE, "visit_consent_give",
     "INSERT INTO test_consents (institution_code, person_id, item, source) SELECT $1, id, "
     "unnest($3::text[]), 'visit' FROM test_persons WHERE institution_code = $1 AND "
     "serial_number = $2 ON CONFLICT (institution_code, person_id, item, source) DO UPDATE "
     "SET given_at = now(), revoked_at = NULL",
     3},
};
STMT_TABLE(visit_statements, stmts);

int store_visit_list(struct db *db, const char *code, struct visit_current out[2])
{
    PGresult *r;
    int n = db_query(db, STMT_VISIT_LIST, DB_TEXTS(code), &r);
    if (n > 2)
        n = 2;
    for (int i = 0; i < n; i++) {
        col_copy(out[i].kind, sizeof out[i].kind, r, i, 0);
        out[i].generation = col_int(r, i, 1);
        col_copy(out[i].token, sizeof out[i].token, r, i, 2);
        col_copy(out[i].previous_token, sizeof out[i].previous_token, r, i, 3);
        out[i].can_revert = out[i].previous_token[0] != '\0';
        col_copy(out[i].initial_token, sizeof out[i].initial_token, r, i, 4);
    }
    PQclear(r); /* NULL after an error */
    return n;
}

static int read_current(const PGresult *r, void *p)
{
    struct visit_current *out = p;
    out->generation = col_int(r, 0, 0);
    col_copy(out->token, sizeof out->token, r, 0, 1);
    out->can_revert = false; /* not read here */
    out->previous_token[0] = out->initial_token[0] = '\0';
    return 1;
}

int store_visit_current(struct db *db, const char *code, const char *kind,
                        struct visit_current *out)
{
    int n = db_row(db, STMT_VISIT_CURRENT, DB_TEXTS(code, kind), read_current, out);
    if (n > 0)
        snprintf(out->kind, sizeof out->kind, "%s", kind);
    return n;
}

static int set_state(struct db *db, const char *code, const char *kind, int generation,
                     const char *state)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, kind);
    param_int(&p, generation);
    param_text(&p, state);
    int n = db_command(db, STMT_VISIT_SET_STATE, &p);
    return n < 0 ? n : 1;
}

int store_visit_apply(struct db *db, const char *code, const char *kind, enum visit_op op,
                      const char *by, enum visit_refusal *refusal, int *generation)
{
    int n = db_command(db, STMT_VISIT_SERIALIZE, DB_TEXTS(code, kind));
    if (n < 0)
        return n;
    PGresult *r;
    n = db_query(db, STMT_VISIT_LOCK, DB_TEXTS(code, kind), &r);
    if (n <= 0) {
        PQclear(r);                 /* NULL after an error */
        return n < 0 ? n : DB_HARD; /* every institution has its first token */
    }
    int current = 0, previous = 0;
    for (int i = 0; i < n; i++) {
        const char *state = col_text(r, i, 1);
        if (strcmp(state, "current") == 0)
            current = col_int(r, i, 0);
        else if (strcmp(state, "previous") == 0)
            previous = col_int(r, i, 0);
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
            long long g = 0;
            n = db_row_int64(db, STMT_VISIT_NEW, DB_TEXTS(code, kind, by), &g);
            if (n <= 0)
                return n < 0 ? n : DB_HARD;
            *generation = (int)g;
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

static int read_owner(const PGresult *r, void *p)
{
    struct visit_owner *o = p;
    col_copy(o->institution_code, sizeof o->institution_code, r, 0, 0);
    col_copy(o->kind, sizeof o->kind, r, 0, 1);
    col_copy(o->state, sizeof o->state, r, 0, 2);
    o->generation = col_int(r, 0, 3);
    col_copy(o->institution_name, sizeof o->institution_name, r, 0, 4);
    col_copy(o->institution_kind, sizeof o->institution_kind, r, 0, 5);
    o->settings = col_json(r, 0, 6);
    return !col_null(r, 0, 6) && !o->settings ? DB_HARD : 1;
}

int store_visit_by_token(struct db *db, const char *token, struct visit_owner *o)
{
    return db_row(db, STMT_VISIT_BY_TOKEN, DB_TEXTS(token), read_owner, o);
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
    int n = db_row_texts(db, STMT_VISIT_CONSENT_INSERT,
                         DB_TEXTS(c->token, c->serial, c->items, c->address[0] ? c->address : NULL,
                                  c->withdraw ? "withdraw" : "give"),
                         &(struct col_out){c->received_at, 32}, 1);
    if (n <= 0)
        return n; /* 0: the token is no longer current */
    if (c->verification && c->withdraw) {
        if ((n = store_consents_withdraw(db, c->code, c->serial, c->items)) < 0)
            return n;
        c->not_given = n < c->item_count;
        return c->not_given ? DB_ABORT : 1;
    }
    if (c->verification &&
        (n = db_command(db, STMT_VISIT_CONSENT_GIVE, DB_TEXTS(c->code, c->serial, c->items))) < 0)
        return n;
    return 1;
}

int store_visit_consent(struct db *db, const struct visit_owner *o, const char *token,
                        const char *serial, const char *items, int item_count, bool withdraw,
                        const char *address, bool verification, char received_at[32])
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
    int rc = db_tx(db, "visit.consent", DB_READ_COMMITTED, consent_tx, &c);
    return rc == DB_ABORT && c.not_given ? 2 : rc;
}
