#include "api/routes.h"

#include "api/account_sheet.h"
#include "api/accounts.h"
#include "api/audit.h"
#include "api/bulk_jobs.h"
#include "api/events.h"
#include "api/history.h"
#include "api/medical_info.h"
#include "api/ops.h"
#include "api/password.h"
#include "api/qualifications.h"
#include "api/readers.h"
#include "api/session.h"
#include "api/settings.h"
#include "api/test_data.h"
#include "api/visit_page.h"
#include "api/visit_urls.h"

/* Order matters only where patterns overlap: the first match wins. Static files come last. */
const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC | ROUTE_ESSENTIAL, NULL, NULL},
    {"GET", "/readyz", api_readyz, ROUTE_PUBLIC | ROUTE_ESSENTIAL, NULL, NULL},
    {"GET", "/metrics", api_metrics, ROUTE_PUBLIC, NULL, NULL},
    {"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC | ROUTE_JSON, NULL, NULL},
    {"GET", "/api/v1/session", api_session_get, ROUTE_ANY_PASSWORD, "session", NULL},
    {"DELETE", "/api/v1/session", api_session_delete, ROUTE_ANY_PASSWORD, "session", NULL},
    {"PUT", "/api/v1/session/password", api_password_change, ROUTE_ANY_PASSWORD | ROUTE_JSON,
     "session", NULL},
    {"POST", "/api/v1/tokens", api_token_create, ROUTE_PUBLIC | ROUTE_JSON, NULL, NULL},
    {"DELETE", "/api/v1/tokens/current", api_token_delete, ROUTE_ANY_PASSWORD, "session", NULL},
    {"GET", "/api/v1/events", api_events, 0, "session", NULL},
    {"GET", "/api/v1/accounts", api_account_list, 0, "accounts", NULL},
    {"POST", "/api/v1/accounts", api_account_create, ROUTE_JSON, "accounts", NULL},
    {"POST", "/api/v1/accounts/batch", api_account_batch, ROUTE_JSON, "accounts", NULL},
    {"GET", "/api/v1/accounts/{user_id}", api_account_get, 0, "accounts", NULL},
    {"PATCH", "/api/v1/accounts/{user_id}", api_account_update, ROUTE_JSON, "accounts", NULL},
    {"DELETE", "/api/v1/accounts/{user_id}", api_account_delete, 0, "accounts", NULL},
    {"GET", "/api/v1/audit-events", api_audit_list, 0, "audit", NULL},
    {"POST", "/api/v1/accounts/{user_id}/password-reset", api_account_password_reset, 0, "accounts",
     NULL},
    {"POST", "/api/v1/account-sheets", api_account_sheet_create, ROUTE_JSON, "accounts", NULL},
    {"POST", "/api/v1/bulk-jobs", api_bulk_create, ROUTE_UPLOAD, "bulk", &bulk_upload_sink},
    {"GET", "/api/v1/bulk-jobs", api_bulk_list, 0, "bulk", NULL},
    {"GET", "/api/v1/bulk-jobs/{reception_number}", api_bulk_get, 0, "bulk", NULL},
    {"GET", "/api/v1/bulk-jobs/{reception_number}/result.csv", api_bulk_result, 0, "bulk", NULL},
    {"POST", "/api/v1/bulk-checks", api_bulk_check, ROUTE_UPLOAD, "bulk", &bulk_upload_sink},
    {"GET", "/api/v1/bulk-template.csv", api_bulk_template, 0, "bulk", NULL},
    {"GET", "/api/v1/settings", api_settings_get, 0, "settings", NULL},
    {"PUT", "/api/v1/settings", api_settings_put, ROUTE_JSON, "settings", NULL},
    {"GET", "/api/v1/terms", api_terms_get, 0, "settings", NULL},
    {"GET", "/api/v1/test-data", api_test_data_get, 0, "test_data", NULL},
    {"POST", "/api/v1/test-data/card-links", api_test_card_link_create, ROUTE_JSON, "test_data",
     NULL},
    {"DELETE", "/api/v1/test-data/card-links", api_test_card_links_delete, 0, "test_data", NULL},
    {"POST", "/api/v1/test-data/category-records", api_test_category_record_create, ROUTE_JSON,
     "test_data", NULL},
    {"DELETE", "/api/v1/test-data/category-records", api_test_category_records_delete, 0,
     "test_data", NULL},
    {"POST", "/api/v1/test-data/consents/reset", api_test_consents_reset, 0, "test_data", NULL},
    {"POST", "/api/v1/qualifications", api_qualification_check, ROUTE_BODY, "qualification", NULL},
    {"POST", "/api/v1/qualifications/card", api_qualification_card, ROUTE_JSON, "qualification",
     NULL},
    {"POST", "/api/v1/qualifications/insurance", api_qualification_insurance, ROUTE_JSON,
     "qualification", NULL},
    {"GET", "/api/v1/qualifications/consents", api_qualification_consents, 0, "qualification",
     NULL},
    {"GET", "/api/v1/medical-info", api_medical_info_get, 0, "medical_info", NULL},
    {"GET", "/api/v1/history/qualification-checks", api_history_checks, 0, "history_checks", NULL},
    {"GET", "/api/v1/history/qualification-checks.csv", api_history_checks_csv, 0, "history_checks",
     NULL},
    {"GET", "/api/v1/history/medical-info-views", api_history_views, 0, "history_views", NULL},
    {"GET", "/api/v1/history/medical-info-views.csv", api_history_views_csv, 0, "history_views",
     NULL},
    {"GET", "/api/v1/visit-urls", api_visit_urls_list, 0, "visit", NULL},
    {"POST", "/api/v1/visit-urls/{kind}/change", api_visit_url_change, ROUTE_JSON, "visit", NULL},
    {"POST", "/api/v1/visit-urls/{kind}/revert", api_visit_url_revert, ROUTE_JSON, "visit", NULL},
    {"POST", "/api/v1/visit-urls/{kind}/reset", api_visit_url_reset, ROUTE_JSON, "visit", NULL},
    {"GET", "/api/v1/visit-urls/{kind}/qr.png", api_visit_url_qr_png, 0, "visit", NULL},
    {"GET", "/api/v1/visit-urls/{kind}/qr.pdf", api_visit_url_qr_pdf, 0, "visit", NULL},
    {"GET", "/api/v1/readers", api_readers_list, 0, "readers", NULL},
    {"GET", "/api/v1/readers/display-settings", api_reader_display_get, 0, "readers", NULL},
    {"PUT", "/api/v1/readers/display-settings", api_reader_display_put, ROUTE_JSON, "readers",
     NULL},
    {"PUT", "/api/v1/readers/{name}", api_reader_update, ROUTE_JSON, "readers", NULL},
    {"POST", "/api/v1/readers/{name}/answers", api_reader_answers, ROUTE_JSON, "qualification",
     NULL},
    {"GET", "/visit/{token}", api_visit_page, ROUTE_PUBLIC, NULL, NULL},
    {"POST", "/visit/{token}/consents", api_visit_consents, ROUTE_PUBLIC | ROUTE_JSON, NULL, NULL},
    {"POST", "/visit/{token}/consents/withdrawals", api_visit_consent_withdrawals,
     ROUTE_PUBLIC | ROUTE_JSON, NULL, NULL},
    {"GET", "/{*path}", api_static, ROUTE_PUBLIC | ROUTE_FALLBACK, NULL, NULL},
};
const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
