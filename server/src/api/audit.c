#include "api/audit.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "http/query.h"
#include "http/reply.h"
#include "store/db.h"
#include "store/institution.h"

enum MHD_Result api_audit_list(struct request *req)
{
    if (req->principal.account_role != ROLE_ADMIN)
        return reply_error(req, ERR_AUTH_FORBIDDEN, NULL);
    const char *from = query_arg(req, "from"), *to = query_arg(req, "to");
    const char *actor = query_arg(req, "actor"), *action = query_arg(req, "action");
    const char *target = query_arg(req, "target");
    struct date d;
    int page, per_page;
    if (from && !date_parse(from, &d))
        return reply_error(req, ERR_REQUEST_FIELD_DATE, "from");
    if (to && !date_parse(to, &d))
        return reply_error(req, ERR_REQUEST_FIELD_DATE, "to");
    if (!query_int(req, "page", 1, 1, 100000, &page))
        return reply_error(req, ERR_REQUEST_FIELD_RANGE, "page");
    if (!query_int(req, "per_page", 50, 1, 200, &per_page))
        return reply_error(req, ERR_REQUEST_FIELD_RANGE, "per_page");
    const struct {
        const char *name, *value;
    } exact[] = {{"actor", actor}, {"action", action}, {"target", target}};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (exact[i].value && strlen(exact[i].value) > 64)
            return reply_error(req, ERR_REQUEST_FIELD_RANGE, exact[i].name);
    json_t *items = json_array();
    long total = 0;
    struct db *db = db_thread();
    int rc = store_audit_list(db, req->principal.institution, from, to, actor, action, target,
                              per_page, (page - 1) * per_page, items, &total);
    if (rc < 0) {
        json_decref(items);
        return reply_db_failure(req, rc);
    }
    return reply_json_steal(req, MHD_HTTP_OK,
                            json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
                                      (json_int_t)total, "page", page, "per_page", per_page));
}
