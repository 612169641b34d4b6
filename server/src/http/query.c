#include "http/query.h"

#include <stdlib.h>
#include <string.h>

const char *query_arg(struct request *req, const char *name)
{
    const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

bool query_int(struct request *req, const char *name, int def, int min, int max, int *out)
{
    const char *v = query_arg(req, name);
    *out = def;
    if (!v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max)
        return false;
    *out = (int)n;
    return true;
}

bool query_bool(struct request *req, const char *name, int *out)
{
    const char *v = query_arg(req, name);
    *out = -1;
    if (!v)
        return true;
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return false;
    *out = v[0] == 't';
    return true;
}
