"""In a real browser: the partner's mail → its page → a mistake shown beside its field → fixed
→ the ticket at 設定完了連絡 with the linkage recorded; the customer's mail → its link →
連携の確認; the dashboard with its charts. Screenshots go to the test's tmp dir (and to
RENKEI_SCREENSHOTS when set, for people to look at)."""

from __future__ import annotations

import io
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot import messages as m
from tests.browser import chromium
from tests.dbs import Database
from tests.slack_harness import PLANNER
from tests.web_support import (
    CUSTOMER_EMAIL,
    PARTNER_EMAIL,
    Site,
    body_text,
    cli,
    demo,
    every_state,
    link_in,
    site,
    wait,
)

__all__ = ["chromium", "cli", "site"]  # fixtures


@pytest.fixture
def database(sqlite_db: Database) -> Database:
    """One database is enough here: the pages' SQL runs on both in test_web_links."""
    return sqlite_db


def shot(driver: Any, tmp_path: Path, name: str, width: int = 1280) -> Path:
    path = tmp_path / f"{name}.png"
    # The whole page, not the window: size the window to the document first.
    driver.set_window_size(width, 1000)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, max(1000, int(height) + 40))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    out = os.environ.get("RENKEI_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(out) / path.name)
    return path


def press(driver: Any, element_id: str) -> None:
    """Click a form's button and wait until the page it posts to has replaced this one (a
    find right after click() may otherwise land on the old page, stale)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    button = driver.find_element(By.ID, element_id)
    button.click()
    WebDriverWait(driver, 30).until(ec.staleness_of(button))
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def field(driver: Any, name: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.NAME, name)


def fill(driver: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        box = field(driver, name)
        box.clear()
        box.send_keys(value)


def test_partner_and_customer_in_a_browser(site: Site, chromium: Any, tmp_path: Path,
                                           cli: CliRunner) -> None:
    from selenium.webdriver.common.by import By

    driver = chromium
    ticket_id = site.file()
    site.move(ticket_id, "request_kintone", "send_spec")

    # 設定依頼書送付: the partner's mail carries both files and the link
    mail = site.mail_to(PARTNER_EMAIL)
    names = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    xlsx, csv = f"設定依頼書_67890_依頼{ticket_id}.xlsx", f"設定依頼書_67890_依頼{ticket_id}.csv"
    assert set(names) == {xlsx, csv}
    sheet = load_workbook(io.BytesIO(names[xlsx]))
    assert sheet.active is not None and sheet.active.title == "設定依頼書"
    partner_url = link_in(mail)
    assert partner_url.startswith(f"{site.url}/p/")
    # and the Slack upload is still there
    wait(lambda: site.emulator.of("files.completeUploadExternal"))

    site.move(ticket_id, "start_setup")
    driver.get(partner_url)
    assert m.WEB_PARTNER_TITLE in driver.title
    # not demo-data's 12345 (filled below): 店舗コード are unique within one company code
    fill(driver, {"makasete_company_code": "54321"})
    for i, code in enumerate(("0001", "0002", "0003")):
        fill(driver, {f"code_{code}": f"6789{i}", f"start_{code}": "2026/12/07",
                      f"end_{code}": "2027/04/30"})
        driver.find_element(By.ID, f"linked_{code}").click()
    fill(driver, {"code_0002": "1234567"})  # the mistake: 7 digits
    press(driver, "submit")

    error = driver.find_element(By.ID, "error-makasete_store_code-0002")
    assert "まかせてネット店舗コードは半角数字1〜6桁で入力してください" in error.text
    # beside its field: in the same table cell as the box it is about
    cell = error.find_element(By.XPATH, "..")
    assert cell.find_element(By.NAME, "code_0002").get_attribute("aria-invalid") == "true"
    assert site.wf.get(ticket_id).status == "partner_setup"
    shot(driver, tmp_path, "partner-page")
    # a phone: the store table stacks, nothing scrolls sideways
    driver.set_window_size(390, 844)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    shot(driver, tmp_path, "partner-phone", width=390)

    fill(driver, {"code_0002": "67891"})
    press(driver, "submit")
    assert m.WEB_PARTNER_DONE in driver.find_element(By.ID, "message").text
    view = site.wf.get(ticket_id)
    assert view.status == "setup_completed"
    assert view.events[-1].actor_role == "partner"
    rows = {r.store_code: r for r in site.wf.store_links(view.company_code)}
    assert [rows[c].makasete_store_code for c in ("0001", "0002", "0003")] == [
        "67890", "67891", "67892"]
    assert all(rows[c].state == "連携済" for c in ("0001", "0002", "0003"))

    # お客様へご連絡 by mail carries the customer's link
    site.move(ticket_id, "notify_customer")
    customer_mail = site.mail_to(CUSTOMER_EMAIL)
    assert m.WEB_CUSTOMER_BUTTON in body_text(customer_mail)
    driver.get(link_in(customer_mail))
    assert "0001:居酒屋データ分析 目黒本店" in driver.page_source
    assert "2026/12/07" in driver.page_source
    shot(driver, tmp_path, "customer-page")
    press(driver, "confirm")
    assert m.WEB_CUSTOMER_DONE in driver.find_element(By.ID, "message").text
    assert site.wf.get(ticket_id).status == "verified"
    driver.get(link_in(customer_mail))
    assert m.WEB_CUSTOMER_USED in driver.find_element(By.ID, "message").text

    # the dashboard, from planning's App Home link, on demo-data and a ticket in every state
    demo(cli)
    every_state(site)
    site.wf.clock.now += timedelta(days=10)  # type: ignore[attr-defined]  # one overdue
    home = site.bot.handlers.home_tab.data(PLANNER)
    assert home.dashboard_url and home.dashboard_url.startswith(f"{site.url}/dashboard?t=")
    driver.get(home.dashboard_url)
    charts = driver.find_elements(By.CSS_SELECTOR, ".chart svg")
    assert len(charts) == 3
    bars = driver.find_elements(By.CSS_SELECTOR, "#steps .chart svg rect.rect")
    assert bars, "the steps chart draws its bars"
    assert driver.find_elements(By.CSS_SELECTOR, "#cycle .chart svg rect.rect")
    shot(driver, tmp_path, "dashboard")
    assert not driver.find_elements(By.TAG_NAME, "script")
