#include "core/menu.h"

const struct menu_item menu_items[] = {
    {"qualification_card", "マイナンバーカードで確認", "資格情報照会（マイナンバーカード）",
     "qualification", 0},
    {"qualification_insurance", "保険証／処方箋で確認", "資格情報照会（被保険者証）",
     "qualification", 0},
    {"account_register", "アカウント情報管理", "アカウント管理（登録）", "accounts", 1},
    {"account_update", "アカウント情報管理", "アカウント管理（更新）", "accounts", 0},
    {"password", "アカウント情報管理", "パスワード変更", "session", 0},
    {"bulk_upload", "アカウント一括登録", "アカウント一括登録", "bulk", 0},
    {"bulk_results", "アカウント一括登録", "アカウント一括登録結果", "bulk", 0},
    {"history_checks", "問い合わせ管理", "資格確認履歴照会", "history_checks", 0},
    {"history_views", "問い合わせ管理", "医療情報閲覧履歴照会", "history_views", 0},
    {"settings", "環境設定情報管理", "環境設定情報更新", "settings", 0},
    {"test_data", "環境設定情報管理", "テスト用データセットアップ", "test_data", 0},
    {"reader_operation", "顔認証付きカードリーダー管理", "顔認証付きカードリーダー操作", "readers",
     0},
    {"reader_display", "顔認証付きカードリーダー管理", "顔認証付きカードリーダー環境設定",
     "readers", 0},
    {"visit_urls", "医療機関別URL取得・変更", "医療機関別URL取得・変更", "visit", 0},
    {"audit", "操作履歴", "操作履歴", "audit", 0},
};
const size_t menu_items_count = sizeof menu_items / sizeof menu_items[0];
