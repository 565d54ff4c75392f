"""Customer message, Kintone 完了報告 comment and SLA reminder: pure texts, golden files."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from workflow.notices import (
    CONFIRM_BUTTON_LABEL,
    customer_message,
    jp_date,
    kintone_completion_comment,
    reminder_text,
)
from workflow.schemas import StoreLinkView, StoreView, TicketView

GOLDEN = Path(__file__).parent / "golden"
STORES = [("0001", "居酒屋データ分析 目黒本店"), ("0002", "データ分析カフェ 目黒川店")]


def view(kind: str = "new", **overrides: Any) -> TicketView:
    values: dict[str, Any] = dict(
        id=12, kind=kind, kind_label="新規・増店" if kind == "new" else "設定変更",
        status="setup_completed", status_label="設定完了連絡", version=5,
        customer_code="123456", company_code="67890", company_name="株式会社データ分析",
        stores=[StoreView(code=c, name=n) for c, n in STORES],
        desired_date=date(2026, 12, 7),
        date_label="連携開始希望日" if kind == "new" else "設定変更日", remarks="",
        additions={}, requester="tanaka", requester_name="田中", customer_channel=None,
        customer_email="keiri@example.co.jp", return_reason=None,
        created_at=datetime(2026, 11, 24, 1, tzinfo=UTC), step_times={},
        sla_due=date(2026, 12, 1), days_overdue=0, kintone_record_id="101",
        slack_channel=None, slack_ts=None)
    values.update(overrides)
    return TicketView(**values)


def links(start: date = date(2026, 12, 7), *, second_start: date | None = None,
          destination: str = "ex") -> list[StoreLinkView]:
    rows = [StoreLinkView(company_code="67890", company_name="株式会社データ分析",
                          makasete_company_code="12345", destination=destination,
                          store_code="0000", store_name="企業管理店舗",
                          makasete_store_code=None, start_date=None, end_date=None,
                          state="未連携")]
    for i, (code, name) in enumerate(STORES):
        rows.append(StoreLinkView(
            company_code="67890", company_name="株式会社データ分析",
            makasete_company_code="12345", destination=destination, store_code=code,
            store_name=name, makasete_store_code=f"6789{i}",
            start_date=second_start if (i and second_start) else start,
            end_date=date(2027, 12, 6), state="連携済"))
    return rows


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"notice_{name}.txt"
    if os.environ.get("RENKEI_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("channel", ["slack", "mail", "manual"])
def test_customer_message_new_golden(channel: Any) -> None:
    message = customer_message(view(), links(), channel=channel)
    check_golden(f"new_{channel}", f"件名: {message.subject}\n\n{message.body}")


def test_customer_message_change_golden() -> None:
    message = customer_message(
        view("change", additions={"payment_items": ["PayPay", "楽天ペイ"],
                                  "discounts": ["学割10%引"], "customer_segments": []}),
        links(), channel="mail")
    check_golden("change_mail", f"件名: {message.subject}\n\n{message.body}")


def test_customer_message_is_polite_and_complete() -> None:
    message = customer_message(view(), links(), channel="mail")
    body = message.body
    assert body.startswith("株式会社データ分析\nご担当者様\n\nいつもお世話になっております。")
    assert "まかせてネットEXとのデータ連携設定が完了いたしました。" in body
    assert "2026年12月7日（月）" in body
    assert "・0001：居酒屋データ分析 目黒本店" in body
    assert "企業管理店舗" not in body  # the management record is not a store of the ticket
    assert "このメールにご返信ください。" in body
    assert CONFIRM_BUTTON_LABEL not in body
    assert "0120-210-440" in body
    assert "データ連携設定完了のお知らせ" in message.subject


def test_customer_message_slack_points_to_the_button() -> None:
    body = customer_message(view(), links(), channel="slack").body
    assert f"「{CONFIRM_BUTTON_LABEL}」ボタン" in body
    assert "ご返信" not in body


def test_customer_message_start_dates_per_store_when_they_differ() -> None:
    body = customer_message(view(), links(second_start=date(2026, 12, 14)),
                            channel="mail").body
    assert "【連携開始日】\n2026年12月7日（月）\n" in body  # the earliest
    assert "・0002：データ分析カフェ 目黒川店（連携開始日：2026年12月14日（月））" in body


def test_customer_message_names_the_destination_system() -> None:
    message = customer_message(view(), links(destination="net"), channel="mail")
    assert "USENレジとまかせてネットとのデータ連携設定" in message.body
    assert "まかせてネットEX" not in message.subject


def test_customer_message_without_linkage_rows_uses_ticket_stores() -> None:
    body = customer_message(view(), [], channel="manual").body
    assert "2026年12月7日（月）" in body  # the desired date
    assert "・0002：データ分析カフェ 目黒川店" in body
    assert "担当者までご連絡ください" in body


def test_kintone_completion_comment() -> None:
    text = kintone_completion_comment(view(), links())
    assert text.startswith("ジャストプランニングより連携設定完了の連絡がありました。\n")
    assert "・まかせてネット企業コード：12345" in text
    assert ("・0001：居酒屋データ分析 目黒本店　まかせてネット店舗コード：67890　"
            "連携期間：2026/12/07〜2027/12/06　連携済") in text
    assert "0000" not in text


def test_reminder_text_mentions_and_counts_days() -> None:
    text = reminder_text(view(status="partner_setup"), mention="<@U123>", days_late=2)
    assert text.startswith("<@U123> 依頼 #12（株式会社データ分析）の連携設定が期限（12月1日）を"
                           "2営業日過ぎています。")
    assert reminder_text(view(), mention="", days_late=1).startswith("依頼 #12")


def test_jp_date() -> None:
    assert jp_date(date(2026, 11, 28)) == "2026年11月28日（土）"
