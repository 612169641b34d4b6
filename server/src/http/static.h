/* Serving the admin console's files from static_dir. */
#ifndef ONSHI_STATIC_H
#define ONSHI_STATIC_H

#include "http/request.h"

/* Resolves the directory once; -1 if it does not exist. */
int static_init(const char *dir);
void static_shutdown(void);
/* Serves `rel` (the {*path} parameter; "" for "/" gives index.html); 404 for anything else. */
enum MHD_Result static_serve(struct request *req, const char *rel);

#endif
