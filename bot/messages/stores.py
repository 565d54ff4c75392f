"""Many stores: several inputs, files, the returned 設定依頼書 (issue 8)."""

from __future__ import annotations

from bot.messages.slack import EXTRA_LABELS

# ---- many stores: several inputs, files, the returned 設定依頼書 (issue 8) ---------------------
STORES_FILE_LABEL = "対象店舗のファイル（.csv / .xlsx / .txt）"
STORES_FILE_HINT = ("USENレジ管理画面の店舗一覧の形式（1行に「0001:店舗名」、または2列"
                    "「店舗CD,店舗名」）。最大300店舗。下の入力欄と合わせて使えます")
STORES_ALL_LABEL = "登録済みの店舗"
STORES_ALL_OPTION = "この企業の登録済み店舗をすべて"
STORES_ALL_HINT = "renkeiがこの企業CDで知っている店舗（以前の依頼の店舗）をすべて対象にします"
STORES_MORE_HINT = "入りきらない店舗は次の欄へ（1欄3,000文字まで）。ファイルでも送れます"
STORES_FILE_NAME = "ファイル"
LINKAGE_FILE_LABEL = "返送された設定依頼書（.xlsx / .csv）"
LINKAGE_FILE_HINT = ("ジャストプランニングが黄色の列（まかせてネット企業コード・店舗コード・"
                     "連携開始日・連携終了日）を記入した設定依頼書。添付すると下の入力より優先し、"
                     "確認画面が出ます")
LINKAGE_COMPANY_OPTIONAL_HINT = "最小1桁、最大5桁の半角数字（設定依頼書に記入があれば空欄で可）"
LINKAGE_PREVIEW_TITLE = "設定完了の確認"
LINKAGE_PREVIEW_SUBMIT = "この内容で記録"
LINKAGE_ERRORS_TITLE = "設定依頼書のエラー"
LINKAGE_ERRORS_INTRO = "設定依頼書に次の問題があります。修正したファイルを添付し直してください。"
FILE_UNREADABLE = "添付ファイルを取得できませんでした。もう一度添付してください"
LINKAGE_COMPANY_DIFFERS = "入力欄と設定依頼書のまかせてネット企業コードが異なります"
LINKAGE_NEED_COMPANY = ("まかせてネット企業コードを入力してください"
                        "（設定依頼書にも記入がありません）")
SHELL_FILE = ":file パス でファイルを指定、空欄でなし"
SHELL_CHECK = "y/N"


def stores_input_label(number: int, first: int | None = None, last: int | None = None) -> str:
    """The label of the n-th store text input: with the store positions it was pre-filled
    with (再提出), else by its number."""
    if first is not None and last is not None:
        return f"対象店舗（{first}〜{last}）"
    return "対象店舗" if number == 1 else f"対象店舗（{number}欄目）"


def links_input_label(number: int) -> str:
    return EXTRA_LABELS["links"] if number == 1 else f"{EXTRA_LABELS['links']}（{number}欄目）"


def no_registered_stores(company_code: str) -> str:
    return f"企業CD {company_code} の登録済み店舗はありません（店舗を入力してください）"


def linkage_preview(file_name: str, total: int, new: int, changed: int, kept: int,
                    company: str) -> str:
    return (f"*{file_name}* を読み込みました。\n店舗 {total}件（新規 {new}・変更 {changed}・"
            f"変更なし {kept}）　まかせてネット企業コード: {company}\n"
            "内容を確認して「この内容で記録」を押すと、設定完了として記録します。")


def linkage_preview_row(code: str, name: str, mk: str, start: str, end: str) -> str:
    return f"{code}:{name} → {mk}（{start}〜{end}）"


def linkage_errors_count(count: int) -> str:
    return f"エラー {count}件"


def linkage_errors_more(count: int) -> str:
    return (f"ほか{count}件（すべての問題は、設定依頼書を依頼のスレッドにアップロードすると"
            "一覧できます）")


def shell_no_file(path: str) -> str:
    return f"ファイルがありません: {path}"


def sheet_recorded(ticket_id: int) -> str:
    return (f":white_check_mark: 依頼 #{ticket_id} の設定完了を、"
            "この設定依頼書の内容で記録しました。")
