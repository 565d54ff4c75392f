"""Texts are about their ticket: two tickets of one company spell store 0001 differently, and
each ticket's 完了報告, 設定依頼書 and customer text name it as that ticket filed it."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.factories import new_raw, walk_to
from workflow import partner
from workflow.service import Workflow
from workflow.spec_sheet import build_xlsx

OLD = "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店"
NEW = "0001:居酒屋データ分析 目黒本館\n0002:データ分析カフェ 目黒川店"


def _xlsx_text(data: bytes) -> str:
    ws = load_workbook(BytesIO(data)).active
    assert ws is not None
    return "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)


def test_each_ticket_names_its_stores_as_it_filed_them(wf: Workflow) -> None:
    sales = wf.actor("tanaka", "田中")
    first = wf.file_request("new", new_raw(stores=OLD), actor=sales).id
    walk_to(wf, first, "customer_notified")
    # The second ticket of the same company renames 0001; the registry now has its spelling.
    second = wf.file_request("new", new_raw(stores=NEW), actor=sales).id
    walk_to(wf, second, "customer_notified")
    registry = {r.store_code: r.store_name for r in wf.store_links("67890")}
    names = {first: "居酒屋データ分析 目黒本店", second: "居酒屋データ分析 目黒本館"}
    assert registry["0001"] in names.values()  # the registry keeps one spelling only

    for ticket_id, name in names.items():
        other = next(n for t, n in names.items() if t != ticket_id)
        comment = partner.kintone_comment_text(wf, ticket_id)
        customer = partner.customer_notice(wf, ticket_id, channel="mail").body
        data = partner.spec_sheet_data(wf, ticket_id)
        sheet = _xlsx_text(build_xlsx(data))
        assert f"・0001：{name}　まかせてネット店舗コード" in comment
        assert f"・0001：{name}\n" in customer
        assert (data.stores[0].code, data.stores[0].name) == ("0001", name)
        assert name in sheet
        for text in (comment, customer, sheet):
            assert other not in text


def test_ticket_links_lists_a_store_the_registry_lost_as_unlinked(wf: Workflow) -> None:
    view = wf.get(wf.file_request("new", new_raw(stores=OLD), actor=wf.actor("tanaka")).id)
    rows = wf.ticket_links(view)
    assert [(r.store_code, r.store_name, r.state) for r in rows] == [
        ("0001", "居酒屋データ分析 目黒本店", "未連携"),
        ("0002", "データ分析カフェ 目黒川店", "未連携")]
