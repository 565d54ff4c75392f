"""Every refusal of a signed link, over real HTTP through the WSGI app renkei serves: tampered,
expired, wrong audience, wrong state, reused, missing CSRF. Each shows a polite Japanese page
and changes nothing (status, audit events and linkage are compared before and after)."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bot import messages as m
from bot.web import pages_for
from tests.web_support import OPERATOR_TOKEN, SECRET_KEY, Site, site, wait
from workflow.errors import NotAllowed

CSRF = re.compile(r'name="csrf" value="([^"]+)"')

__all__ = ["site"]  # fixtures


def at_partner_setup(s: Site) -> int:
    ticket_id = s.file()
    s.move(ticket_id, "request_kintone", "send_spec", "start_setup")
    return ticket_id


def snapshot(s: Site, ticket_id: int) -> tuple[str, int, list[tuple[str, str | None]]]:
    view = s.wf.get(ticket_id)
    links = [(r.store_code, r.makasete_store_code) for r in s.wf.store_links(view.company_code)]
    return view.status, s.events(ticket_id), links


def good_form(csrf: str, **changes: str) -> dict[str, str]:
    form = {"csrf": csrf, "makasete_company_code": "12345"}
    for i, code in enumerate(("0001", "0002", "0003")):
        form |= {f"code_{code}": f"6789{i}", f"start_{code}": "2026/12/07",
                 f"end_{code}": "2027/04/30", f"state_{code}": "連携済"}
    return form | changes


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, html
    return match[1]


def old_token(audience: str, payload: dict[str, object], age_seconds: int) -> str:
    """A token signed with the right key and salt, but `age_seconds` ago."""
    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    signer = URLSafeTimedSerializer(SECRET_KEY, salt=f"renkei.link.{audience}", signer=Past)
    return str(signer.dumps(payload))


def test_partner_link_opens_the_form(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    page = site.http.get(f"/p/{site.links.make('partner', ticket_id)}")
    assert page.status_code == 200
    assert "まかせてネット企業コード" in page.text and "0001:居酒屋データ分析 目黒本店" in page.text
    assert "0000:企業管理店舗" in page.text  # laid out like the seed's 2-2 screen
    assert "<script" not in page.text


@pytest.mark.parametrize("how", ["tampered", "expired", "wrong_audience", "garbage"])
def test_refused_links_change_nothing(site: Site, how: str) -> None:
    ticket_id = at_partner_setup(site)
    good = site.links.make("partner", ticket_id)
    token = {"tampered": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
             "expired": old_token("partner", {"t": ticket_id, "a": "partner",
                                              "s": "partner_setup", "u": ""}, 15 * 86400),
             "wrong_audience": site.links.make("customer", ticket_id),
             "garbage": "not-a-token"}[how]
    csrf = csrf_of(site.http.get(f"/p/{good}").text)
    before = snapshot(site, ticket_id)
    for response in (site.http.get(f"/p/{token}"),
                     site.http.post(f"/p/{token}", data=good_form(csrf))):
        assert response.status_code == (410 if how == "expired" else 403)
        assert m.WEB_REFUSED_TITLE in response.text
        assert m.WEB_REFUSED["expired" if how == "expired" else "invalid"] in response.text
        assert "Traceback" not in response.text
    assert snapshot(site, ticket_id) == before


def test_a_customer_link_does_not_open_for_a_partner_token_either(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    response = site.http.get(f"/c/{site.links.make('partner', ticket_id)}")
    assert response.status_code == 403 and m.WEB_REFUSED["invalid"] in response.text


def test_partner_link_before_and_after_its_step(site: Site) -> None:
    ticket_id = site.file()
    site.move(ticket_id, "request_kintone", "send_spec")
    token = site.links.make("partner", ticket_id)
    early = site.http.get(f"/p/{token}")
    assert early.status_code == 409 and m.WEB_PARTNER_NOT_YET in early.text
    site.move(ticket_id, "start_setup")
    csrf = csrf_of(site.http.get(f"/p/{token}").text)
    done = site.http.post(f"/p/{token}", data=good_form(csrf))
    assert done.status_code == 200 and m.WEB_PARTNER_DONE in done.text
    after = snapshot(site, ticket_id)
    assert after[0] == "setup_completed"
    again = site.http.post(f"/p/{token}", data=good_form(csrf))
    assert again.status_code == 409 and m.WEB_PARTNER_USED in again.text
    assert site.http.get(f"/p/{token}").status_code == 409
    assert snapshot(site, ticket_id) == after


def test_partner_completion_is_audited_as_the_partner(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = site.links.make("partner", ticket_id)
    csrf = csrf_of(site.http.get(f"/p/{token}").text)
    assert site.http.post(f"/p/{token}", data=good_form(csrf)).status_code == 200
    view = site.wf.get(ticket_id)
    last = view.events[-1]
    assert (last.action, last.actor_role, last.role_label) == (
        "complete_setup", "partner", "ジャストプランニング")
    rows = {r.store_code: r for r in site.wf.store_links(view.company_code)}
    assert rows["0002"].makasete_store_code == "67891" and rows["0002"].state == "連携済"
    assert str(rows["0001"].start_date) == "2026-12-07"
    # planning is asked in the thread to check it and report in Kintone
    wait(lambda: [c for c in site.emulator.of("chat.postMessage")
                  if "ジャストプランニングから設定完了連絡" in str(c.args.get("text", ""))])


def test_the_partner_role_is_only_for_completion(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    partner = site.wf.actor("partner", role="partner")
    with pytest.raises(NotAllowed):
        site.wf.advance(ticket_id, "cancel", actor=partner)
    site.link_and_complete(ticket_id)  # planning still may
    assert site.wf.get(ticket_id).events[-1].actor_role == "planning"


def test_mistakes_show_beside_their_field_and_save_nothing(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = site.links.make("partner", ticket_id)
    csrf = csrf_of(site.http.get(f"/p/{token}").text)
    before = snapshot(site, ticket_id)
    bad = good_form(csrf, makasete_company_code="１２３４５６", code_0002="67a90",
                    start_0003="2026/11/01", end_0001="2026/13/40", state_0002="未連携")
    response = site.http.post(f"/p/{token}", data=bad)
    assert response.status_code == 422
    html = response.text
    for field, message in [
            ("makasete_company_code", "まかせてネット企業コードは半角数字1〜5桁で入力してください"),
            ("makasete_store_code-0002", "まかせてネット店舗コードは半角数字1〜6桁"),
            ("start_date-0003", "連携開始日は本日以降の日付を選択してください"),
            ("end_date-0001", "連携終了日を日付で入力してください"),  # one parser, one message
            ("state-0002", "連携状態を「連携済」にしてください")]:
        assert re.search(rf'id="error-{field}">[^<]*{re.escape(message)}', html), field
    assert 'value="67a90"' in html  # what was typed comes back
    assert snapshot(site, ticket_id) == before


def test_forms_without_their_csrf_token_are_refused(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = site.links.make("partner", ticket_id)
    other = site.links.make("partner", ticket_id + 1000)
    forged = csrf_of(site.http.get(f"/p/{token}").text)
    before = snapshot(site, ticket_id)
    for data in (good_form(""), good_form("forged"),
                 good_form(URLSafeTimedSerializer(SECRET_KEY, salt="renkei.csrf").dumps(other))):
        response = site.http.post(f"/p/{token}", data=data)
        assert response.status_code == 400 and m.WEB_FORM_EXPIRED in response.text
    assert snapshot(site, ticket_id) == before
    assert forged  # the page's own token works (test_partner_link_before_and_after_its_step)


def test_customer_link_confirms_once_then_says_confirmed(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    site.link_and_complete(ticket_id)
    token = site.links.make("customer", ticket_id)
    assert site.http.get(f"/c/{token}").status_code == 409  # not notified yet
    site.move(ticket_id, "notify_customer")
    page = site.http.get(f"/c/{token}")
    assert page.status_code == 200 and m.WEB_CUSTOMER_BUTTON in page.text
    csrf = csrf_of(page.text)
    assert site.http.post(f"/c/{token}", data={}).status_code == 400
    assert site.wf.get(ticket_id).status == "customer_notified"
    done = site.http.post(f"/c/{token}", data={"csrf": csrf})
    assert done.status_code == 200 and m.WEB_CUSTOMER_DONE in done.text
    view = site.wf.get(ticket_id)
    assert view.status == "verified" and view.events[-1].actor_role == "customer"
    after = snapshot(site, ticket_id)
    reused = site.http.get(f"/c/{token}")
    assert reused.status_code == 409 and m.WEB_CUSTOMER_USED in reused.text
    assert site.http.post(f"/c/{token}", data={"csrf": csrf}).status_code == 409
    assert snapshot(site, ticket_id) == after


def test_expired_customer_link(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = old_token("customer", {"t": ticket_id, "a": "customer", "s": "customer_notified",
                                   "u": ""}, 31 * 86400)
    response = site.http.get(f"/c/{token}")
    assert response.status_code == 410 and m.WEB_REFUSED["expired"] in response.text


def test_cancelled_ticket_link(site: Site) -> None:
    ticket_id = at_partner_setup(site)
    token = site.links.make("partner", ticket_id)
    site.move(ticket_id, "cancel")
    response = site.http.get(f"/p/{token}")
    assert response.status_code == 410 and m.WEB_REFUSED["gone"] in response.text


def test_dashboard_and_metrics_need_a_viewer_link_or_the_operator_token(site: Site) -> None:
    assert site.http.get("/dashboard").status_code == 403
    assert site.http.get("/metrics").status_code == 401
    assert site.http.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    expired = old_token("viewer", {"t": 0, "a": "viewer", "s": "", "u": "UPLAN1"}, 3601)
    assert site.http.get("/dashboard", params={"t": expired}).status_code == 403
    partner = site.links.make("partner", 1)
    assert site.http.get("/dashboard", params={"t": partner}).status_code == 403
    viewer = site.links.make("viewer", user="UPLAN1")
    assert site.http.get("/dashboard", params={"t": viewer}).status_code == 200
    ok = site.http.get("/dashboard", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    assert ok.status_code == 200 and m.WEB_DASH_TITLE in ok.text
    assert site.http.get("/metrics", headers={
        "Authorization": f"Bearer {OPERATOR_TOKEN}"}).status_code == 200


def test_only_the_page_paths_reach_the_pages(site: Site) -> None:
    for path in ("/p", "/pp/x", "/dashboardx", "/metrics/x", "/static/x"):
        response = site.http.get(path)
        assert response.status_code == 404 and response.headers["content-type"].startswith(
            "application/json"), path


def test_without_a_secret_key_the_pages_are_off(site: Site, caplog: pytest.LogCaptureFixture
                                                ) -> None:
    site.ctx.settings.secret_key = ""
    try:
        assert pages_for(site.ctx) is None
    finally:
        site.ctx.settings.secret_key = SECRET_KEY
    assert "RENKEI_SECRET_KEY is not set" in caplog.text


def test_a_change_request_shows_what_was_added(site: Site) -> None:
    from tests.factories import change_raw

    ticket_id = site.wf.file_request("change", change_raw(), actor=site.wf.actor("USALES1")).id
    site.move(ticket_id, "request_kintone", "send_spec", "start_setup")
    page = site.http.get(f"/p/{site.links.make('partner', ticket_id)}").text
    assert m.WEB_ADDITIONS in page and "PayPay、楽天ペイ" in page and "学割10%引" in page
