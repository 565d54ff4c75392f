"""Issue 9 part 6, Kintone and SMTP rows of the failure table, against the fake Kintone (real
HTTP) and aiosmtpd: each outcome → the job's fate; a job waiting for a dead one dies with it;
a refused customer mail hands the text to the planner; `renkei outbox list/retry` shows the
dead and brings them back once the fault is mended."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from typer.testing import CliRunner

from bot import context
from bot.cli import app
from bot.integrations import failures
from bot.integrations.senders import make_handlers
from tests.dbs import Database
from tests.factories import new_raw, walk_to
from tests.fate_support import PLANNER, SALES, Sender, make_sender
from tests.kintone_fake import FakeKintone, error
from tests.slack_emulator import Emulator
from tests.smtp_fake import Inbox, LocalSMTP
from workflow import outbox
from workflow.fates import Fate
from workflow.linkage import StoreLink
from workflow.models import OutboxJob, TicketEvent
from workflow.service import Workflow
from workflow.settings import Settings, get_settings

KINTONE_ROWS = [  # (status, Kintone error code, fate)
    (400, "CB_VA01", Fate.PERMANENT), (400, "CB_IJ01", Fate.PERMANENT),
    (401, "", Fate.PERMANENT), (403, "CB_NO02", Fate.PERMANENT), (404, "GAIA_AP01", Fate.PERMANENT),
    (429, "", Fate.TRANSIENT), (500, "", Fate.TRANSIENT), (502, "", Fate.TRANSIENT),
    (503, "GAIA_TO04", Fate.TRANSIENT),
]
SMTP_ROWS = [(421, Fate.TRANSIENT), (451, Fate.TRANSIENT), (452, Fate.TRANSIENT),
             (535, Fate.PERMANENT), (550, Fate.PERMANENT), (553, Fate.PERMANENT),
             (554, Fate.PERMANENT)]


def kintone_wf(database: Database, kintone: FakeKintone) -> Workflow:
    settings = Settings.model_validate({
        "RENKEI_PLANNING_USERS": "kikaku", "KINTONE_BASE_URL": kintone.url,
        "KINTONE_APP_ID": kintone.app_id, "KINTONE_API_TOKEN": kintone.token})
    from tests.conftest import NOW
    return Workflow(database.factory, settings, clock=lambda: NOW)


def jobs(wf: Workflow, kind: str) -> list[OutboxJob]:
    with wf.factory() as session:
        return list(session.query(OutboxJob).filter(OutboxJob.kind == kind)
                    .order_by(OutboxJob.id))


def drain(wf: Workflow, later: float = 0.0) -> outbox.DrainResult:
    from datetime import timedelta

    from workflow.db import utcnow
    return outbox.drain(wf.factory, make_handlers(wf, wf.settings), worker="t",
                        now=lambda: utcnow() + timedelta(seconds=later))


@pytest.mark.parametrize(("status", "code", "fate"), KINTONE_ROWS)
def test_kintone_row(sqlite_db: Database, kintone: FakeKintone, status: int, code: str,
                     fate: Fate) -> None:
    wf = kintone_wf(sqlite_db, kintone)
    ticket_id = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    kintone.fail(status, body=error(code, "エラー") if code else None)
    walk_to(wf, ticket_id, "kintone_requested")
    result = drain(wf)
    [job] = jobs(wf, "kintone.record")
    expected = f"kintone:{status}:{code}" if code else f"kintone:{status}"
    assert job.last_error_code == expected
    if fate == Fate.PERMANENT:
        assert (result.dead, job.state) == (1, "dead")
        assert failures.reason(job.last_error_code).isascii() is False
    else:
        assert (result.retried, job.state) == (1, "pending")
        assert drain(wf, later=3600).sent == 1  # the fault is gone: it goes out


def test_kintone_unreachable_is_transient(sqlite_db: Database, kintone: FakeKintone) -> None:
    wf = kintone_wf(sqlite_db, kintone)
    ticket_id = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    walk_to(wf, ticket_id, "kintone_requested")
    kintone.close()
    assert drain(wf).retried == 1
    assert jobs(wf, "kintone.record")[0].last_error_code == "kintone:0"


def test_the_completion_comment_dies_with_its_record_and_both_come_back(
        sqlite_db: Database, kintone: FakeKintone, monkeypatch: pytest.MonkeyPatch) -> None:
    wf = kintone_wf(sqlite_db, kintone)
    ticket_id = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    kintone.fail(400, body=error("CB_VA01", "入力内容が正しくありません。"))
    walk_to(wf, ticket_id, "setup_completed")
    result = drain(wf)
    assert result.dead == 2  # the record, and the comment that would wait for it forever
    comment = jobs(wf, "kintone.comment")[0]
    assert (comment.state, comment.last_error_code) == ("dead", "depends:kintone.record")
    assert failures.reason(comment.last_error_code) == (
        "先に送る「Kintone登録」が送信できなかったため")

    cli = _cli(sqlite_db, monkeypatch)
    code, out = _run(cli, "outbox", "list", "--dead", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(r["kind"], r["code"]) for r in listed] == [
        ("kintone.comment", "depends:kintone.record"), ("kintone.record", "kintone:400:CB_VA01")]
    code, out = _run(cli, "outbox", "list", "--ticket", str(ticket_id))
    assert code == 0 and "kintone:400:CB_VA01" in out and "dead" in out
    code, out = _run(cli, "outbox", "retry", "--ticket", str(ticket_id))
    assert code == 0
    assert out.index("will retry 2 dead job(s)") < out.index("requeued 2 job(s)")
    assert drain(wf).sent == 2  # mended (the fake accepts now): record, then comment
    assert len(kintone.records) == 1 and len(kintone.comments) == 1
    with wf.factory() as session:
        audit = session.query(TicketEvent).filter(TicketEvent.action == "outbox_retry").one()
    assert (audit.actor, audit.actor_role) == ("cli:cli", "system")
    code, out = _run(cli, "outbox", "list", "--dead")
    assert code == 0 and "no dead jobs" in out


def test_outbox_list_folds_a_long_detail_and_json_keeps_it_whole(
        sqlite_db: Database, kintone: FakeKintone, monkeypatch: pytest.MonkeyPatch) -> None:
    wf = kintone_wf(sqlite_db, kintone)
    ticket_id = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    kintone.fail(400, body=error("CB_VA01", "入力内容が正しくありません。" * 20))
    walk_to(wf, ticket_id, "kintone_requested")
    assert drain(wf).dead == 1
    cli = _cli(sqlite_db, monkeypatch)
    code, out = _run(cli, "outbox", "list", "--dead", "--json")
    [row] = json.loads(out)
    assert code == 0 and row["detail"].count("入力内容が正しくありません。") == 20
    code, out = _run(cli, "outbox", "list", "--dead")
    folded = "".join(line.strip("│ ") for line in out.splitlines())
    assert code == 0 and "(--json: whole)" in folded
    assert folded.count("入力内容が正しくありません。") < 20


def test_outbox_retry_takes_exactly_one_target(sqlite_db: Database,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(sqlite_db, monkeypatch)
    assert _run(cli, "outbox", "retry")[0] == 2
    assert _run(cli, "outbox", "retry", "7", "--dead")[0] == 2
    code, out = _run(cli, "outbox", "retry", "--dead")
    assert code == 0 and "nothing to retry" in out
    assert _run(cli, "outbox", "retry", "12345")[0] == 1


@pytest.mark.parametrize(("code", "fate"), SMTP_ROWS)
def test_smtp_row(code: int, fate: Fate) -> None:
    import smtplib

    assert failures.smtp_fate(code) == fate
    failure = failures.smtp_failure(smtplib.SMTPResponseException(code, b"x"))
    assert (failure.code, failure.fate) == (f"smtp:{code}", fate)
    assert failures.reason(failure.code).isascii() is False


# ---- the customer's mail, with the Slack side (the planner gets the text) ------------------
class AuthSMTP(LocalSMTP):
    def __init__(self, handler: Inbox, authenticator: Any) -> None:
        Controller.__init__(self, handler, hostname="127.0.0.1", port=0,
                            authenticator=authenticator, auth_require_tls=False)


class Server:
    """aiosmtpd asking for a login it refuses (535) until `accept` is set, and answering DATA
    with `data_reply` when one is set (a 4xx: try later)."""

    def __init__(self) -> None:
        self.accept = False
        self.data_reply: str | None = None
        self.inbox = Inbox()
        outer = self

        class Handler(Inbox):
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if outer.data_reply:
                    return outer.data_reply
                return await outer.inbox.handle_DATA(server, session, envelope)

        def authenticate(*_args: Any) -> AuthResult:
            return AuthResult(success=outer.accept, handled=False)

        self.controller = AuthSMTP(Handler(), authenticate)
        self.controller.start()
        self.port = self.controller.port

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def mail_sender(sqlite_db: Database) -> Iterator[tuple[Sender, Server]]:
    server = Server()
    emulator = Emulator()
    made = make_sender(sqlite_db, emulator, SMTP_HOST="127.0.0.1", SMTP_PORT=str(server.port),
                       SMTP_FROM="renkei@usen.example", SMTP_STARTTLS="false",
                       SMTP_USER="renkei", SMTP_PASSWORD="wrong")
    try:
        yield made, server
    finally:
        made.bot.close()
        emulator.close()
        server.close()


def _to_customer(s: Sender) -> int:
    wf = s.wf
    ticket_id = wf.file_request("new", {**new_raw(), "desired_date": "2026-12-07"},
                                actor=wf.actor(SALES, role="sales"),
                                customer_email="keiri@example.co.jp").id
    s.drain()
    for action in ("request_kintone", "send_spec", "start_setup", "complete_setup",
                   "notify_customer"):
        extra: dict[str, Any] = {}
        if action == "complete_setup":
            today = wf.today()
            extra = {"makasete_company_code": "12345",
                     "links": [StoreLink(st.code, f"6789{i}", today,
                                         today.replace(year=today.year + 1))
                               for i, st in enumerate(wf.get(ticket_id).stores)]}
        user = SALES if action == "request_kintone" else PLANNER
        wf.advance(ticket_id, action, actor=wf.actor(user, role="sales" if user == SALES
                                                     else "planning"), **extra)
        if action != "notify_customer":
            s.drain()
    return ticket_id


def test_smtp_535_hands_the_text_to_the_planner_and_retry_sends_it(
        mail_sender: tuple[Sender, Server], monkeypatch: pytest.MonkeyPatch,
        sqlite_db: Database) -> None:
    s, server = mail_sender
    _to_customer(s)
    assert s.drain().dead == 1
    job = s.jobs("customer.message")[0]
    assert (job.state, job.last_error_code) == ("dead", "smtp:535")
    handed = [t for t in s.thread() if "お客様へのご連絡を自動で送れませんでした" in t]
    assert len(handed) == 1 and "メールサーバーのログインに失敗しました" in handed[0]
    assert "535" not in handed[0] and "SMTP" not in handed[0].replace("（SMTPの", "")
    message = str(s.last_message().args["blocks"])
    assert "送信できませんでした: お客様へのご連絡" in message
    server.accept = True  # the operator fixed SMTP_PASSWORD (here: the server relents)
    cli = _cli(sqlite_db, monkeypatch)
    assert _run(cli, "outbox", "retry", str(job.id))[0] == 0
    assert s.drain().sent >= 1
    assert [rcpt for rcpt, _ in server.inbox.messages] == [["keiri@example.co.jp"]]
    assert "送信できませんでした" not in str(s.last_message().args["blocks"])


def test_smtp_451_is_retried_without_bothering_the_planner(
        mail_sender: tuple[Sender, Server]) -> None:
    s, server = mail_sender
    server.accept = True
    server.data_reply = "451 4.3.0 try again later"
    _to_customer(s)
    assert s.drain().retried == 1
    assert s.jobs("customer.message")[0].last_error_code == "smtp:451"
    assert not [t for t in s.thread() if "自動で送れませんでした" in t]
    server.data_reply = None
    assert s.drain(later=3600).sent == 1
    assert len(server.inbox.messages) == 1


# ---- CLI plumbing ----------------------------------------------------------------------------
def _cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    context.default.cache_clear()
    return CliRunner()


def _run(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output
