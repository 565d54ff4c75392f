"""The terminal adapter and the CLI."""

from __future__ import annotations


# ---- the terminal adapter -------------------------------------------------------------------
def shell_banner(command: str, user: str, planners: list[str]) -> list[str]:
    who = "、".join(planners)
    return [
        "renkei ターミナル版（Slackなしで同じ操作ができます）",
        f"  {command} new / change / list / show 番号 / help   依頼の登録・一覧・詳細",
        "  番号を入力       表示中のボタンを押す（例: 1）",
        "  :home           ホーム（自分の依頼・件数・期限超過）",
        f"  :as ユーザー名   操作する人を切り替える（USEN企画: {who}）",
        "  :file パス       ファイルの入力欄に答える（店舗一覧、返送された設定依頼書）",
        "  :quit           終了",
        f"現在のユーザー: {user}",
    ]


def shell_prompt(user: str, role_label: str) -> str:
    return f"{user}（{role_label}）> "


def shell_switched(user: str, role_label: str) -> str:
    return f"ユーザーを {user}（{role_label}）に切り替えました"


SHELL_NO_BUTTON = "その番号のボタンはありません（表示中のボタンの番号を入力してください）"
SHELL_UNKNOWN = "コマンドが分かりません。:help で使い方を表示します"
SHELL_MODAL_CANCEL = "（:cancel で入力を中止）"
SHELL_MODAL_CANCELLED = "入力を中止しました"
SHELL_OPTIONAL = "（任意）"
SHELL_MULTILINE = "1行に1件、空行で終了"
SHELL_KEEP = "Enterでそのまま: "
SHELL_DATE = "YYYY-MM-DD"
SHELL_FIX = "エラーのある項目をもう一度入力してください。"
SHELL_EPHEMERAL = "（あなたにだけ表示）"
SHELL_THREAD = "スレッド"
SHELL_UPDATED = "更新"
SHELL_SAME_AS_ABOVE = "（上に表示した内容と同じです）"
SHELL_CHANNEL_ID = "チャンネルID（例: C0123ABCD）、空欄でなし"


def shell_channel(channel: str) -> str:
    return f"── #{channel} への投稿 ──"


def shell_file(path: str) -> str:
    return f"  ファイル: {path}"


# ---- the CLI: files and the database ----------------------------------------------------------
def file_missing(path: str) -> str:
    return f"ファイルが見つかりません: {path}"


def file_is_folder(path: str) -> str:
    return f"フォルダーが指定されました。ファイルを指定してください: {path}"


def file_unreadable(path: str) -> str:
    return f"ファイルを読めません（権限を確認してください）: {path}"


def file_encoding(path: str) -> str:
    return f"文字コードが分かりません（UTF-8 または Shift_JIS で保存してください）: {path}"


def json_broken(path: str, line: int, column: int) -> str:
    return f"JSONの形式が正しくありません（{line}行目 {column}文字目）: {path}"


def json_not_object(path: str, found: str) -> str:
    return f"JSONはオブジェクト {{…}} である必要があります（{found}が書かれています）: {path}"


CLI_SENT_BY_RUN = "Slack と Kintone への送信は `renkei run` が行います（記録は保存済みです）"
CLI_ABORTED = "入力を中止しました（何も保存していません）"
JSON_KINDS = {"list": "配列 […]", "str": "文字列", "int": "数値", "float": "数値",
              "bool": "真偽値", "NoneType": "null"}
