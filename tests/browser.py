"""Headless Chromium from the distribution's packages, driven by Selenium (chromium-driver at
/usr/bin/chromedriver). The session fixture installs the two Debian packages when they are
missing and we are root; otherwise the browser tests are skipped with the reason, unless
RENKEI_REQUIRE_BROWSER=1 (CI) turns that into a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# A Japanese font, so that the screenshots people look at show text rather than tofu boxes.
JA_FONT = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
PACKAGES = ["chromium", "chromium-driver", "fonts-ipafont-gothic"]
REQUIRE = os.environ.get("RENKEI_REQUIRE_BROWSER") == "1"


def _missing() -> bool:
    return not all(os.path.exists(p) for p in (CHROMIUM, CHROMEDRIVER, JA_FONT))


def _install() -> str | None:
    """Install chromium, chromium-driver and a Japanese font with apt-get; the reason when
    it cannot."""
    if not _missing():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return f"{', '.join(PACKAGES)} are not installed and apt-get cannot run here (not root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", *PACKAGES]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(cmd)} failed: {done.stderr.strip()[-300:]}"
    return f"apt-get did not install all of {PACKAGES}" if _missing() else None


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"RENKEI_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A headless Chromium (one per session), 1280x1000, Japanese UI language."""
    reason = _install()
    if reason:
        _unavailable(reason)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[dev]')")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=ja-JP"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
