"""Slack: the command, the modals, the ticket message and its thread, answers, App Home."""

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
# a submission with an attached file, answered after the ack (bot/slack/late_answer.py)
LATE_READING_TITLE = "読み込み中"
LATE_READING = (":hourglass_flowing_sand: 添付ファイルを読み込んでいます…"
                "このままお待ちください（数秒で結果が表示されます）。")
LATE_DONE_TITLE = "受け付けました"
LATE_DONE = (":white_check_mark: 受け付けました。結果はメッセージでお知らせします。"
             "この画面は閉じてかまいません。")
LATE_FIX_AND_RESEND = (":warning: 入力内容を確認してください（:warning: の付いた項目）。"
                       "直したら、ファイルを添付し直して送信してください。")
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


def errors_more(count: int) -> str:
    """The end of an error under an input that had no room for all of them."""
    return f" / ほか{count}件（直して送信すると続きを表示します）"
