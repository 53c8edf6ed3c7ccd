"""The console in a real browser (headless Chromium from Debian's chromium package, driven by Selenium):
upload the Director's own hero (the eject) and select a take, served by ``cmfc console`` on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
selenium = pytest.importorskip("selenium")

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver "
                                "(make test installs them with apt-get)")

SCENES = """
scene SC_01 HOOK-1
  line "Every day you show up."
  hero zimage "a runner at dawn"
  takes 2

scene SC_02 SETUP-1
  line "That is the whole secret."
"""


def wait_for(predicate, what: str, deadline: float = 60.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _serving(url: str) -> bool:
    import requests

    try:
        return requests.get(url + "/_stcore/health", timeout=1).ok
    except requests.ConnectionError:
        return False


@pytest.fixture
def served(tiny):
    tiny.write(SCENES)
    url = None
    process = subprocess.Popen([sys.executable, "-m", "cmfc", "console", str(tiny.root), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, HOME=str(tiny.root)))
    try:
        url = wait_for(lambda: re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline() or ""), "the URL")
        url = url.group(0)
        wait_for(lambda: _serving(url), "the console to serve")
        yield tiny, url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        # the server the command started is gone with it (no console left listening)
        if url:
            wait_for(lambda: not _serving(url), "the server to stop", deadline=10)


def test_upload_a_hero_and_select_a_take_in_chromium(served, tmp_path):
    from PIL import Image
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    project, url = served
    spec = project.spec_path
    shots = tmp_path / "shots"
    shots.mkdir()
    own = tmp_path / "my_hero.png"
    Image.new("RGB", (180, 320), (30, 160, 60)).save(own)

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1800"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get(url)

        def button(text):
            found = driver.find_elements(By.XPATH, f"//button[.//p[text()={text!r}]]")
            return found[0] if found and found[0].is_enabled() else None

        def click_until(text, done, what):
            """Click the button until ``done()``: the page re-renders under us (an upload reruns it), so a
            click can land on a replaced element or before the server has the file."""
            from selenium.common.exceptions import WebDriverException

            end = time.monotonic() + 60
            while time.monotonic() < end:
                try:
                    found = button(text)
                    if found is not None:
                        found.click()
                except WebDriverException:
                    pass
                try:
                    return wait_for(done, what, deadline=10)
                except AssertionError:
                    continue
            raise AssertionError(f"timed out waiting for {what}")

        wait_for(lambda: button("SELECT v02"), "the takes to show")
        driver.save_screenshot(str(shots / "1_takes.png"))
        upload = driver.find_elements(By.CSS_SELECTOR, "input[type=file]")[0]
        upload.send_keys(str(own))
        wait_for(lambda: "my_hero.png" in driver.page_source, "the upload to arrive")
        click_until("USE UPLOAD as SC_01's hero", lambda: 'hero image "assets/eject/' in spec.read_text(),
                    "the hero edit")
        stored = re.search(r'hero image "(assets/eject/[^"]+)"', spec.read_text()).group(1)
        assert stored == "assets/eject/PROJ_T_SC_01_ICON_RAW_v01.png"
        assert (project.root / stored).read_bytes() == own.read_bytes()
        wait_for(lambda: "hero image" in driver.page_source, "the page to show the diff")
        driver.save_screenshot(str(shots / "2_ejected.png"))

        click_until("SELECT v02", lambda: "pick v02" in spec.read_text(), "the pick edit")
        wait_for(lambda: button("SELECT v01"), "v01 selectable again")
        driver.save_screenshot(str(shots / "3_picked.png"))
    finally:
        driver.quit()
    if os.environ.get("CMFC_KEEP_SHOTS"):
        shutil.copytree(shots, os.environ["CMFC_KEEP_SHOTS"], dirs_exist_ok=True)
    assert all((shots / n).stat().st_size > 10_000 for n in ("1_takes.png", "2_ejected.png", "3_picked.png"))
