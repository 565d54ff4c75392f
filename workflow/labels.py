"""Every name of a step, an action, a role and a kind, in the seed's words, in one place.

The seed names the steps per kind: 1-2 (新規・増店) sends a 設定依頼書 at step 3 (「設定依頼書
送付」), 1-3 (設定変更) sends 設定情報 (「設定情報送付」); every other step is spelled alike.
Adapters (Slack, terminal, CLI, App Home, the diagram) ask here with the ticket's kind, so a
設定変更 never reads 設定依頼書.
"""

from __future__ import annotations

KINDS = ("new", "change")
KIND_LABELS: dict[str, str] = {"new": "新規・増店", "change": "設定変更"}
ROLE_LABELS: dict[str, str] = {"sales": "営業", "planning": "USEN企画", "customer": "お客様",
                               "partner": "ジャストプランニング", "system": "システム"}

# The seed's step names for 新規・増店 (1-2), and what 設定変更 (1-3) spells differently.
STEP_LABELS: dict[str, str] = {
    "contacted": "連携希望を連絡",
    "kintone_requested": "Kintone依頼",
    "spec_sent": "設定依頼書送付",
    "partner_setup": "連携設定",
    "setup_completed": "設定完了連絡",
    "customer_notified": "お客様へご連絡",
    "verified": "連携の確認",
    "returned": "差し戻し",
    "cancelled": "取消",
}
_STEP_LABELS_BY_KIND: dict[str, dict[str, str]] = {"change": {"spec_sent": "設定情報送付"}}

# The buttons (machine triggers), and the audit actions that are not transitions.
ACTION_LABELS: dict[str, str] = {
    "request_kintone": "Kintone依頼済みにする",
    "send_spec": "設定依頼書を送付",
    "start_setup": "連携設定を開始",
    "complete_setup": "設定完了を記録",
    "notify_customer": "お客様へ連絡済みにする",
    "verify": "データ連携を確認しました",
    "send_back": "差し戻す",
    "resubmit": "修正して再提出",
    "cancel": "取り消す",
    "file": "依頼を登録",
    "edit": "連絡先を変更",
    "outbox_retry": "送信を再送",
}
_ACTION_LABELS_BY_KIND: dict[str, dict[str, str]] = {"change": {"send_spec": "設定情報を送付"}}

# What the partner is sent at step 3: the document's name and its file-name stem.
_DOCUMENTS: dict[str, str] = {"new": "設定依頼書", "change": "設定情報"}


def step_label(state: str, kind: str | None = "new") -> str:
    """A state's name as the seed spells it for `kind`; with kind None (counts over both
    kinds, the diagram) the spellings that differ are joined: 設定依頼書送付／設定情報送付."""
    if kind is None:
        names = dict.fromkeys(step_label(state, k) for k in KINDS)
        return "／".join(names)
    return _STEP_LABELS_BY_KIND.get(kind, {}).get(state) or STEP_LABELS.get(state, state)


def action_label(action: str, kind: str | None = "new") -> str:
    """A button's (or audit action's) label for `kind`."""
    if kind is None:
        return "／".join(dict.fromkeys(action_label(action, k) for k in KINDS))
    return _ACTION_LABELS_BY_KIND.get(kind, {}).get(action) or ACTION_LABELS.get(action, action)


def role_label(role: str) -> str:
    """営業 / USEN企画 / お客様 / システム."""
    return ROLE_LABELS.get(role, role)


def kind_label(kind: str) -> str:
    """新規・増店 / 設定変更."""
    return KIND_LABELS.get(kind, kind)


def document_label(kind: str) -> str:
    """What step 3 sends the partner: 設定依頼書 (新規・増店) or 設定情報 (設定変更)."""
    return _DOCUMENTS.get(kind, _DOCUMENTS["new"])
