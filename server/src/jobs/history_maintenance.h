/* Keeps the monthly history partitions ahead of time and drops the months past the
 * retention period (history_retention_months): at start and every hour, in one onshid at a
 * time (an advisory lock), on a connection of its own. */
#ifndef ONSHI_JOBS_HISTORY_MAINTENANCE_H
#define ONSHI_JOBS_HISTORY_MAINTENANCE_H

struct db_options;

int history_maintenance_start(const struct db_options *opt);
void history_maintenance_stop(void);

#endif
