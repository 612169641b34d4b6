/* The error registry (server/errors.csv), compiled into a table indexed by enum err_code. */
#ifndef ONSHI_ERRORS_H
#define ONSHI_ERRORS_H

#include "errors_gen.h"

struct error_def {
    const char *code; /* stable, e.g. "request.not_found" */
    int http_status;
    const char *message; /* Japanese, shown to users */
    const char *hint;    /* English, for developers and operators */
};

extern const struct error_def error_table[ERR__COUNT];

#endif
