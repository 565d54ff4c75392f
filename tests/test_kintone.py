"""The Kintone 定型文: compared byte for byte with hand-written golden files from the seed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from workflow.forms import RequestForm, StoreEntry
from workflow.kintone import (
    INQUIRY_HEADER,
    TITLES,
    format_jp_date,
    inquiry_items_line,
    render_kintone_text,
)

GOLDEN = Path(__file__).parent / "golden"

SEED_STORES = (
    StoreEntry(code="0001", name="居酒屋データ分析 目黒本店"),
    StoreEntry(code="0002", name="データ分析カフェ 目黒川店"),
    StoreEntry(code="0003", name="ラーメン・つけめん札幌店"),
    StoreEntry(code="0004", name="金町駅前店"),
    StoreEntry(code="0005", name="渋谷店"),
    StoreEntry(code="0006", name="イオン板橋店"),
    StoreEntry(code="0007", name="すかいらーく町田店"),
)
COMMON: dict[str, Any] = {
    "customer_code": "123456",
    "company_code": "67890",
    "company_name": "株式会社データ分析",
}

FORMS: dict[str, RequestForm] = {
    "new_one_store": RequestForm(
        kind="new", stores=SEED_STORES[:1], desired_date=date(2026, 12, 1), **COMMON
    ),
    "new_many_stores": RequestForm(
        kind="new",
        stores=SEED_STORES,
        desired_date=date(2026, 12, 1),
        remarks="駐車場の有無を確認済み\r\n0003は12月中旬に改装予定です。",
        **COMMON,
    ),
    "change_one_store": RequestForm(
        kind="change",
        stores=SEED_STORES[:1],
        desired_date=date(2027, 1, 12),
        payment_items=("PayPay", "楽天ペイ"),
        **COMMON,
    ),
    "change_many_stores": RequestForm(
        kind="change",
        stores=SEED_STORES[:2],
        desired_date=date(2026, 12, 1),
        payment_items=("PayPay", "楽天ペイ"),
        discounts=("学割10%引",),
        customer_segments=("インバウンド",),
        remarks="全店同日に反映をお願いします。",
        **COMMON,
    ),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_golden(name: str) -> None:
    expected = (GOLDEN / f"{name}.txt").read_bytes()
    assert render_kintone_text(FORMS[name]).encode("utf-8") == expected


def test_inquiry_lines_match_the_seed() -> None:
    assert INQUIRY_HEADER == "【USENお問い合わせ受付フォーム】 お問い合わせ項目"
    assert inquiry_items_line() == (
        "大項目：USENレジ商材 中項目：USENレジ（PC） 関連サービス 小項目：サービス連携"
    )
    assert TITLES == {
        "new": "まかせてネット新規連携依頼になります。",
        "change": "まかせてネット設定変更依頼になります。",
    }


def test_format_jp_date_has_no_padding() -> None:
    assert format_jp_date(date(2026, 12, 1)) == "12月1日"
    assert format_jp_date(date(2027, 1, 9)) == "1月9日"


def test_change_remarks_skip_empty_lists_and_keep_free_text() -> None:
    form = RequestForm(
        kind="change",
        stores=SEED_STORES[:1],
        desired_date=date(2026, 12, 1),
        customer_segments=("インバウンド",),
        remarks="1行目\n2行目",
        **COMMON,
    )
    assert render_kintone_text(form).endswith("・備考：追加した客層：インバウンド\n1行目\n2行目\n")


def test_new_remarks_line_is_exact_when_empty() -> None:
    text = render_kintone_text(FORMS["new_one_store"])
    assert text.splitlines()[-1] == "・備考："
    assert "\r" not in render_kintone_text(FORMS["new_many_stores"])
