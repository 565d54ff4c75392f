"""Outgoing work that could not go out (bot/integrations/failures.py)."""

from __future__ import annotations

from bot.messages.slack import PENDING_LABELS
from workflow.labels import document_label

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
