#include "core/menu.h"

const struct menu_item menu_items[] = {
    {"qualification_card", "マイナンバーカードで確認", "資格情報照会（マイナンバーカード）",
     CAP_QUALIFICATION, 0},
    {"qualification_insurance", "保険証／処方箋で確認", "資格情報照会（被保険者証）",
     CAP_QUALIFICATION, 0},
    {"account_register", "アカウント情報管理", "アカウント管理（登録）", CAP_ACCOUNTS, 1},
    {"account_update", "アカウント情報管理", "アカウント管理（更新）", CAP_ACCOUNTS, 0},
    {"password", "アカウント情報管理", "パスワード変更", CAP_SESSION, 0},
    {"bulk_upload", "アカウント一括登録", "アカウント一括登録", CAP_BULK, 0},
    {"bulk_results", "アカウント一括登録", "アカウント一括登録結果", CAP_BULK, 0},
    {"history_checks", "問い合わせ管理", "資格確認履歴照会", CAP_HISTORY_CHECKS, 0},
    {"history_views", "問い合わせ管理", "医療情報閲覧履歴照会", CAP_HISTORY_VIEWS, 0},
    {"settings", "環境設定情報管理", "環境設定情報更新", CAP_SETTINGS, 0},
    {"test_data", "環境設定情報管理", "テスト用データセットアップ", CAP_TEST_DATA, 0},
    {"reader_operation", "顔認証付きカードリーダー管理", "顔認証付きカードリーダー操作",
     CAP_READERS, 0},
    {"reader_display", "顔認証付きカードリーダー管理", "顔認証付きカードリーダー環境設定",
     CAP_READERS, 0},
    {"visit_urls", "医療機関別URL取得・変更", "医療機関別URL取得・変更", CAP_VISIT, 0},
    {"audit", "操作履歴", "操作履歴", CAP_AUDIT, 0},
};
const size_t menu_items_count = sizeof menu_items / sizeof menu_items[0];
