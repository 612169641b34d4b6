/* Queries behind /readyz. */
#ifndef ONSHI_STORE_HEALTH_H
#define ONSHI_STORE_HEALTH_H

struct db;

/* The schema version recorded in the database; a negative db_status on failure. */
int store_schema_version(struct db *db, int *version);

#endif
