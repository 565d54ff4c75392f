"""Mapping drift: 設定変更 drafts started by the register data."""

from __future__ import annotations

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
