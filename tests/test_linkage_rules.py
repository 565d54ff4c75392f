"""One set of linkage rules (seed section 2) at every entry point, through the service."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.dbs import Database
from tests.factories import change_raw, new_raw, walk_to
from tests.slack_harness import Clock
from workflow.errors import NotFound, ValidationFailed
from workflow.linkage import RawLink, StoreLink
from workflow.service import Workflow
from workflow.settings import Settings

START, END = date(2026, 12, 7), date(2027, 11, 30)  # after the harness clock's 2026-11-24


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def flow(database: Database, settings: Settings, clock: Clock) -> Workflow:
    return Workflow(database.factory, settings, clock=clock)


def _to_setup(wf: Workflow, raw: dict[str, object], kind: str = "new") -> int:
    ticket = wf.file_request(kind, raw, actor=wf.actor("tanaka"))
    walk_to(wf, ticket.id, "partner_setup")
    return ticket.id


def test_only_the_tickets_stores_and_never_0000(flow: Workflow) -> None:
    ticket = _to_setup(flow, new_raw(stores="0001:目黒本店"))
    planner = flow.actor("kikaku")
    with pytest.raises(ValidationFailed) as err:
        flow.advance(ticket, "complete_setup", actor=planner, makasete_company_code="12345",
                     links=[StoreLink("0001", "1", START, END), StoreLink("0002", "2", START, END),
                            RawLink("０", "3", "2026-12-07", "2027-11-30")])
    messages = [e.message for e in err.value.errors]
    assert "店舗0002 店舗CD: 店舗CD 0002 はこの依頼の対象店舗ではありません" in messages
    assert any(m.startswith("店舗0 店舗CD: 0:企業管理店舗は") for m in messages)
    assert flow.get(ticket).status == "partner_setup"


def test_a_makasete_store_code_is_unique_within_the_makasete_company(flow: Workflow) -> None:
    first = _to_setup(flow, new_raw(stores="0001:目黒本店"))
    planner = flow.actor("kikaku")
    flow.advance(first, "complete_setup", actor=planner, makasete_company_code="12345",
                 links=[StoreLink("0001", "67890", START, END)])
    more = _to_setup(flow, new_raw(stores="0002:目黒川店"))  # 増店 of the same company
    with pytest.raises(ValidationFailed, match="67890 はすでに店舗0001で使われています"):
        flow.advance(more, "complete_setup", actor=planner, makasete_company_code="12345",
                     links=[StoreLink("0002", "67890", START, END)])
    with pytest.raises(ValidationFailed, match="すでにまかせてネット企業コード 12345 で連携"):
        flow.advance(more, "complete_setup", actor=planner, makasete_company_code="54321",
                     links=[StoreLink("0002", "67891", START, END)])
    done = flow.advance(more, "complete_setup", actor=planner, makasete_company_code="12345",
                        links=[StoreLink("0002", "67891", START, END)])
    assert done.status == "setup_completed"


def test_a_change_keeps_the_linkage_already_recorded(flow: Workflow, clock: Clock) -> None:
    first = _to_setup(flow, new_raw(stores="0001:目黒本店\n0002:目黒川店"))
    planner = flow.actor("kikaku")
    flow.advance(first, "complete_setup", actor=planner, makasete_company_code="12345",
                 links=[StoreLink("0001", "67890", START, END),
                        StoreLink("0002", "67891", START, END)])
    clock.now = datetime(2027, 1, 12, 1, 0, tzinfo=UTC)  # 連携開始日 is in the past now
    change = _to_setup(flow, change_raw(stores="0001:目黒本店\n0002:目黒川店",
                                        desired_date="2027-01-25"), kind="change")
    # the modal pre-filled with what is recorded submits as it is
    kept = flow.preview_linkage(change, makasete_company_code="12345", links=[
        RawLink("0001", "67890", START.isoformat(), END.isoformat()),
        RawLink("0002", "67891", "2027/01/20", END.isoformat())])
    assert kept.errors == [] and (kept.new, kept.changed, kept.kept) == (0, 1, 1)
    # a changed date must be today or later
    with pytest.raises(ValidationFailed, match="店舗0002 連携開始日: 連携開始日は本日以降"):
        flow.advance(change, "complete_setup", actor=planner, makasete_company_code="12345",
                     links=[StoreLink("0001", "67890", START, END),
                            StoreLink("0002", "67891", date(2027, 1, 5), END)])
    done = flow.advance(change, "complete_setup", actor=planner, makasete_company_code="12345",
                        links=kept.links)
    assert done.status == "setup_completed"
    rows = {r.store_code: r for r in flow.store_links("67890")}
    assert rows["0001"].start_date == START and rows["0002"].start_date == date(2027, 1, 20)


def test_stores_link_refuses_unknown_companies_and_normalises_codes(flow: Workflow) -> None:
    with pytest.raises(NotFound, match="renkei request new"):
        flow.link_stores(company_code="99999", makasete_company_code="1",
                         links=[RawLink("0001", "1", "2026-12-07", "2027-11-30")])
    with pytest.raises(ValidationFailed, match="企業CDは半角数字"):
        flow.link_stores(company_code="67890x", makasete_company_code="1", links=[])
    flow.file_request("new", new_raw(stores="0001:目黒本店"), actor=flow.actor("tanaka"))
    rows = flow.link_stores(company_code="６７８９０", makasete_company_code="１２３",
                            links=[RawLink("０００１", "６７８９０", "2026/12/07", "2027/11/30")])
    linked = [r for r in rows if r.state == "連携済"]
    assert [(r.store_code, r.makasete_store_code, r.makasete_company_code) for r in linked] == [
        ("0001", "67890", "123")]
    with pytest.raises(ValidationFailed, match="連携開始日を日付で入力してください"):
        flow.link_stores(company_code="67890", makasete_company_code="123",
                         links=[RawLink("0001", "67890", "きょう", "2027/11/30")])

