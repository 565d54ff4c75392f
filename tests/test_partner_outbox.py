"""Kintone and e-mail end to end without Slack: a ticket walks the seven steps with the
ON_ENTER effects of workflow/effects.py, and the outbox is drained with the real handlers
against a local fake Kintone and a local SMTP server. Failures keep the work pending, never
the transition."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.integrations.outgoing import Outgoing
from bot.integrations.senders import RESUBMITTED_PREFIX, make_handlers
from bot.slack.notifier import Notifier
from tests.conftest import NOW
from tests.dbs import Database
from tests.factories import new_raw, walk_to
from tests.kintone_fake import FakeKintone, error
from tests.slack_emulator import Emulator
from tests.smtp_fake import Inbox, LocalSMTP
from workflow import effects, outbox, service
from workflow.db import utcnow
from workflow.models import OutboxJob
from workflow.outbox import Handler
from workflow.service import Workflow
from workflow.settings import Settings

MINE = ("kintone.record", "kintone.comment", "customer.message")


def test_each_step_names_its_outgoing_work() -> None:
    assert service.ON_ENTER is effects.ON_ENTER
    assert service.ON_ENTER["kintone_requested"] == ("kintone.record",)
    assert service.ON_ENTER["customer_notified"] == ("customer.message",)


def make_wf(database: Database, **env: str) -> Workflow:
    settings = Settings.model_validate({"RENKEI_PLANNING_USERS": "kikaku,suzuki", **env})
    return Workflow(database.factory, settings, clock=lambda: NOW)


@pytest.fixture
def wf(database: Database, kintone: FakeKintone,
       smtp: tuple[LocalSMTP, Inbox]) -> Workflow:
    return make_wf(database, KINTONE_BASE_URL=kintone.url, KINTONE_APP_ID=kintone.app_id,
                   KINTONE_API_TOKEN=kintone.token, SMTP_HOST="127.0.0.1",
                   SMTP_PORT=str(smtp[0].port), SMTP_FROM="renkei@usen.example",
                   SMTP_STARTTLS="false")


def handlers(wf: Workflow, slack: Handler | None = None) -> dict[str, Handler]:
    # Only this file's kinds: the partner's 設定依頼書 mail is tested in test_web_mail.py.
    return {kind: handler for kind, handler in
            make_handlers(wf, wf.settings, slack_customer_message=slack).items()
            if kind in MINE}


def drain(wf: Workflow, *, later: bool = False,
          slack: Handler | None = None) -> outbox.DrainResult:
    def now() -> datetime:
        # `later`: an hour on, so a job put off by its backoff is due again.
        return utcnow() + timedelta(hours=1) if later else utcnow()

    return outbox.drain(wf.factory, handlers(wf, slack), worker="test", now=now)


def job(wf: Workflow, kind: str) -> OutboxJob:
    with wf.factory() as session:
        rows = session.query(OutboxJob).filter(OutboxJob.kind == kind).all()
    assert len(rows) == 1, rows
    return rows[0]


def file(wf: Workflow, **contact: str) -> int:
    return wf.file_request("new", new_raw(), actor=wf.actor("tanaka", "田中"), **contact).id


def test_whole_path_posts_record_comment_and_mail(wf: Workflow, kintone: FakeKintone,
                                                  smtp: tuple[LocalSMTP, Inbox]) -> None:
    ticket_id = file(wf, customer_email="keiri@example.co.jp")
    assert drain(wf).sent == 0  # nothing of ours before Kintone依頼
    walk_to(wf, ticket_id, "kintone_requested")
    assert drain(wf).sent == 1
    [record] = kintone.records
    assert record == {"問い合わせ内容": {"value": wf.kintone_text(ticket_id)},
                      "顧客CD": {"value": "123456"}, "企業CD": {"value": "67890"},
                      "企業名": {"value": "株式会社データ分析"}}
    assert record["問い合わせ内容"]["value"].startswith("【USENお問い合わせ受付フォーム】")
    assert wf.get(ticket_id).kintone_record_id == "1"

    walk_to(wf, ticket_id, "setup_completed")
    assert drain(wf).sent == 1
    [comment] = kintone.comments
    assert comment["record"] == "1"
    assert "・まかせてネット企業コード：12345" in comment["text"]

    walk_to(wf, ticket_id, "customer_notified")
    assert drain(wf).sent == 1
    [(rcpt, message)] = smtp[1].messages
    assert rcpt == ["keiri@example.co.jp"]
    assert message["Subject"] == ("【USENレジ】まかせてネットEXとのデータ連携設定完了のお知らせ"
                                  "（株式会社データ分析様）")
    part = message.get_body(("plain",))
    assert part is not None
    body = part.get_content()
    assert "まかせてネットEXとのデータ連携設定が完了いたしました。" in body
    assert "このメールにご返信ください。" in body

    assert drain(wf, later=True).sent == 0  # nothing twice
    assert not set(MINE) & set(wf.get(ticket_id).pending_jobs)
    assert (len(kintone.records), len(kintone.comments), len(smtp[1].messages)) == (1, 1, 1)


def test_kintone_down_keeps_the_job_pending_then_sends_once(wf: Workflow,
                                                            kintone: FakeKintone) -> None:
    ticket_id = file(wf)
    kintone.fail(503, body={"message": "maintenance"})
    walk_to(wf, ticket_id, "kintone_requested")
    before = utcnow()
    assert drain(wf).retried == 1
    pending = job(wf, "kintone.record")
    assert pending.state == "pending"
    assert pending.next_attempt_at >= before
    assert "503" in pending.last_error
    view = wf.get(ticket_id)
    assert view.status == "kintone_requested"  # the transition stands
    assert "kintone.record" in view.pending_jobs
    assert view.kintone_record_id is None
    assert kintone.records == []

    assert drain(wf, later=True).sent == 1  # Kintone is back and the job is due
    assert drain(wf, later=True).sent == 0
    assert len(kintone.records) == 1
    view = wf.get(ticket_id)
    assert view.kintone_record_id == "1"
    assert "kintone.record" not in view.pending_jobs
    assert job(wf, "kintone.record").state == "done"


def test_a_retried_job_adds_no_second_record(wf: Workflow, kintone: FakeKintone) -> None:
    ticket_id = file(wf)
    walk_to(wf, ticket_id, "kintone_requested")
    record_job = job(wf, "kintone.record")
    handle = handlers(wf)["kintone.record"]
    handle(record_job)
    handle(record_job)  # e.g. the job row was not marked done before a crash
    assert len(kintone.records) == 1
    assert kintone.comments == []


def test_resubmitted_request_is_commented_on_the_same_record(wf: Workflow,
                                                             kintone: FakeKintone) -> None:
    ticket_id = file(wf)
    walk_to(wf, ticket_id, "kintone_requested")
    drain(wf)
    wf.advance(ticket_id, "send_back", actor=wf.actor("kikaku"), note="店舗が足りません")
    wf.advance(ticket_id, "resubmit", actor=wf.actor("tanaka"),
               form=new_raw(stores="0001:居酒屋データ分析 目黒本店\n0004:金町駅前店"))
    wf.advance(ticket_id, "request_kintone", actor=wf.actor("tanaka"))
    assert drain(wf).sent == 1
    assert len(kintone.records) == 1
    [comment] = kintone.comments
    assert comment["text"].startswith(RESUBMITTED_PREFIX)
    assert "0004" in comment["text"]


def test_kintone_error_json_goes_dead_and_shows_pending(wf: Workflow,
                                                        kintone: FakeKintone) -> None:
    ticket_id = file(wf)
    kintone.fail(400, body=error("CB_VA01", "入力内容が正しくありません。"))
    walk_to(wf, ticket_id, "kintone_requested")
    assert drain(wf).dead == 1
    dead = job(wf, "kintone.record")
    assert dead.state == "dead"
    assert "入力内容が正しくありません。" in dead.last_error
    view = wf.get(ticket_id)
    assert "kintone.record" not in view.pending_jobs  # not waiting: dead, and shown as such
    assert [(j.kind, j.code) for j in view.dead_jobs] == [("kintone.record",
                                                           "kintone:400:CB_VA01")]
    assert outbox.requeue_dead(wf.factory, kinds=["kintone.record"]) == 1
    assert drain(wf, later=True).sent == 1


def test_completion_comment_waits_for_a_pending_record(wf: Workflow,
                                                       kintone: FakeKintone) -> None:
    ticket_id = file(wf)
    kintone.fail(503, times=100)
    walk_to(wf, ticket_id, "setup_completed")
    result = drain(wf)
    assert (result.retried, result.skipped) == (2, 0)
    assert "not posted yet" in job(wf, "kintone.comment").last_error
    kintone.recover()
    assert drain(wf, later=True).sent == 2
    assert [c["record"] for c in kintone.comments] == ["1"]


def test_unconfigured_features_skip_with_reasons(database: Database) -> None:
    wf = make_wf(database)
    ticket_id = file(wf, customer_email="keiri@example.co.jp")
    walk_to(wf, ticket_id, "customer_notified")
    assert drain(wf).skipped == 3
    reasons = {kind: job(wf, kind).last_error for kind in MINE}
    assert "Kintone not configured" in reasons["kintone.record"]
    assert "Kintone not configured" in reasons["kintone.comment"]
    assert "SMTP not configured" in reasons["customer.message"]
    view = wf.get(ticket_id)
    assert view.status == "customer_notified"
    assert not set(MINE) & set(view.pending_jobs)


def test_customer_route_slack_and_manual(wf: Workflow, smtp: tuple[LocalSMTP, Inbox]) -> None:
    slack_id = file(wf, customer_channel="C0123ABCD", customer_email="keiri@example.co.jp")
    manual_id = file(wf)
    for ticket_id in (slack_id, manual_id):
        walk_to(wf, ticket_id, "customer_notified")
    # The real Slack route (Outgoing.customer_in_slack), against the Slack emulator.
    emulator = Emulator()
    try:
        client = WebClient(token="xoxb-test", base_url=emulator.api_url)
        slack = Outgoing(Notifier(wf, client, "", worker="test"), wf.settings)
        result = drain(wf, slack=slack.customer_in_slack)
        posts = emulator.of("chat.postMessage")
    finally:
        emulator.close()
    assert [p.args["channel"] for p in posts] == ["C0123ABCD"]
    assert posts[0].args["text"].startswith("【USENレジ】まかせてネットEXとのデータ連携設定完了")
    assert job_of(wf, slack_id).state == "done"
    assert result.skipped == 1  # the manual one: the planner gets the text
    manual = job_of(wf, manual_id)
    assert manual.state == "skipped"
    assert "no customer contact" in manual.last_error
    assert smtp[1].messages == []  # a Slack channel wins over the e-mail address


def job_of(wf: Workflow, ticket_id: int) -> OutboxJob:
    with wf.factory() as session:
        return session.query(OutboxJob).filter(OutboxJob.kind == "customer.message",
                                               OutboxJob.ticket_id == ticket_id).one()
