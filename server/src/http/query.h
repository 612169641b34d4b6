/* Query-string parameters (?page=2&enabled=true): absent or empty is "not given"; a
 * malformed value is reported so the handler can name the parameter in its 400. */
#ifndef ONSHI_QUERY_H
#define ONSHI_QUERY_H

#include <stdbool.h>

#include "http/request.h"

const char *query_arg(struct request *req, const char *name);
/* def when absent; false when not an integer within [min, max]. */
bool query_int(struct request *req, const char *name, int def, int min, int max, int *out);
/* -1 when absent, 0/1 for false/true; false for anything else. */
bool query_bool(struct request *req, const char *name, int *out);

#endif
