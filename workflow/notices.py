"""Texts the bot sends outside the ticket form: the customer's お客様へご連絡 (seed step 6),
the Kintone 完了報告 comment (step 5) and the SLA reminder to planning (step 4).

Pure functions of snapshots (TicketView, StoreLinkView): no database, no Slack. Golden files in
tests/golden/notice_*.txt hold the customer texts byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from workflow.schemas import StoreLinkView, TicketView

Channel = Literal["slack", "mail", "manual"]
CONFIRM_BUTTON_LABEL = "データ連携を確認しました"
DESTINATION_LABELS = {"ex": "まかせてネットEX", "net": "まかせてネット"}
_WEEKDAYS = "月火水木金土日"
# The seed's last page: who the customer calls, and when.
SUPPORT_LINES = (
    "USENレジに関するお問い合わせ：0120-210-440（年中無休/24時間受付）",
    "まかせてネットに関するお問い合わせ：03-3730-1909（受付時間：24時間サポート）",
)
_CLOSING_INSTRUCTIONS: dict[Channel, str] = {
    "slack": f"データが連携されていることをご確認いただけましたら、"
             f"このメッセージの「{CONFIRM_BUTTON_LABEL}」ボタンを押してください。",
    "mail": "データが連携されていることをご確認いただけましたら、このメールにご返信ください。",
    "manual": "データが連携されていることをご確認いただけましたら、担当者までご連絡ください。",
}


@dataclass(frozen=True)
class CustomerMessage:
    """A message to the customer: a subject (mail only; Slack shows it as a heading) and body."""

    subject: str
    body: str


def jp_date(d: date) -> str:
    """A date as a polite letter writes it: 2026年12月7日（月）."""
    return f"{d.year}年{d.month}月{d.day}日（{_WEEKDAYS[d.weekday()]}）"


def _ticket_links(ticket: TicketView, links: list[StoreLinkView]) -> list[StoreLinkView]:
    """The linkage rows of the ticket's stores, in the ticket's order."""
    by_code = {link.store_code: link for link in links
               if link.company_code == ticket.company_code}
    return [by_code[s.code] for s in ticket.stores if s.code in by_code]


def _destination(rows: list[StoreLinkView]) -> str:
    return DESTINATION_LABELS.get(rows[0].destination if rows else "ex", "まかせてネットEX")


def _start_date(ticket: TicketView, rows: list[StoreLinkView]) -> date:
    starts = [row.start_date for row in rows if row.start_date]
    return min(starts) if starts else ticket.desired_date


def customer_message(ticket: TicketView, links: list[StoreLinkView], *,
                     channel: Channel) -> CustomerMessage:
    """The お客様へご連絡 text: the integration is set, from which date, for which stores.

    `links` are the company's linkage rows (`Workflow.store_links`); only the ticket's stores
    are listed. `channel` picks the closing instruction: the Slack button, a mail reply, or
    (manual) a contact the planner passes on.
    """
    rows = _ticket_links(ticket, links)
    dest = _destination(rows)
    names = {s.code: s.name for s in ticket.stores}
    change = ticket.kind == "change"
    if change:
        subject = f"【USENレジ】{dest}の設定変更完了のお知らせ（{ticket.company_name}様）"
        done = (f"ご依頼いただいておりました{dest}の設定変更"
                "（支払科目・値割引・客層）が完了いたしました。")
        when = "下記の設定変更日より、変更後の設定でデータが連携されます。"
        date_title, start = "【設定変更日】", ticket.desired_date
        check = f"追加いただいた設定が{dest}に正しく反映されていることをご確認ください。"
    else:
        subject = f"【USENレジ】{dest}とのデータ連携設定完了のお知らせ（{ticket.company_name}様）"
        done = f"ご依頼いただいておりましたUSENレジと{dest}とのデータ連携設定が完了いたしました。"
        when = f"下記の連携開始日より、対象店舗のデータが{dest}へ自動で連携されます。"
        date_title, start = "【連携開始日】", _start_date(ticket, rows)
        check = "上記店舗の売上データが表示されていることをご確認ください。"

    lines = [f"{ticket.company_name}", "ご担当者様", "",
             "いつもお世話になっております。USENでございます。", "", done, when, "",
             date_title, jp_date(start), "", "【対象店舗】"]
    # Per-store dates only when they differ; otherwise the date above says it once.
    several = not change and len({row.start_date for row in rows}) > 1
    for row in rows:
        started = (f"（連携開始日：{jp_date(row.start_date)}）"
                   if several and row.start_date else "")
        lines.append(f"・{row.store_code}：{names.get(row.store_code) or row.store_name}"
                     f"{started}")
    if not rows:
        lines += [f"・{s.code}：{s.name}" for s in ticket.stores]
    if change:
        lines += ["", "【追加した設定】"]
        for key, label in (("payment_items", "支払科目"), ("discounts", "値割引"),
                           ("customer_segments", "客層")):
            if items := ticket.additions.get(key):
                lines.append(f"・{label}：{'、'.join(items)}")
    lines += [
        "", "【ご確認のお願い】",
        "各店舗で閉局（レジ締め）を行うと、売上データ・精算レポートなどが"
        f"{dest}へ自動で連携されます。",
        f"{date_title[1:-1]}の翌日以降に{dest}へログインいただき、{check}",
        "※ネットワークがオフラインの間は一時的に連携されませんが、復旧後に自動で反映されます。",
        "", _CLOSING_INSTRUCTIONS[channel], "",
        "ご不明な点がございましたら、下記までお問い合わせください。", *SUPPORT_LINES, "",
        "今後ともどうぞよろしくお願いいたします。",
    ]
    return CustomerMessage(subject=subject, body="\n".join(lines) + "\n")


def kintone_completion_comment(ticket: TicketView, links: list[StoreLinkView]) -> str:
    """The 完了報告 posted as a comment on the ticket's Kintone record (seed step 5)."""
    rows = _ticket_links(ticket, links)
    company = rows[0].makasete_company_code if rows else None
    lines = ["ジャストプランニングより連携設定完了の連絡がありました。", "",
             f"・企業CD：{ticket.company_code}",
             f"・企業名：{ticket.company_name}",
             f"・まかせてネット企業コード：{company or '未登録'}"]
    for row in rows:
        period = f"{_ymd(row.start_date)}〜{_ymd(row.end_date)}"
        lines.append(f"・{row.store_code}：{row.store_name}　まかせてネット店舗コード："
                     f"{row.makasete_store_code or '未登録'}　連携期間：{period}　{row.state}")
    lines += ["", "お客様へ設定完了のご連絡をいたします。"]
    return "\n".join(lines) + "\n"


def _ymd(d: date | None) -> str:
    return d.strftime("%Y/%m/%d") if d else "未設定"


def reminder_text(ticket: TicketView, *, mention: str, days_late: int) -> str:
    """The daily reminder in the ticket's thread while 連携設定 is past its SLA.

    `mention` is whatever the adapter uses to notify planning (`<@U123>`, `<!subteam^S1>`);
    `days_late` counts business days after the due date.
    """
    due = f"{ticket.sla_due.month}月{ticket.sla_due.day}日" if ticket.sla_due else "期限"
    prefix = f"{mention} " if mention else ""
    return (f"{prefix}依頼 #{ticket.id}（{ticket.company_name}）の連携設定が期限（{due}）を"
            f"{days_late}営業日過ぎています。ジャストプランニングへ進捗をご確認のうえ、"
            "完了していれば「設定完了を記録」を押してください。")
