#include "api/test_data.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/test_data.h"
#include "http/input.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/test_data.h"
#include "util/config.h"
#include "util/log.h"
#include "util/secret.h"

static const char *const sources[] = {"card_link", "category"};
enum source { SOURCE_CARD_LINK, SOURCE_CATEGORY };

static json_t *ids_of_types_in(enum test_category c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < qualification_types_count; i++)
        if (test_category_accepts(c, &qualification_types[i]))
            json_array_append_new(a, json_string(qualification_types[i].id));
    return a;
}

/* A stored row as the API shows it: the person with its type's label. */
static json_t *entry(json_t *row, const struct qualification_type *t)
{
    json_t *person = json_object_get(row, "person");
    json_t *o = json_pack(
        "{s:O, s:O, s:s, s:O, s:O, s:O}", "category", json_object_get(person, "category"),
        "qualification_type", json_object_get(person, "qualification_type"),
        "qualification_type_label", t->label, "person", person, "created_at",
        json_object_get(row, "created_at"), "created_by", json_object_get(row, "created_by"));
    json_t *serial = json_object_get(row, "serial_number");
    if (serial) {
        json_object_set(o, "serial_number", serial);
        json_object_set(o, "card_registered", json_object_get(row, "card_registered"));
    }
    return o;
}

enum MHD_Result api_test_data_get(struct request *req)
{
    struct db *db = db_thread();
    json_t *rows = NULL;
    int revoked = store_test_data_list(db, req->principal.institution, &rows);
    if (revoked >= 0)
        revoked = store_test_consents_revoked(db, req->principal.institution);
    if (revoked < 0) {
        json_decref(rows);
        return reply_db_failure(req, revoked);
    }
    json_t *links = json_array(), *records = json_array();
    json_int_t counts[CATEGORY__COUNT] = {0};
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        struct test_person p;
        if (!test_person_from_json(json_object_get(row, "person"), &p)) {
            log_msg(LOG_ERROR, "test person %zu of %s is not one onshid wrote; not listed", i,
                    req->principal.institution);
            continue;
        }
        bool link = json_object_get(row, "serial_number") != NULL;
        if (!link)
            counts[p.category]++;
        json_array_append_new(link ? links : records, entry(row, p.type));
    }
    json_decref(rows);
    json_t *types = json_array(), *categories = json_array();
    for (i = 0; i < qualification_types_count; i++) {
        const struct qualification_type *t = &qualification_types[i];
        json_array_append_new(types, json_pack("{s:s, s:s, s:s}", "id", t->id, "label", t->label,
                                               "description", t->description));
    }
    for (int c = 0; c < CATEGORY__COUNT; c++)
        json_array_append_new(
            categories,
            json_pack("{s:s, s:s, s:I, s:o}", "id", test_category_id((enum test_category)c),
                      "label", test_category_label((enum test_category)c), "count", counts[c],
                      "qualification_types", ids_of_types_in((enum test_category)c)));
    json_t *body = json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:i}, s:{s:i, s:i}}", "environment",
                             config_current()->environment, "qualification_types", types,
                             "categories", categories, "card_links", links, "category_records",
                             records, "consents", "revoked", revoked, "limits", "card_links",
                             TEST_CARD_LINKS_MAX, "category_records", TEST_CATEGORY_RECORDS_MAX);
    return reply_json_steal(req, MHD_HTTP_OK, body);
}

/* One registration: a new person, replacing the card link of the same serial number. */
struct registration {
    const struct request *req;
    enum source source;
    const char *serial; /* card links */
    bool card_registered;
    const struct qualification_type *type;
    enum test_category category;
    struct test_person person;
    char *person_json;
    bool replaced;
    bool limit_reached;
    char created_at[32];
};

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

static int registration_tx(struct db *db, void *p)
{
    struct registration *g = p;
    const struct principal *w = &g->req->principal;
    const struct test_person *t = &g->person;
    int rc = store_test_data_lock(db, w->institution);
    if (rc < 0 || (g->serial && (rc = store_test_card_unlink(db, w->institution, g->serial)) < 0))
        return rc;
    g->replaced = rc > 0;
    struct test_person_insert in = {
        .source = sources[g->source],
        .category = test_category_id(g->category),
        .qualification_type = g->type->id,
        .serial_number = g->serial,
        .card_registered = g->card_registered,
        .insurer_number = t->has_insurance ? t->insurance.insurer_number : NULL,
        .symbol = t->has_insurance ? or_null(t->insurance.symbol) : NULL,
        .number = t->has_insurance ? t->insurance.number : NULL,
        .branch = t->has_insurance ? or_null(t->insurance.branch) : NULL,
        .payer_number = t->has_assistance ? t->assistance.payer_number : NULL,
        .recipient_number = t->has_assistance ? t->assistance.recipient_number : NULL,
        .person_json = g->person_json,
        .created_by = w->user_id,
        .limit = g->source == SOURCE_CARD_LINK ? TEST_CARD_LINKS_MAX : TEST_CATEGORY_RECORDS_MAX,
    };
    rc = store_test_person_insert(db, w->institution, &in, g->created_at);
    if (rc == 0) {
        g->limit_reached = true;
        return DB_ABORT; /* the unlink of a re-link goes back with it */
    }
    if (rc < 0)
        return rc;
    json_t *d = json_pack("{s:s, s:s, s:b}", "qualification_type", g->type->id, "category",
                          in.category, "replaced", g->replaced);
    if (g->serial)
        json_object_set_new(d, "card_registered", json_boolean(g->card_registered));
    rc = store_audit_insert(db, w->institution, "account", w->user_id,
                            g->source == SOURCE_CARD_LINK ? "test_data.card_link.create"
                                                          : "test_data.category_record.create",
                            g->serial, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

/* Makes a person and stores it; a new seed when its numbers happen to be taken. */
static enum MHD_Result register_person(struct request *req, struct registration *g)
{
    struct db *db = db_thread();
    struct date today = date_today_jst(time(NULL));
    enum institution_kind kind = req->principal.inst_kind;
    int rc = DB_CONFLICT;
    for (int attempt = 0; attempt < 4 && rc == DB_CONFLICT; attempt++) {
        uint64_t seed;
        if (secret_random(&seed, sizeof seed) != 0)
            return reply_error(req, ERR_SERVER_INTERNAL, NULL);
        test_person_make(g->type, g->category, kind, req->principal.institution, &today, seed,
                         &g->person);
        json_t *person = test_person_to_json(&g->person);
        g->person_json = json_dumps(person, JSON_COMPACT);
        json_decref(person);
        rc = !g->person_json
                 ? DB_HARD
                 : db_tx(db, "test_data.registration", DB_READ_COMMITTED, registration_tx, g);
        free(g->person_json);
        g->person_json = NULL;
    }
    if (g->limit_reached)
        return reply_error(req, ERR_TEST_DATA_LIMIT_REACHED, NULL);
    if (rc < 0)
        return reply_db_failure(req, rc);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "category", test_category_id(g->category),
                  "qualification_type", g->type->id, "qualification_type_label", g->type->label,
                  "person", test_person_to_json(&g->person), "created_at", g->created_at,
                  "created_by", req->principal.user_id);
    json_t *body;
    if (g->serial) {
        json_object_set_new(o, "serial_number", json_string(g->serial));
        json_object_set_new(o, "card_registered", json_boolean(g->card_registered));
        body = json_pack("{s:o, s:b}", "card_link", o, "replaced", g->replaced);
    } else
        body = json_pack("{s:o}", "category_record", o);
    return reply_json_steal(req, MHD_HTTP_CREATED, body);
}

struct card_link_input {
    const char *serial_number;
    const char *qualification_type;
    struct in_bool register_as_insurance_card;
};

static const struct input_field card_link_fields[] = {
    IN_TEXT("serial_number", true, 1, 256, struct card_link_input, serial_number),
    IN_TEXT("qualification_type", true, 1, 64, struct card_link_input, qualification_type),
    IN_FLAG("register_as_insurance_card", false, struct card_link_input,
            register_as_insurance_card),
};

static enum MHD_Result input_refused(struct request *req, const struct input_error *e)
{
    return reply_error(req, e->code, e->field);
}

enum MHD_Result api_test_card_link_create(struct request *req)
{
    struct card_link_input in = {0};
    struct input_error e;
    if (!INPUT_PARSE(req->json, card_link_fields, &in, &e))
        return input_refused(req, &e);
    char serial[SERIAL_MAX_DIGITS + 1];
    if (!test_serial_normalize(in.serial_number, serial))
        return reply_error(req, ERR_TEST_DATA_SERIAL_NUMBER_INVALID, "serial_number");
    struct registration g = {.req = req, .source = SOURCE_CARD_LINK, .serial = serial};
    if (!(g.type = qualification_type_find(in.qualification_type)))
        return reply_error(req, ERR_TEST_DATA_QUALIFICATION_TYPE_UNKNOWN, "qualification_type");
    g.category = test_category_for_card(g.type);
    g.card_registered = in.register_as_insurance_card.set && in.register_as_insurance_card.value;
    return register_person(req, &g);
}

struct category_input {
    const char *category;
    const char *qualification_type;
};

static const struct input_field category_fields[] = {
    IN_TEXT("category", true, 1, 64, struct category_input, category),
    IN_TEXT("qualification_type", true, 1, 64, struct category_input, qualification_type),
};

enum MHD_Result api_test_category_record_create(struct request *req)
{
    struct category_input in = {0};
    struct input_error e;
    if (!INPUT_PARSE(req->json, category_fields, &in, &e))
        return input_refused(req, &e);
    struct registration g = {.req = req, .source = SOURCE_CATEGORY};
    if (!test_category_parse(in.category, &g.category))
        return reply_error(req, ERR_TEST_DATA_CATEGORY_UNKNOWN, "category");
    if (!(g.type = qualification_type_find(in.qualification_type)))
        return reply_error(req, ERR_TEST_DATA_QUALIFICATION_TYPE_UNKNOWN, "qualification_type");
    if (!test_category_accepts(g.category, g.type))
        return reply_error(req, ERR_TEST_DATA_TYPE_NOT_IN_CATEGORY, "qualification_type");
    return register_person(req, &g);
}

/* The three bulk operations: delete card links, delete category records, restore consents. */
enum bulk_op { OP_DELETE_LINKS, OP_DELETE_RECORDS, OP_RESET_CONSENTS };

struct bulk_change {
    const struct request *req;
    enum bulk_op op;
    int count;
};

static int bulk_tx(struct db *db, void *p)
{
    static const char *const actions[] = {"test_data.card_links.delete",
                                          "test_data.category_records.delete",
                                          "test_data.consents.reset"};
    struct bulk_change *b = p;
    const struct principal *w = &b->req->principal;
    b->count = b->op == OP_DELETE_LINKS
                   ? store_test_persons_delete(db, w->institution, sources[SOURCE_CARD_LINK])
               : b->op == OP_DELETE_RECORDS
                   ? store_test_persons_delete(db, w->institution, sources[SOURCE_CATEGORY])
                   : store_test_consents_reset(db, w->institution);
    if (b->count < 0)
        return b->count;
    json_t *d = json_pack("{s:i}", "count", b->count);
    int rc = store_audit_insert(db, w->institution, "account", w->user_id, actions[b->op], NULL,
                                NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 1;
}

static enum MHD_Result bulk(struct request *req, enum bulk_op op)
{
    struct bulk_change b = {req, op, 0};
    struct db *db = db_thread();
    int rc = db_tx(db, "test_data.bulk", DB_READ_COMMITTED, bulk_tx, &b);
    if (rc < 0)
        return reply_db_failure(req, rc);
    return reply_json_steal(
        req, MHD_HTTP_OK,
        json_pack("{s:i}", op == OP_RESET_CONSENTS ? "restored" : "deleted", b.count));
}

enum MHD_Result api_test_card_links_delete(struct request *req)
{
    return bulk(req, OP_DELETE_LINKS);
}

enum MHD_Result api_test_category_records_delete(struct request *req)
{
    return bulk(req, OP_DELETE_RECORDS);
}

enum MHD_Result api_test_consents_reset(struct request *req)
{
    return bulk(req, OP_RESET_CONSENTS);
}
