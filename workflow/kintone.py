"""The Kintone 定型文 of the seed (1-4 新規・増店, 1-5 設定変更), rendered from a RequestForm.

The text is pasted as-is into the USEN inquiry form, so it must match the seed byte for byte:
full-width colons, the ・ bullets, 、 between several stores, LF line ends.
"""

from __future__ import annotations

from datetime import date

from workflow.forms import CHANGE_LIST_FIELDS, FIELD_LABELS, RequestForm

INQUIRY_HEADER = "【USENお問い合わせ受付フォーム】 お問い合わせ項目"
INQUIRY_ITEMS: dict[str, str] = {
    "大項目": "USENレジ商材",
    "中項目": "USENレジ（PC） 関連サービス",
    "小項目": "サービス連携",
}
TITLES: dict[str, str] = {
    "new": "まかせてネット新規連携依頼になります。",
    "change": "まかせてネット設定変更依頼になります。",
}
# Several stores (or added items) are listed on one line, separated as a person would.
LIST_SEPARATOR = "、"


def inquiry_items_line() -> str:
    """The seed's 大項目 / 中項目 / 小項目 line, e.g. "大項目：USENレジ商材 中項目：…"."""
    return " ".join(f"{key}：{value}" for key, value in INQUIRY_ITEMS.items())


def format_jp_date(d: date) -> str:
    """A date as the 定型文 writes it: "12月1日" (no year, no zero padding)."""
    return f"{d.month}月{d.day}日"


def _remarks_block(form: RequestForm) -> str:
    # The seed asks a change request to state in 備考 what was added; each list gets its
    # own line so the partner can copy it into まかせてネット's mapping.
    lines = [
        f"{FIELD_LABELS[key]}：{LIST_SEPARATOR.join(items)}"
        for key in CHANGE_LIST_FIELDS
        if (items := getattr(form, key))
    ]
    if form.remarks:
        lines.append(form.remarks.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(lines)


def render_kintone_text(form: RequestForm) -> str:
    """The full 定型文 for a request, LF line ends and a final newline, ready to paste."""
    lines = [
        INQUIRY_HEADER,
        inquiry_items_line(),
        "",
        TITLES[form.kind],
        f"・顧客CD：{form.customer_code}",
        f"・企業CD：{form.company_code}",
        f"・店舗CD：{LIST_SEPARATOR.join(store.code for store in form.stores)}",
        f"・企業名：{form.company_name}",
        f"・店舗名：{LIST_SEPARATOR.join(store.name for store in form.stores)}",
        f"・{form.date_label()}：{format_jp_date(form.desired_date)}",
        f"・備考：{_remarks_block(form)}",
    ]
    return "\n".join(lines) + "\n"
