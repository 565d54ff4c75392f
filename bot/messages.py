"""Every Japanese string a Slack or terminal user reads, in one catalogue.

Field labels come from `workflow.forms.FIELD_LABELS` (the seed's names); step and action
labels from `workflow.machine`. What is here is the adapter's own wording.
"""

from __future__ import annotations

from workflow.forms import FIELD_LABELS, date_label_for
from workflow.labels import document_label

# ---- the slash command ------------------------------------------------------------------
HELP_TITLE = "renkei（まかせてネットEX連携依頼）の使い方"


def help_lines(command: str) -> list[str]:
    return [
        f"`{command} new` 新規・増店の連携依頼を登録します（連携開始希望日つき）",
        f"`{command} change` 設定変更（支払科目種 / 値割引 / 客層）の依頼を登録します",
        f"`{command} list` 自分の依頼　`{command} list open` 進行中の依頼　"
        f"`{command} list overdue` 連携設定の期限を過ぎた依頼",
        f"`{command} show 番号` 依頼の詳細・履歴・Kintone定型文",
        f"`{command} help` この説明",
    ]


SUPPORT_TITLE = "お問い合わせ先"
SUPPORT_LINES = [
    "USENレジに関するお問い合わせ: 0120-210-440（年中無休/24時間受付）",
    "　USENサービスお客様サポートサイト（各サービスのよくあるご質問）: https://support.usen.com/",
    "まかせてネットに関するお問い合わせ: 03-3730-1909（受付時間：24時間サポート）",
    "　ジャストプランニングお問い合わせ: https://www.justweb.co.jp/contact/",
]


def unknown_subcommand(command: str, text: str) -> str:
    return f"「{text}」は分かりませんでした。`{command} help` で使い方を表示します。"


def bad_ticket_number(command: str) -> str:
    return f"依頼番号を指定してください（例: `{command} show 12`）"


LIST_TITLES = {
    "mine": "自分の依頼",
    "open": "進行中の依頼",
    "overdue": "連携設定の期限を過ぎた依頼",
}
LIST_EMPTY = "該当する依頼はありません。"


def unknown_list_filter(command: str, which: str) -> str:
    choices = "　".join(f"`{command} list {k}` {v}" for k, v in LIST_TITLES.items())
    return f"「{which}」では絞り込めません。指定できるのは: {choices}"


def unknown_status(status: str, choices: list[tuple[str, str]]) -> str:
    listed = "、".join(f"{name}（{label}）" for name, label in choices)
    return f"「{status}」という状態はありません。指定できる状態: {listed}"


def list_more(shown: int, total: int) -> str:
    return f"ほか {total - shown} 件（`list` の結果は新しい順に{shown}件まで表示）"


# ---- the intake modal -------------------------------------------------------------------
MODAL_TITLES = {"new": "新規・増店の依頼", "change": "設定変更の依頼"}
MODAL_RESUBMIT_TITLE = "依頼を修正して再提出"
SUBMIT = "登録"
RESUBMIT = "再提出"
CANCEL = "キャンセル"
CLOSE = "閉じる"
INTAKE_INTRO = {
    "new": "お客様から伺った企業コード・対象店舗・希望日を入力してください。"
           "登録するとKintoneに貼り付ける定型文が作られます。",
    "change": "設定変更の内容を入力してください。支払科目・値割引・客層で「追加」されたものを"
              "1行に1つずつ書くと、備考に記載されます。",
}
PLACEHOLDERS = {
    "customer_code": "例: 123456",
    "company_code": "例: 67890",
    "company_name": "例: 株式会社データ分析",
    "stores": "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店",
    "remarks": "任意",
    "payment_items": "例: PayPay（1行に1つ）",
    "discounts": "例: 学割10%引（1行に1つ）",
    "customer_segments": "例: 学生（1行に1つ）",
}
HINTS = {
    "customer_code": "半角数字（全角で入力しても自動で半角になります）",
    "company_code": "USENレジの企業CD（半角数字）",
    "stores": "1行に1店舗、USENレジ管理画面の表示どおり「0001:店舗名」の形式で。"
              "複数店の場合は対象店舗を全て記載してください。",
    "desired_date": "3〜5営業日以上先の日付（店舗数が多い場合は最大1週間）",
}


def field_label(field: str, kind: str = "new") -> str:
    """The label of a form or linkage field, as the seed names it."""
    if field == "desired_date":
        return date_label_for(kind) if kind in ("new", "change") else FIELD_LABELS[field]
    return FIELD_LABELS.get(field) or EXTRA_LABELS.get(field, field)


EXTRA_LABELS = {
    "note": "差し戻しの理由",
    "customer_channel": "お客様のSlackチャンネル",
    "customer_email": "お客様メールアドレス",
    "makasete_company_code": "まかせてネット企業コード",
    "makasete_store_code": "まかせてネット店舗コード",
    "start_date": "連携開始日",
    "end_date": "連携終了日",
    "links": "店舗ごとの連携設定",
    "service": "連携サービス",
    "reason": "対象外にする理由",
}

CONTACT_HINTS = {
    "customer_channel": "Slackコネクトでお客様と共有しているチャンネル（任意）。"
                        "設定完了のご連絡はここに投稿されます",
    "customer_email": "Slackチャンネルがない場合、設定完了のご連絡をこのアドレスへ"
                      "メールします（任意）",
}
CONTACT_PLACEHOLDERS = {
    "customer_channel": "チャンネルを選択",
    "customer_email": "例: tanaka@example.co.jp",
}

# ---- 差し戻し and 設定完了 modals ---------------------------------------------------------
SEND_BACK_TITLE = "差し戻し"
SEND_BACK_SUBMIT = "差し戻す"
SEND_BACK_INTRO = "営業に依頼を差し戻します。不足している情報や修正してほしい点を書いてください。"
SEND_BACK_PLACEHOLDER = "例: 対象店舗に0004:金町駅前店が抜けています"
# 取り消す: Slack's confirm dialog on the button, then a reason (kept in the audit trail).
CANCEL_CONFIRM_TITLE = "依頼を取り消しますか？"
CANCEL_CONFIRM_TEXT = ("この依頼を取り消します。取り消した依頼は元に戻せません。"
                       "次の画面で取り消しの理由を入力してください。")
CANCEL_CONFIRM_YES = "取り消しへ進む"
CANCEL_CONFIRM_NO = "やめる"
CANCEL_TITLE = "依頼の取り消し"
CANCEL_SUBMIT = "取り消す"
CANCEL_INTRO = "この依頼を取り消します。取り消しの理由を書いてください（履歴に残ります）。"
CANCEL_NOTE_LABEL = "取り消しの理由"
CANCEL_PLACEHOLDER = "例: お客様のご都合で連携を見送ることになりました"
SHELL_CONFIRM_YN = "よろしいですか？ [y/N]: "
SHELL_CONFIRM_NO = "取り消しをやめました"
LINKAGE_SERVICE_HINT = "お客様が利用するサービス。売上データの送信先が変わります"
LINKAGE_TITLE = "設定完了を記録"
LINKAGE_SUBMIT = "記録する"
LINKAGE_INTRO = ("ジャストプランニングから届いた連携設定を記録します"
                 "（USENレジ管理画面「設定>外部連携設定>まかせてネット」と同じ内容）。")
LINKAGE_COMPANY_HINT = "最小1桁、最大5桁の半角数字"
LINKAGE_STORE_HINT = "最小1桁、最大6桁の半角数字（例: 67890）"
LINKAGE_BULK_HINT = ("1行に1店舗「店舗CD,まかせてネット店舗コード,連携開始日,連携終了日」"
                     "（例: 0001,67890,2026-12-01,2027-11-30）")


# ---- the ticket message -----------------------------------------------------------------
def ticket_title(kind_label: str, company_name: str, ticket_id: int) -> str:
    return f"【{kind_label}】{company_name}（依頼 #{ticket_id}）"


def ticket_fallback(ticket_id: int, kind_label: str, company_name: str, status_label: str) -> str:
    return f"依頼 #{ticket_id} {kind_label} {company_name}: {status_label}"


LABEL_CUSTOMER = "顧客CD"
LABEL_COMPANY = "企業CD"
LABEL_STORES = "対象店舗"
LABEL_REQUESTER = "依頼者"
LABEL_STATUS = "状態"
LABEL_ADDITIONS = "追加された項目"


def stores_count(n: int) -> str:
    return f"（{n}店舗）"


def stores_more(n: int) -> str:
    return f"ほか{n}店舗"


def sla_line(due: str, days_overdue: int) -> str:
    if days_overdue > 0:
        return f":warning: 連携設定の期限 {due}（{days_overdue}営業日超過）"
    return f":hourglass_flowing_sand: 連携設定の期限 {due}"


def returned_line(reason: str) -> str:
    return f":leftwards_arrow_with_hook: 差し戻し理由: {reason}"


LABEL_CONTACT = "お客様連絡先"
CONTACT_NONE = "未登録（設定完了のご連絡はUSEN企画から）"
CONTACT_BUTTON = "お客様連絡先を変更"
CONTACT_TITLE = "お客様連絡先"
CONTACT_SUBMIT = "保存"
CONTACT_INTRO = ("設定完了のご連絡先です。Slackチャンネルがあればそこへ、なければメールで"
                 "お送りします。どちらもない場合は、ご連絡文をUSEN企画にお渡しします。")
CONTACT_FORBIDDEN = "お客様の連絡先を変更できるのは依頼者ご本人かUSEN企画のみです"


def contact_line(channel: str | None, email: str | None) -> str:
    parts = ([f"<#{channel}>"] if channel else []) + ([email] if email else [])
    return f"*{LABEL_CONTACT}*: {' / '.join(parts) if parts else CONTACT_NONE}"


def kintone_link(url: str, record_id: str) -> str:
    return f":link: Kintone: <{url}|レコード #{record_id}>"


# Outgoing work still waiting to go out (outbox job kinds) as the ticket message shows it.
PENDING_LABELS = {
    "kintone.record": "Kintone登録",
    "spec.document": "設定依頼書",
    "kintone.comment": "Kintone完了報告",
    "customer.message": "お客様へのご連絡",
    "ticket.reminder": "期限超過のリマインド",
    "mapping.draft": "設定変更の下書きの投稿",
}

CANCELLED_LINE = ":no_entry_sign: この依頼は取り消されました"
VERIFIED_LINE = ":tada: データ連携を確認しました。お疲れさまでした"
KINTONE_BUTTON = "Kintone定型文"
NO_ACTIONS = "この段階で押せるボタンはありません"


def pending_line(kinds: list[str]) -> str:
    return f":outbox_tray: 送信待ち: {'、'.join(kinds)}"


# ---- thread posts -------------------------------------------------------------------------
def event_line(who: str, role_label: str, action_label: str, to_label: str, when: str) -> str:
    return f"{who}（{role_label}）が「{action_label}」→ *{to_label}*（{when}）"


def filed_line(who: str, role_label: str, when: str) -> str:
    return f"{who}（{role_label}）が依頼を登録しました（{when}）"


def note_line(note: str) -> str:
    return f"> {note}"


KINTONE_HEADER = "Kintoneに貼り付ける定型文（そのままコピーしてください）:"

def reminder(text: str) -> str:
    return f":alarm_clock: {text}"


KINTONE_POSTED = ":white_check_mark: Kintoneに依頼を登録しました"
KINTONE_COMMENTED = ":white_check_mark: Kintoneに完了報告をコメントしました"


def kintone_posted(link: str) -> str:
    return f"{KINTONE_POSTED}: {link}"


def spec_comment(ticket_id: int, company_name: str, stores: int, kind: str = "new") -> str:
    return (f":page_facing_up: {document_label(kind)}（依頼 #{ticket_id} {company_name}・"
            f"{stores}店舗）です。"
            "ジャストプランニングへお送りください（.xlsx と、システム取り込み用の .csv）。")


def kintone_comment_by_hand(reason: str) -> str:
    return (f":memo: Kintoneへの完了報告を自動で投稿できませんでした（{reason}）。"
            "下記をKintoneのレコードにコメントしてください:")


KINTONE_REASON_UNSET = "Kintone連携が設定されていません"
KINTONE_REASON_NO_RECORD = "この依頼のKintoneレコードがありません"


def customer_by_hand(mention: str, reason: str) -> str:
    who = f"{mention} " if mention else ""
    return (f"{who}:envelope: お客様へのご連絡を自動で送れませんでした（{reason}）。"
            "下記の文面をお客様へお送りください:")


CUSTOMER_REASON_NONE = "お客様の連絡先（Slackチャンネル・メールアドレス）が登録されていません"
CUSTOMER_REASON_NO_SMTP = "メール送信（SMTP）が設定されていません"


def customer_reason_slack(error: str) -> str:
    return f"お客様のSlackチャンネルに投稿できませんでした: {error}"


def customer_sent_slack(channel: str) -> str:
    return f":white_check_mark: お客様へのご連絡を <#{channel}> に投稿しました"


def customer_sent_mail(email: str) -> str:
    return f":white_check_mark: お客様へのご連絡を {email} にメールしました"


# The customer's side (Slack Connect): nothing internal, only the confirmation.
def customer_thanks(when: str) -> str:
    return f":white_check_mark: データ連携のご確認ありがとうございました（{when}）"


CUSTOMER_ALREADY = (":white_check_mark: データ連携はすでにご確認いただいております。"
                    "ありがとうございます")
CUSTOMER_NOT_NOW = ("このボタンは現在ご利用いただけません。お手数ですが、USENの担当者まで"
                    "ご連絡ください。")
CUSTOMER_ONLY_CONFIRM = "お客様はこのボタンのみご利用いただけます。"
# Another workspace's user (Slack Connect) trying a command or opening App Home.
EXTERNAL_COMMAND = ("恐れ入りますが、このコマンドはUSENの社内向けです。ご不明な点は"
                    "USENの担当者までお問い合わせください。")
EXTERNAL_HOME = ("このアプリはUSENの社内向けです。データ連携のご確認は、チャンネルに"
                 "お送りしたメッセージのボタンからお願いいたします。")
# An internal user pressing the customer's button.
CUSTOMER_CONFIRM_INTERNAL = ("「データ連携を確認しました」はお客様ご本人（またはUSEN企画）が"
                             "押すボタンです。営業の方は押せません。お客様にご確認をお願いして"
                             "ください。")

# ---- input that cannot be a ticket and database trouble ------------------------------------
BAD_BUTTON = "このボタンは正しくありません。メッセージを開き直してからもう一度お試しください。"


def temporary_error(error_id: str) -> str:
    """A database (or similar) failure while handling a person's request: nothing was
    changed, they can try again; the id finds the log line."""
    return f"一時的なエラーです。もう一度お試しください（エラーID: {error_id}）"

# ---- answers to the person who acted ------------------------------------------------------


def filed(ticket_id: int, channel_mention: str) -> str:
    where = f"{channel_mention} に投稿します。" if channel_mention else ""
    return f":white_check_mark: 依頼 #{ticket_id} を登録しました。{where}"


def resubmitted(ticket_id: int) -> str:
    return f":white_check_mark: 依頼 #{ticket_id} を再提出しました。"


def done(ticket_id: int, action_label: str) -> str:
    return f":white_check_mark: 依頼 #{ticket_id}: 「{action_label}」を記録しました。"


def already_at(label: str, status_label: str) -> str:
    return f"「{label}」はできません: この依頼はすでに「{status_label}」に進んでいます"


def only_roles(label: str, roles: str) -> str:
    return f"「{label}」は{roles}のみ操作できます"


def failed(message: str) -> str:
    return f":x: {message}"


ERROR_TITLE = "操作できませんでした"
SOMETHING_WRONG = "処理中にエラーが発生しました。時間をおいてもう一度お試しください。"

# ---- App Home -------------------------------------------------------------------------------
HOME_TITLE = "まかせてネットEX連携依頼"
HOME_MINE = "自分の依頼（進行中）"
HOME_OPEN = "進行中の依頼（USEN企画）"
HOME_COUNTS = "ステップごとの件数"
HOME_COUNTS_MINE = "ステップごとの件数（自分の依頼）"
HOME_OVERDUE = "連携設定の期限を過ぎた依頼"
HOME_UPDATED = "更新"


def home_count(label: str, count: int) -> str:
    return f"{label} {count}件"


def days_late(n: int) -> str:
    return f":warning: {n}営業日超過"


def home_updated(when: str) -> str:
    return f"{HOME_UPDATED}: {when}"

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


def shell_no_file(path: str) -> str:
    return f"ファイルがありません: {path}"


def sheet_recorded(ticket_id: int) -> str:
    return (f":white_check_mark: 依頼 #{ticket_id} の設定完了を、"
            "この設定依頼書の内容で記録しました。")


# ---- outgoing work that could not go out (bot/integrations/failures.py) -------------------
SERVICE_NAMES = {"slack": "Slack", "kintone": "Kintone", "smtp": "メールサーバー",
                 "error": "送信処理"}
FAILURE_REASONS = {
    "slack:ratelimited": "Slackの送信回数制限のため、しばらく待って再送します",
    "slack:channel_not_found": "投稿先のSlackチャンネルが見つかりません",
    "slack:not_in_channel": "ボットが投稿先のチャンネルに参加していません",
    "slack:is_archived": "投稿先のチャンネルがアーカイブされています",
    "slack:channel_is_archived": "投稿先のチャンネルがアーカイブされています",
    "slack:invalid_blocks": "メッセージの形式をSlackが受け付けませんでした",
    "slack:invalid_blocks_format": "メッセージの形式をSlackが受け付けませんでした",
    "slack:msg_too_long": "メッセージが長すぎるためSlackが受け付けませんでした",
    "slack:msg_blocks_too_long": "メッセージが長すぎるためSlackが受け付けませんでした",
    "slack:token_revoked": "ボットのトークンが無効になっています（再インストールが必要です）",
    "slack:token_expired": "ボットのトークンの有効期限が切れています",
    "slack:invalid_auth": "ボットの認証に失敗しました（トークンを確認してください）",
    "slack:not_authed": "ボットの認証に失敗しました（トークンを確認してください）",
    "slack:account_inactive": "ボットのアカウントが無効になっています",
    "slack:missing_scope": "ボットに必要な権限（スコープ）がありません",
    "slack:no_permission": "ボットにこの操作の権限がありません",
    "slack:invalid_arguments": "Slackへの送信内容が正しくありません",
    "slack:message_not_found": "依頼のメッセージが削除されています",
    "slack:thread_not_found": "依頼のスレッドが見つかりません",
    "slack:connection": "Slackに接続できません",
    "slack:message_not_posted": "依頼メッセージの投稿を待っています",
    "kintone:waiting_for_record": "Kintoneレコードの登録を待っています",
    "kintone:CB_VA01": ("Kintoneが入力内容を受け付けませんでした"
                        "（フィールドの設定を確認してください）"),
    "kintone:CB_NO02": "KintoneのAPIトークンに必要な権限がありません",
    "kintone:CB_AU01": "KintoneのAPIトークンが正しくありません",
    "kintone:GAIA_IA02": "KintoneのAPIトークンが正しくありません",
    "kintone:GAIA_AP01": "Kintoneのアプリが見つかりません",
    "kintone:GAIA_IL23": "Kintoneのアプリが見つかりません",
    "kintone:GAIA_RE01": "Kintoneのレコードが見つかりません",
    "kintone:400": "Kintoneが依頼内容を受け付けませんでした",
    "kintone:401": "Kintoneの認証に失敗しました（APIトークンを確認してください）",
    "kintone:403": "Kintoneへのアクセスが許可されていません",
    "kintone:404": "Kintoneのアプリまたはレコードが見つかりません",
    "kintone:429": "Kintoneの利用制限のため、しばらく待って再送します",
    "kintone:0": "Kintoneに接続できません",
    "smtp:535": ("メールサーバーのログインに失敗しました"
                 "（SMTPのユーザー・パスワードを確認してください）"),
    "smtp:530": "メールサーバーが認証を求めています（SMTPの設定を確認してください）",
    "smtp:550": "宛先のメールアドレスをメールサーバーが受け付けませんでした",
    "smtp:553": "宛先または差出人のメールアドレスが正しくありません",
    "smtp:554": "メールサーバーが送信を拒否しました",
    "smtp:5xx": "メールサーバーが送信を拒否しました",
    "smtp:4xx": "メールサーバーが一時的に受け付けていません",
    "smtp:connection": "メールサーバーに接続できません",
}
FAILURE_OTHER_JOB = "先の送信"
FAILURE_UNKNOWN = "原因不明のエラーです（運用担当者がログを確認できます）"


def failure_generic(service: str) -> str:
    return f"{service}への送信でエラーが発生しました"


def failure_depends(waited: str) -> str:
    return f"先に送る「{waited}」が送信できなかったため"


TICKET_MESSAGE_LABEL = "依頼メッセージ・スレッド投稿"
REPOSTED_HISTORY = (":information_source: 依頼メッセージが削除されていたため、投稿し直しました。"
                    "これまでの経過（新しい順）:")
OUTBOX_RETRY_BUTTON = "再送する"


def dead_line(label: str, reason: str) -> str:
    return f":warning: 送信できませんでした: {label}（{reason}）"


def dead_notice(mention: str, ticket_id: int, label: str, reason: str, command: str) -> str:
    who = f"{mention} " if mention else ""
    return (f"{who}:warning: 依頼 #{ticket_id} の「{label}」を送信できませんでした: {reason}。"
            f"原因を解消したら、依頼メッセージの「{OUTBOX_RETRY_BUTTON}」か "
            f"`renkei outbox retry --ticket {ticket_id}` で再送してください。")


def outbox_requeued(ticket_id: int, labels: list[str]) -> str:
    return f":repeat: 依頼 #{ticket_id}: {'、'.join(labels)} を再送します。"


OUTBOX_NOTHING_DEAD = "この依頼に再送が必要な送信はありません。"
OUTBOX_NOTHING_DEAD_ANYWHERE = "再送が必要な送信はありません。"
OUTBOX_RETRY_ONLY_PLANNING = "再送できるのはUSEN企画のみです"
OUTBOX_RETRY_NOTE = "送信できなかった送信を再送"


def home_dead(count: int) -> str:
    return (f":warning: 送信できなかった送信が {count} 件あります"
            "（原因を解消してから右の「すべて再送する」、依頼ごとなら依頼メッセージの「再送する」。"
            "`renkei outbox list --dead` で一覧）")


HOME_RETRY_ALL = "すべて再送する"


def home_requeued(count: int) -> str:
    return f":repeat: 送信できなかった送信 {count} 件を再送します。"


def dead_notice_unticketed(mention: str, label: str, reason: str, job_id: int) -> str:
    """Planning's DM for a dead job of no ticket (a drift draft's post)."""
    who = f"{mention} " if mention else ""
    return (f"{who}:warning: 「{label}」を送信できませんでした: {reason}。"
            f"原因を解消したら、App Homeの「{HOME_RETRY_ALL}」か "
            f"`renkei outbox retry {job_id}` で再送してください。")


def job_label(kind: str, ticket_kind: str = "new") -> str:
    """The name people know an outbox job kind by; step 3's document by the ticket's kind
    (設定依頼書 for 新規・増店, 設定情報 for 設定変更)."""
    if kind == "ticket.event":
        return TICKET_MESSAGE_LABEL
    if kind == "spec.document":
        return document_label(ticket_kind)
    return PENDING_LABELS.get(kind, FAILURE_OTHER_JOB)
# ---- mapping drift (設定変更 drafts started by the register data) -------------------------
DRIFT_FILE = "この内容で設定変更を依頼"
DRIFT_IGNORE = "対象外にする"
DRIFT_IGNORE_TITLE = "対象外にする"
DRIFT_IGNORE_SUBMIT = "対象外にする"
DRIFT_IGNORE_INTRO = ("この下書きの項目は、今後の差分チェックでも下書きになりません。"
                      "理由は記録に残ります。")
DRIFT_IGNORE_PLACEHOLDER = "例: 社内テスト用の支払科目のため"
DRIFT_COMPANY_MASTER = "企業マスタ"
DRIFT_HOME = "未対応の設定変更の下書き"
DRIFT_NONE = "未対応の下書きはありません。"
DRIFT_FILED_NOTE = "設定変更の下書きから登録しました"


def drift_title(mention: str, company_name: str, company_code: str) -> str:
    lead = f"{mention} " if mention else ""
    return (f"{lead}:mag: *{company_name}（企業CD {company_code}）* のレジで、"
            "ジャストプランニングにまだ連絡していない項目が使われています。"
            "設定変更の依頼が必要です（まかせてネットEXが正しく計上できません）。")


def drift_item(label: str, code: str, name: str, where: str, since: str) -> str:
    return f"• {label} `{code}` {name} — {where}（{since}から）"


def drift_earliest(date_text: str) -> str:
    return f"設定変更日は {date_text} 以降を選べます（営業日の余裕を見ています）。"


def drift_filed(ticket_id: int, by: str) -> str:
    return f":white_check_mark: <@{by}> が設定変更 #{ticket_id} として依頼しました。"


def drift_ignored(by: str, reason: str) -> str:
    return f":no_entry_sign: <@{by}> が対象外にしました（理由: {reason}）。"


def drift_home_line(draft_id: int, company_name: str, company_code: str, count: int) -> str:
    return f"下書き{draft_id}　{company_name}（企業CD {company_code}）　新しい項目 {count}件"


def drift_terminal(draft_id: int) -> str:
    return f"（設定変更の下書き {draft_id}: `renkei mapping drift` でも確認できます）"


def drift_more_stores(count: int) -> str:
    return f" ほか{count}店舗"


def drift_more(count: int) -> str:
    return f"ほか {count} 件（`renkei mapping drift` で全件を表示）"


# ---- long texts and listings (Slack's limits) -----------------------------------------------
def part_label(number: int, total: int) -> str:
    return f"（{number}/{total}）"


def split_notice(total: int) -> str:
    return (f"長いため{total}分割で表示します。（1/{total}）から順に、続けて貼り付けてください"
            "（全文は添付の .txt ファイルにもあります）。")


def plain_fallback(text: str) -> str:
    """A heading as the notification text (no markup, short)."""
    return text.replace("*", "")[:300]


def parts_fallback(first: int, last: int, total: int) -> str:
    shown = f"{first}" if first == last else f"{first}〜{last}"
    return f"続き（{shown}/{total}）"


def txt_comment(what: str) -> str:
    return f":page_facing_up: {what}の全文（.txt ファイル）です。"


TXT_KINTONE = "Kintone定型文"
TXT_COMPLETION = "Kintoneへの完了報告"
TXT_CUSTOMER = "お客様へのご連絡文"


def text_elsewhere(what: str, chars: int, ticket_id: int) -> str:
    return (f"{what}（{chars:,}文字）は長いため、ここには表示していません。"
            f"全文は依頼 #{ticket_id} のスレッドの .txt ファイルにあります"
            "（「Kintone定型文」ボタンでも分割して表示します）。")


def kintone_too_long(chars: int) -> str:
    return (f"Kintone定型文（{chars:,}文字）は長いため、ここには表示していません。"
            "「Kintone定型文」ボタンで分割して表示します。")


def history_more(n: int, ticket_id: int) -> str:
    return f"ほか{n}件（古い履歴）は `renkei tickets show {ticket_id}` またはスレッドで"


def listing_more(n: int, command: str) -> str:
    return f"ほか{n}件は `{command}` で"


def additions_more(n: int) -> str:
    return f" ほか{n}件（全件は定型文の備考に）"


def all_stores_where() -> str:
    return "（全店舗は「Kintone定型文」と設定依頼書に）"


def linkage_bulk_notice(stores: int, inputs: int) -> str:
    return (f"対象店舗が{stores}店舗あるため、1行に1店舗の形式で入力します"
            f"（入力欄{inputs}つに分けています。どの欄に書いても構いません）。")


def reason_more(chars: int) -> str:
    return f"…（全文{chars:,}文字はスレッドに）"
HOME_MORE_MINE = "/renkei list"
HOME_MORE_OPEN = "/renkei list open"
HOME_MORE_OVERDUE = "/renkei list overdue"
# Where the whole list is when `/renkei list` shows only what fits.
def list_cli(which: str, user: str) -> str:
    return {"open": "renkei tickets list --open",
            "overdue": "renkei tickets list --overdue"}.get(
        which, f"renkei tickets list --requester {user}")


# ---- web pages for people without Slack (bot/web) -------------------------------------------
WEB_FOOTER = "USEN まかせてネット連携窓口"
WEB_REFUSED_TITLE = "このリンクはご利用いただけません"
WEB_REFUSED = {
    "invalid": "リンクが正しくないか、別のご案内用のリンクです。お手数ですが、メールに記載された"
               "リンクをそのまま開いてください。",
    "expired": "リンクの有効期限が切れています。お手数ですが、USENの担当者まで"
               "お問い合わせください。",
    "superseded": "このご依頼について新しいご案内をお送りしています。お手数ですが、最新のメールの"
                  "リンクを開いてください。",
    "gone": "このご依頼は取り消されたか、見つかりませんでした。ご不明な点はUSENの担当者まで"
            "お問い合わせください。",
}
WEB_FORM_EXPIRED = ("画面の有効期限が切れました。お手数ですが、ページを開き直してから"
                    "お送りください。")
WEB_NOT_FOUND = "ページが見つかりません。"
WEB_OPERATOR_ONLY = ("このページを見るには、App Homeの「ダッシュボードを開く」か"
                     "運用トークンが必要です。")

WEB_CUSTOMER_TITLE = "データ連携のご確認"
WEB_CUSTOMER_INTRO = ("データ連携の設定が完了いたしました。下記の店舗のデータが連携されていることを"
                      "ご確認のうえ、ボタンを押してください。")
WEB_CUSTOMER_BUTTON = "データ連携を確認しました"
WEB_CUSTOMER_DONE = "ご確認ありがとうございました。USENの担当者にもお知らせしました。"
WEB_CUSTOMER_USED = "確認済みです"
WEB_CUSTOMER_NOT_YET = "まだ設定完了のご連絡前です。ご連絡後にこのページからご確認いただけます。"

WEB_PARTNER_TITLE = "連携設定の完了連絡（設定完了連絡）"
WEB_PARTNER_INTRO = ("まかせてネットEX側の連携設定が終わりましたら、初回データ連携設定画面（2-2）と"
                     "同じ内容を入力して「設定完了を連絡する」を押してください。")
WEB_PARTNER_REQUEST = "ご依頼の内容"
WEB_PARTNER_STORES = "店舗情報"
WEB_PARTNER_SUBMIT = "設定完了を連絡する"
WEB_PARTNER_XLSX = "記入済みの設定依頼書（.xlsx）で連絡する"
WEB_PARTNER_XLSX_HINT = ("店舗ごとのまかせてネット店舗コード・連携開始日・連携終了日を"
                         "記入した設定依頼書")
WEB_PARTNER_XLSX_SUBMIT = "ファイルを送る"
WEB_PARTNER_XLSX_BAD = ("設定依頼書（.xlsx）を読み取れませんでした。"
                        "お送りいただいたファイルをご確認ください。")
WEB_PARTNER_FIX = "入力内容に誤りがあります。赤字の項目をご確認ください。"
WEB_PARTNER_DONE = "設定完了のご連絡を受け付けました。ありがとうございました。"
WEB_PARTNER_USED = "設定完了のご連絡は受付済みです"
WEB_PARTNER_NOT_YET = ("USEN企画が連携設定を開始すると、このページから設定完了を"
                       "ご連絡いただけます。しばらくお待ちください。")
WEB_PARTNER_HINTS = {
    "makasete_company_code": "最小1桁、最大5桁の半角数字"
                             "（まかせてネット側でPOS企業コードと紐づけます）",
    "makasete_store_code": "最小1桁、最大6桁（例: 67890）",
    "start_date": "本日以降",
    "end_date": "未来日",
}
WEB_ADDITIONS = "設定変更の内容（追加された項目）"


def partner_mail_subject(ticket_id: int, company_name: str) -> str:
    return f"【USEN】まかせてネットEX 連携設定依頼書（{company_name}様・依頼#{ticket_id}）"


def partner_mail_body(company_name: str, stores: int, url: str | None, days: int) -> str:
    link = (f"設定が終わりましたら、下記のページから設定完了をご連絡ください（{days}日間有効）。\n"
            f"{url}\n" if url else "設定が終わりましたら、USEN企画まで設定完了をご連絡ください。\n")
    return ("ジャストプランニング ご担当者様\n\n"
            "いつもお世話になっております。USEN企画でございます。\n\n"
            f"{company_name}様（{stores}店舗）のまかせてネットEX連携設定をお願いいたします。\n"
            "設定依頼書（.xlsx / .csv）を添付いたします。\n\n" + link +
            "\nよろしくお願いいたします。\n")


def customer_link_section(url: str, days: int) -> str:
    return (f"\n\nデータが届いていることをご確認いただけましたら、下記のページで"
            f"「{WEB_CUSTOMER_BUTTON}」を押してください（{days}日間有効）。\n{url}\n")


def partner_reported(mention: str) -> str:
    who = f"{mention} " if mention else ""
    return (f"{who}ジャストプランニングから設定完了連絡が届きました。連携設定の内容をご確認のうえ、"
            "Kintoneで完了報告をお願いします。")


DASHBOARD_BUTTON = "ダッシュボードを開く"
WEB_DASH_TITLE = "renkei ダッシュボード"
WEB_DASH_PERIOD = "集計期間（JST）"
WEB_DASH_STEPS = "ステップ別の依頼数"
WEB_DASH_OVERDUE = "連携設定の期限超過"
WEB_DASH_CYCLE = "ステップ別の所要時間（中央値・p90）"
WEB_DASH_SLA = "パートナーSLA遵守率（月別）"
WEB_DASH_HEALTH = "店舗別のデータ送信状況"
WEB_DASH_DEAD = "送信できなかった処理（dead）"
WEB_DASH_NONE = "ありません"
WEB_DASH_NO_EXPORTER = "エクスポーターのデータはまだありません"
def web_dash_drift(items: int) -> str:
    """A store's drift slot: items the partner was not told, waiting in an open draft."""
    return f"未連絡の項目 {items}件（下書きあり）" if items else "なし"
WEB_HOURS = "時間"
WEB_MEDIAN = "中央値"
WEB_SLA_KEPT = "期限内の割合"
WEB_TICKETS = "件数"
WEB_CHART_CYCLE = "ステップ別の所要時間（時間）"
WEB_CHART_SLA = "パートナーSLA遵守率（%）"
WEB_CHART_STEPS = "ステップ別の依頼数"
WEB_HEALTH_HEADERS = ("企業CD", "店舗CD", "最終送信の営業日", "送信待ち", "dead", "遅延再送",
                      "設定差分の下書き")
WEB_DEAD_HEADERS = ("種別", "ID", "処理", "対象", "試行回数", "理由")
WEB_CYCLE_HEADERS = ("ステップ", "件数", "中央値（時間）", "p90（時間）")
WEB_SLA_HEADERS = ("月", "完了", "期限内", "遵守率")
WEB_PARTNER_NOTE = "ジャストプランニングが設定完了連絡ページから連絡"
WEB_CUSTOMER_NOTE = "お客様がメールのリンクから確認"
