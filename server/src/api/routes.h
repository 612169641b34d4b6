/* The one route table. api-spec/openapi.yaml must list exactly these routes (tested). */
#ifndef ONSHI_ROUTES_H
#define ONSHI_ROUTES_H

#include <stddef.h>

#include "http/request.h"

extern const struct route api_routes[];
extern const size_t api_routes_count;

#endif
