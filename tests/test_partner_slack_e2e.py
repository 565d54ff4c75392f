"""The Bar of issue 5, end to end over real HTTP: `/renkei new` to `verified` through the Slack
emulator, with a fake Kintone and a local SMTP server; the 設定依頼書 files opened with
openpyxl from the uploaded bytes; SLA reminders from two schedulers sharing the database;
App Home. Nothing of renkei is mocked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from bot.integrations import reminders
from tests.kintone_fake import FakeKintone
from tests.slack_harness import (
    CHANNEL,
    PLANNER,
    PLANNER2,
    SALES,
    Clock,
    Harness,
    clock,
    harness,
)
from tests.slack_partner import (
    dump,
    jobs,
    link_stores,
    press,
    slack_settings,
    wait_thread,
    workbook_rows,
)
from tests.smtp_fake import Inbox, LocalSMTP
from workflow.service import Workflow

__all__ = ["clock", "harness", "slack_settings"]  # fixtures

DEC_2 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wed 10:00 JST: one business day past due
EMAIL = "keiri@example.co.jp"


class Schedulers:
    """Two replicas' APScheduler BackgroundSchedulers, each with the reminder check of its
    own Workflow object on the shared database."""

    def __init__(self, workflows: list[Workflow]) -> None:
        self.runs = 0
        self.ran = threading.Condition()
        self.schedulers = []
        for wf in workflows:
            scheduler = BackgroundScheduler(timezone="Asia/Tokyo")
            reminders.register(scheduler, wf, minutes=15)
            scheduler.add_listener(self._ran, EVENT_JOB_EXECUTED)
            self.schedulers.append(scheduler)

    def _ran(self, event: JobExecutionEvent) -> None:
        with self.ran:
            self.runs += 1
            self.ran.notify_all()

    def fire(self) -> None:
        """Start (first fire is immediate) or fire again now; wait until every one ran."""
        target = self.runs + len(self.schedulers)
        for scheduler in self.schedulers:
            if scheduler.running:
                scheduler.modify_job(reminders.JOB_ID, next_run_time=datetime.now(UTC))
            else:
                scheduler.start()
        with self.ran:
            assert self.ran.wait_for(lambda: self.runs >= target, timeout=20)

    def close(self) -> None:
        for scheduler in self.schedulers:
            if scheduler.running:
                scheduler.shutdown(wait=True)


@pytest.fixture
def replicas(harness: Harness, clock: Clock) -> Iterator[Schedulers]:
    second = Workflow(harness.ctx.factory, harness.ctx.settings, clock=clock)
    schedulers = Schedulers([harness.wf, second])
    yield schedulers
    schedulers.close()


def test_new_to_verified_with_kintone_files_reminders_mail_and_home(
        harness: Harness, kintone: FakeKintone, smtp: tuple[LocalSMTP, Inbox], clock: Clock,
        replicas: Schedulers) -> None:
    h = harness
    ticket_id = h.file(customer_email=EMAIL)
    assert h.wf.get(ticket_id).customer_email == EMAIL
    # Kintone is configured: the thread does not ask anyone to paste the text
    h.emulator.wait_for(lambda e: len(h.thread_posts()) == 1)
    assert "コピー" not in dump(h.thread_posts()[0].args["blocks"])

    # Kintone依頼: the bot posts the record itself and links it from the message
    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    wait_thread(h, "Kintoneに依頼を登録しました")
    assert kintone.records == [{"問い合わせ内容": {"value": h.wf.kintone_text(ticket_id)},
                                "顧客CD": {"value": "123456"}, "企業CD": {"value": "67890"},
                                "企業名": {"value": "株式会社データ分析"}}]
    assert kintone.records[0]["問い合わせ内容"]["value"].startswith(
        "【USENお問い合わせ受付フォーム】")
    h.settled()
    message = dump(h.message(ticket_id))
    assert f"<{kintone.url}/k/42/show#record=1|レコード #1>" in message
    assert "送信待ち" not in message

    # 設定依頼書送付: .xlsx and .csv in the ticket's thread (files_upload_v2's three steps)
    press(h, ticket_id, "send_spec", PLANNER, "spec_sent")
    h.emulator.wait_for(lambda e: len(e.shared_files()) == 1)
    [(complete, files)] = h.emulator.shared_files()
    ticket = h.wf.get(ticket_id)
    assert complete.args["channel_id"] == CHANNEL
    assert complete.args["thread_ts"] == ticket.slack_ts
    assert "設定依頼書" in complete.args["initial_comment"]
    assert [f.filename for f in files] == [f"設定依頼書_67890_依頼{ticket_id}.xlsx",
                                           f"設定依頼書_67890_依頼{ticket_id}.csv"]
    assert len(h.emulator.of("files.getUploadURLExternal")) == 2
    assert len(h.emulator.of("upload")) == 2
    assert files[0].data is not None and files[1].data is not None
    rows = workbook_rows(files[0].data)
    assert rows[0] == ["まかせてネットEX 連携設定依頼書"]
    assert ["企業名", "株式会社データ分析"] in rows and ["企業CD", "67890"] in rows
    assert ["連携開始希望日", "2026/12/07"] in rows
    assert ["店舗CD", "店舗名", "まかせてネット企業コード", "まかせてネット店舗コード",
            "連携開始日",
            "連携終了日"] in rows
    assert ["0001", "居酒屋データ分析 目黒本店"] in rows  # no まかせてネット codes yet
    assert ["0002", "データ分析カフェ 目黒川店"] in rows
    csv_text = files[1].data.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith(f"#{ticket_id},新規・増店,67890,123456,")

    # 連携設定: the SLA clock; past it, one reminder a business day across two replicas
    press(h, ticket_id, "start_setup", PLANNER2, "partner_setup")
    sla_due = h.wf.get(ticket_id).sla_due
    assert sla_due is not None and sla_due.isoformat() == "2026-12-01"
    replicas.fire()  # still NOW: not overdue
    assert jobs(h, "ticket.reminder") == []
    clock.now = DEC_2
    replicas.fire()
    [reminder] = wait_thread(h, "期限（12月1日）を1営業日過ぎています")
    assert reminder.startswith(f":alarm_clock: <@{PLANNER2}> 依頼 #{ticket_id}")
    replicas.fire()  # both replicas again, later the same day: nothing more
    h.settled()
    assert len(jobs(h, "ticket.reminder")) == 1
    assert len(wait_thread(h, "を1営業日過ぎています")) == 1
    assert "1営業日超過" in dump(h.message(ticket_id))
    clock.now = DEC_2 + timedelta(days=1)  # Thursday: the next business day
    replicas.fire()
    wait_thread(h, "を2営業日過ぎています")
    h.settled()
    assert len(jobs(h, "ticket.reminder")) == 2
    assert sum("営業日過ぎています" in c.args["text"] for c in h.thread_posts()) == 2

    # App Home: my open tickets, counts per step, overdue with days late, links
    published = len(h.emulator.of("views.publish"))
    h.driver.event({"type": "app_home_opened", "user": SALES, "tab": "home"}, event_id="Ev1")
    h.emulator.wait_for(lambda e: len(e.of("views.publish")) > published)
    home = h.emulator.of("views.publish")[-1]
    assert home.args["user_id"] == SALES
    text = dump(home.args["view"])
    link = f"https://slack.com/archives/{CHANNEL}/p{ticket.slack_ts.replace('.', '')}"
    assert f"*<{link}|#{ticket_id}>*" in text
    assert "自分の依頼（進行中）" in text and "連携設定 1件" in text
    assert "連携設定の期限を過ぎた依頼" in text and "2営業日超過" in text

    # 設定完了連絡: store linkage recorded, 完了報告 as a comment on the record
    link_stores(h, ticket_id)
    h.emulator.wait_for(lambda e: len(kintone.comments) == 1)
    assert kintone.comments[0]["record"] == "1"
    assert "・まかせてネット企業コード：12345" in kintone.comments[0]["text"]
    assert [s.state for s in h.wf.store_links("67890") if s.store_code != "0000"] == \
        ["連携済", "連携済"]

    # お客様へご連絡 by e-mail (no Slack channel on this ticket)
    press(h, ticket_id, "notify_customer", PLANNER, "customer_notified")
    wait_thread(h, f"お客様へのご連絡を {EMAIL} にメールしました")
    [(rcpt, mail)] = smtp[1].messages
    assert rcpt == [EMAIL]
    assert mail["Subject"] == ("【USENレジ】まかせてネットEXとのデータ連携設定完了のお知らせ"
                               "（株式会社データ分析様）")
    part = mail.get_body(("plain",))
    assert part is not None
    body = part.get_content()
    assert "・0001：居酒屋データ分析 目黒本店" in body and "2026年12月7日（月）" in body
    assert "このメールにご返信ください" in body

    # 連携の確認 by planning (the customer replied by mail)
    press(h, ticket_id, "verify", PLANNER, "verified")
    h.settled()
    assert len(kintone.records) == 1 and len(smtp[1].messages) == 1
    assert [e.to_status for e in h.wf.get(ticket_id).events][-1] == "verified"
    # App Home was republished for the requester after changes, not only when opened
    assert any(c.args["user_id"] == SALES for c in h.emulator.of("views.publish")[:published])


def test_kintone_down_keeps_the_record_pending_then_it_goes_out_once(
        harness: Harness, kintone: FakeKintone, clock: Clock) -> None:
    h = harness
    kintone.fail(503, times=1000)
    ticket_id = h.file()
    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    h.emulator.wait_for(lambda e: bool(jobs(h, "kintone.record")[0].last_error))
    [job] = jobs(h, "kintone.record")
    assert job.state == "pending" and "503" in job.last_error
    assert h.wf.get(ticket_id).status == "kintone_requested"  # the transition stands
    assert ":outbox_tray: 送信待ち: Kintone登録" in dump(h.message(ticket_id))

    kintone.recover()
    clock.now = clock.now + timedelta(hours=1)  # past any backoff
    h.bot.notifier.kick()
    h.emulator.wait_for(lambda e: len(kintone.records) == 1)
    h.settled()
    assert jobs(h, "kintone.record")[0].state == "done"
    message = dump(h.message(ticket_id))
    assert "送信待ち" not in message and "show#record=1" in message
    h.bot.notifier.drain()
    assert len(kintone.records) == 1
    assert len(wait_thread(h, "Kintoneに依頼を登録しました")) == 1
