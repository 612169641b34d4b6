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
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC | ROUTE_ESSENTIAL, CAP_NONE, NULL},
    {"GET", "/readyz", api_readyz, ROUTE_PUBLIC | ROUTE_ESSENTIAL, CAP_NONE, NULL},
    {"GET", "/metrics", api_metrics, ROUTE_PUBLIC, CAP_NONE, NULL},
    {"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC | ROUTE_JSON, CAP_NONE, NULL},
    {"GET", "/api/v1/session", api_session_get, ROUTE_ANY_PASSWORD, CAP_SESSION, NULL},
    {"DELETE", "/api/v1/session", api_session_delete, ROUTE_ANY_PASSWORD | ROUTE_REVOKES,
     CAP_SESSION, NULL},
    {"PUT", "/api/v1/session/password", api_password_change,
     ROUTE_ANY_PASSWORD | ROUTE_JSON | ROUTE_REVOKES, CAP_SESSION, NULL},
    {"POST", "/api/v1/tokens", api_token_create, ROUTE_PUBLIC | ROUTE_JSON, CAP_NONE, NULL},
    {"DELETE", "/api/v1/tokens/current", api_token_delete, ROUTE_ANY_PASSWORD | ROUTE_REVOKES,
     CAP_SESSION, NULL},
    {"GET", "/api/v1/events", api_events, 0, CAP_SESSION, NULL},
    {"GET", "/api/v1/accounts", api_account_list, 0, CAP_ACCOUNTS, NULL},
    {"POST", "/api/v1/accounts", api_account_create, ROUTE_JSON, CAP_ACCOUNTS, NULL},
    {"POST", "/api/v1/accounts/batch", api_account_batch, ROUTE_JSON | ROUTE_REVOKES, CAP_ACCOUNTS,
     NULL},
    {"GET", "/api/v1/accounts/{user_id}", api_account_get, 0, CAP_ACCOUNTS, NULL},
    {"PATCH", "/api/v1/accounts/{user_id}", api_account_update, ROUTE_JSON | ROUTE_REVOKES,
     CAP_ACCOUNTS, NULL},
    {"DELETE", "/api/v1/accounts/{user_id}", api_account_delete, ROUTE_REVOKES, CAP_ACCOUNTS, NULL},
    {"GET", "/api/v1/audit-events", api_audit_list, 0, CAP_AUDIT, NULL},
    {"POST", "/api/v1/accounts/{user_id}/password-reset", api_account_password_reset, ROUTE_REVOKES,
     CAP_ACCOUNTS, NULL},
    {"POST", "/api/v1/account-sheets", api_account_sheet_create, ROUTE_JSON, CAP_ACCOUNTS, NULL},
    {"POST", "/api/v1/bulk-jobs", api_bulk_create, ROUTE_UPLOAD, CAP_BULK, &bulk_upload_sink},
    {"GET", "/api/v1/bulk-jobs", api_bulk_list, 0, CAP_BULK, NULL},
    {"GET", "/api/v1/bulk-jobs/{reception_number}", api_bulk_get, 0, CAP_BULK, NULL},
    {"GET", "/api/v1/bulk-jobs/{reception_number}/result.csv", api_bulk_result, 0, CAP_BULK, NULL},
    {"POST", "/api/v1/bulk-checks", api_bulk_check, ROUTE_UPLOAD, CAP_BULK, &bulk_upload_sink},
    {"GET", "/api/v1/bulk-template.csv", api_bulk_template, 0, CAP_BULK, NULL},
    {"GET", "/api/v1/settings", api_settings_get, 0, CAP_SETTINGS, NULL},
    {"PUT", "/api/v1/settings", api_settings_put, ROUTE_JSON, CAP_SETTINGS, NULL},
    {"GET", "/api/v1/terms", api_terms_get, 0, CAP_SETTINGS, NULL},
    {"GET", "/api/v1/test-data", api_test_data_get, 0, CAP_TEST_DATA, NULL},
    {"POST", "/api/v1/test-data/card-links", api_test_card_link_create, ROUTE_JSON, CAP_TEST_DATA,
     NULL},
    {"DELETE", "/api/v1/test-data/card-links", api_test_card_links_delete, 0, CAP_TEST_DATA, NULL},
    {"POST", "/api/v1/test-data/category-records", api_test_category_record_create, ROUTE_JSON,
     CAP_TEST_DATA, NULL},
    {"DELETE", "/api/v1/test-data/category-records", api_test_category_records_delete, 0,
     CAP_TEST_DATA, NULL},
    {"POST", "/api/v1/test-data/consents/reset", api_test_consents_reset, 0, CAP_TEST_DATA, NULL},
    {"POST", "/api/v1/qualifications", api_qualification_check, ROUTE_BODY, CAP_QUALIFICATION,
     NULL},
    {"POST", "/api/v1/qualifications/card", api_qualification_card, ROUTE_JSON, CAP_QUALIFICATION,
     NULL},
    {"POST", "/api/v1/qualifications/insurance", api_qualification_insurance, ROUTE_JSON,
     CAP_QUALIFICATION, NULL},
    {"GET", "/api/v1/qualifications/consents", api_qualification_consents, 0, CAP_QUALIFICATION,
     NULL},
    {"GET", "/api/v1/medical-info", api_medical_info_get, 0, CAP_MEDICAL_INFO, NULL},
    {"GET", "/api/v1/history/qualification-checks", api_history_checks, 0, CAP_HISTORY_CHECKS,
     NULL},
    {"GET", "/api/v1/history/qualification-checks.csv", api_history_checks_csv, 0,
     CAP_HISTORY_CHECKS, NULL},
    {"GET", "/api/v1/history/medical-info-views", api_history_views, 0, CAP_HISTORY_VIEWS, NULL},
    {"GET", "/api/v1/history/medical-info-views.csv", api_history_views_csv, 0, CAP_HISTORY_VIEWS,
     NULL},
    {"GET", "/api/v1/visit-urls", api_visit_urls_list, 0, CAP_VISIT, NULL},
    {"POST", "/api/v1/visit-urls/{kind}/change", api_visit_url_change, ROUTE_JSON, CAP_VISIT, NULL},
    {"POST", "/api/v1/visit-urls/{kind}/revert", api_visit_url_revert, ROUTE_JSON, CAP_VISIT, NULL},
    {"POST", "/api/v1/visit-urls/{kind}/reset", api_visit_url_reset, ROUTE_JSON, CAP_VISIT, NULL},
    {"GET", "/api/v1/visit-urls/{kind}/qr.png", api_visit_url_qr_png, 0, CAP_VISIT, NULL},
    {"GET", "/api/v1/visit-urls/{kind}/qr.pdf", api_visit_url_qr_pdf, 0, CAP_VISIT, NULL},
    {"GET", "/api/v1/readers", api_readers_list, 0, CAP_READERS, NULL},
    {"GET", "/api/v1/readers/display-settings", api_reader_display_get, 0, CAP_READERS, NULL},
    {"PUT", "/api/v1/readers/display-settings", api_reader_display_put, ROUTE_JSON, CAP_READERS,
     NULL},
    {"PUT", "/api/v1/readers/{name}", api_reader_update, ROUTE_JSON, CAP_READERS, NULL},
    {"POST", "/api/v1/readers/{name}/answers", api_reader_answers, ROUTE_JSON, CAP_QUALIFICATION,
     NULL},
    {"GET", "/visit/{token}", api_visit_page, ROUTE_PUBLIC, CAP_NONE, NULL},
    {"POST", "/visit/{token}/consents", api_visit_consents, ROUTE_PUBLIC | ROUTE_JSON, CAP_NONE,
     NULL},
    {"POST", "/visit/{token}/consents/withdrawals", api_visit_consent_withdrawals,
     ROUTE_PUBLIC | ROUTE_JSON, CAP_NONE, NULL},
    {"GET", "/{*path}", api_static, ROUTE_PUBLIC | ROUTE_FALLBACK, CAP_NONE, NULL},
};
const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
