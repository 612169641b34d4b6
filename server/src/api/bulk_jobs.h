/* Bulk account registration (manual ch. 2 §4–5): POST /api/v1/bulk-jobs (the file, read as
 * it arrives), GET /api/v1/bulk-jobs (the newest three of the caller's tier),
 * GET /api/v1/bulk-jobs/{reception_number} and …/result.csv; POST /api/v1/bulk-checks (a
 * file checked as the job would, nothing registered) and GET /api/v1/bulk-template.csv. */
#ifndef ONSHI_API_BULK_JOBS_H
#define ONSHI_API_BULK_JOBS_H

#include <jansson.h>

#include "http/request.h"

extern const struct upload_sink bulk_upload_sink;

enum MHD_Result api_bulk_create(struct request *req);
enum MHD_Result api_bulk_list(struct request *req);
enum MHD_Result api_bulk_get(struct request *req);
enum MHD_Result api_bulk_result(struct request *req);
/* POST /api/v1/bulk-checks: the same upload, the verdict the job would reach, nothing
 * written. */
enum MHD_Result api_bulk_check(struct request *req);
/* GET /api/v1/bulk-template.csv: the header and one example row per kind the caller
 * registers, in the institution's 利用文字コード. */
enum MHD_Result api_bulk_template(struct request *req);

/* A job as store_bulk_list gives it → as the API shows it (GET and the live-update events
 * alike): status_label, processed (処理件数), downloadable. */
void bulk_job_present(json_t *job);

/* The Japanese label of a status id (登録待ち, …), or NULL. */
const char *bulk_status_label(const char *status);

#endif
