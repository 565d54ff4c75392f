"""The mails that carry the links, the filled 設定依頼書 as an upload, and the App Home button."""

from __future__ import annotations

import pytest
from slack_sdk.models.views import View

from bot import messages as m
from bot.integrations.links_mail import partner_mail_handler
from bot.integrations.mail import MailSender
from bot.slack.views_home import DASHBOARD_ACTION
from tests.factories import new_raw
from tests.partner_fill import fill_xlsx
from tests.slack_driver import Driver
from tests.slack_harness import PLANNER, SALES, SECRET
from tests.test_web_links import at_partner_setup, csrf_of, snapshot
from tests.web_support import PARTNER_EMAIL, Site, body_text, link_in, site, wait
from workflow import partner
from workflow.models import OutboxJob
from workflow.outbox import Skip

__all__ = ["site"]  # fixtures


def filled_sheet(s: Site, ticket_id: int, codes: dict[str, str], start: str = "2026/12/07"
                 ) -> bytes:
    """The 設定依頼書 renkei mailed, filled in by the partner in Excel."""
    mail = s.mail_to(PARTNER_EMAIL)
    xlsx = next(p.get_content() for p in mail.iter_attachments()
                if str(p.get_filename()).endswith(".xlsx"))
    return fill_xlsx(xlsx, "12345", {c: (mk, start, "2027/04/30") for c, mk in codes.items()})


def test_partner_mail_has_the_files_the_link_and_its_expiry(site: Site) -> None:
    ticket_id = site.file()
    site.move(ticket_id, "request_kintone", "send_spec")
    mail = site.mail_to(PARTNER_EMAIL)
    assert mail["Subject"] == ("【USEN】まかせてネットEX 連携設定依頼書"
                               f"（株式会社データ分析様・依頼#{ticket_id}）")
    body = body_text(mail)
    assert "14日間有効" in body and link_in(mail).startswith(f"{site.url}/p/")
    types = sorted(p.get_content_type() for p in mail.iter_attachments())
    assert types == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "text/csv"]
    assert len(site.inbox.messages) == 1  # once, however often the sender loops


def test_the_filled_sheet_completes_the_setup(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = link_in(site.mail_to(PARTNER_EMAIL)).rpartition("/p/")[2]
    csrf = csrf_of(site.http.get(f"/p/{token}").text)
    bad = filled_sheet(site, ticket_id, {"0001": "67890", "0002": "", "0003": "67892"})
    files = {"sheet": ("設定依頼書.xlsx", bad, "application/octet-stream")}
    before = snapshot(site, ticket_id)
    response = site.http.post(f"/p/{token}", data={"csrf": csrf, "makasete_company_code": "12345"},
                              files=files)
    assert response.status_code == 422
    assert 'id="error-makasete_store_code-0002">まかせてネット店舗コードを入力してください' in (
        response.text)
    assert snapshot(site, ticket_id) == before
    good = filled_sheet(site, ticket_id, {"0001": "67890", "0002": "67891", "0003": "67892"})
    files = {"sheet": ("設定依頼書.xlsx", good, "application/octet-stream")}
    done = site.http.post(f"/p/{token}", data={"csrf": csrf, "makasete_company_code": "12345"},
                          files=files)
    assert done.status_code == 200
    view = site.wf.get(ticket_id)
    assert view.status == "setup_completed"
    assert [r.makasete_store_code for r in site.wf.store_links(view.company_code)
            if r.store_code != "0000"] == ["67890", "67891", "67892"]


def test_a_file_that_is_not_the_sheet_is_refused_beside_the_upload(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = site.links.make("partner", ticket_id)
    csrf = csrf_of(site.http.get(f"/p/{token}").text)
    response = site.http.post(f"/p/{token}", data={"csrf": csrf},
                              files={"sheet": ("x.xlsx", b"PK not really", "application/zip")})
    assert response.status_code == 422 and 'id="error-sheet"' in response.text
    assert site.wf.get(ticket_id).status == "partner_setup"


def test_customer_mail_carries_the_link(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    site.link_and_complete(ticket_id)
    site.move(ticket_id, "notify_customer")
    mail = site.mail_to("keiri@example.co.jp")
    assert "「データ連携を確認しました」を押してください（30日間有効）" in body_text(mail)
    assert link_in(mail).startswith(f"{site.url}/c/")


def test_without_partner_email_the_job_is_skipped_and_slack_keeps_the_files(site: Site) -> None:
    ticket_id = site.file()
    site.ctx.settings.partner_email = ""
    site.move(ticket_id, "request_kintone", "send_spec")
    wait(lambda: site.emulator.of("files.completeUploadExternal"))
    with site.ctx.factory() as session:
        job = session.query(OutboxJob).filter_by(kind="spec.mail").one()
    handler = partner_mail_handler(site.wf, site.ctx.settings,
                                   MailSender.from_settings(site.ctx.settings))
    with pytest.raises(Skip, match="PARTNER_EMAIL or SMTP not set"):
        handler(job)
    assert site.inbox.messages == []
    assert partner.is_done(site.wf, f"outbox.done:{job.dedupe_key}") is False


def test_app_home_gives_planning_a_dashboard_button(site: Site) -> None:
    view = site.bot.handlers.home_tab.view(PLANNER)
    View(**view).validate_json()
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e.get("action_id") == DASHBOARD_ACTION]
    assert len(buttons) == 1 and buttons[0]["url"].startswith(f"{site.url}/dashboard?t=")
    assert site.http.get(buttons[0]["url"].removeprefix(site.url)).status_code == 200
    sales = site.bot.handlers.home_tab.view(SALES)
    assert DASHBOARD_ACTION not in str(sales)


def test_pressing_the_dashboard_button_is_acked(site: Site) -> None:
    driver = Driver(site.url, SECRET, site.emulator)
    try:
        response = driver.interactive({
            "type": "block_actions", "team": {"id": "T0TEST"},
            "user": {"id": PLANNER, "username": "uplan1", "team_id": "T0TEST"},
            "api_app_id": "A0TEST", "trigger_id": "trig.1",
            "container": {"type": "view", "view_id": "V1"},
            "actions": [{"type": "button", "block_id": "b", "action_id": DASHBOARD_ACTION,
                         "text": {"type": "plain_text", "text": "ダッシュボードを開く"},
                         "action_ts": "1.1"}]})
    finally:
        driver.close()
    assert response.status_code == 200  # Bolt answers 404 for a press nobody listens to


def test_after_a_second_setup_order_only_the_newest_mail_link_works(site: Site) -> None:
    ticket_id = site.file()
    site.move(ticket_id, "request_kintone", "send_spec")
    first = link_in(site.mail_to(PARTNER_EMAIL)).removeprefix(site.url)
    site.wf.advance(ticket_id, "send_back", actor=site.wf.actor(PLANNER), note="店舗が不足")
    site.wf.advance(ticket_id, "resubmit", actor=site.wf.actor(SALES), form=new_raw())
    site.move(ticket_id, "request_kintone", "send_spec")
    wait(lambda: len(site.inbox.messages) == 2)
    second = link_in(site.inbox.messages[1][1]).removeprefix(site.url)
    site.move(ticket_id, "start_setup")
    old = site.http.get(first)
    assert old.status_code == 409 and m.WEB_REFUSED["superseded"] in old.text
    assert site.http.get(second).status_code == 200
