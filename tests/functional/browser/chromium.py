"""Driving headless Chromium (Debian's ``chromium`` and ``chromium-driver``)
with Selenium against a live server.

Selenium is pointed at ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``
explicitly, so Selenium Manager never looks for (or downloads) a browser.
Every step waits for what it needs explicitly: after a click that navigates,
for the old page to go stale and the next element to appear; nothing
sleeps.  Screenshots go to ``var/screenshots/`` (see the README).
"""

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
WAIT_SECONDS = 15

ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--window-size=1280,1000",
    "--no-first-run",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--password-store=basic",
    "--lang=en-US",
)


def installed() -> bool:
    return all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))


def start() -> webdriver.Chrome:
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"credentials_enable_service": False, "profile.password_manager_enabled": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS * 2)
    return driver


class Site:
    """The live server as a person sees it in the module's Chromium."""

    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base = base_url.rstrip("/")
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})  # a fresh visitor

    @property
    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    def open(self, path_or_url: str):
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        self.driver.get(url)

    def find(self, css: str):
        wait = WebDriverWait(self.driver, WAIT_SECONDS)
        return wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def text(self, css: str) -> str:
        return self.find(css).text

    def type(self, css: str, text: str):
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def click(self, css: str = None, *, xpath: str = None):
        """Click what navigates, and wait until the next page replaced this
        one and finished loading.  An element found in a document that was
        replaced before the click (Chromium: "Node with given id does not
        belong to the document") was not clicked: it is found again."""
        for attempt in range(3):
            old = self.driver.find_element(By.TAG_NAME, "html")
            try:
                self._target(css, xpath).click()
                break
            except (StaleElementReferenceException, WebDriverException) as exc:
                if attempt == 2 or not _detached(exc):
                    raise
        WebDriverWait(self.driver, WAIT_SECONDS).until(_replaced(old))
        self.loaded()

    def _target(self, css, xpath):
        if xpath:
            return WebDriverWait(self.driver, WAIT_SECONDS).until(
                EC.element_to_be_clickable((By.XPATH, xpath))
            )
        return self.find(css)

    def loaded(self):
        """Wait for the page's ``main`` and the end of its loading."""
        self.find("main")
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )

    def follow(self, member: str, name: str):
        """Click the link ``name`` of a link member (``catalogs``, ``views``…)."""
        self.click(xpath=f"//section[@id='{member}']//tr[th='{name}']//a")

    def follow_entry(self, label: str):
        self.click(xpath=f"//a[@class='entry' and normalize-space()='{label}']")

    def sign_in(self, email: str, password: str):
        self.type("#email", email)
        self.type("#password", password)
        self.click("#login-submit")

    def set_password(self, password: str, confirm: str = None):
        self.type("#new-password", password)
        self.type("#confirm-password", password if confirm is None else confirm)
        self.click("#link-submit")

    def no_alert(self) -> bool:
        try:
            self.driver.switch_to.alert  # noqa: B018 -- raises without one
        except NoAlertPresentException:
            return True
        return False

    def shot(self, name: str):
        """The whole page (not only the window), as ``var/screenshots/<name>.png``."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000)}
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}},
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def _replaced(old):
    """A wait condition: ``old`` is no longer in the page.  Selenium's
    ``staleness_of`` knows only ``StaleElementReferenceException``; Chromium
    may instead answer "Node with given id does not belong to the
    document" for a node of a replaced document, which means the same."""

    def check(_driver) -> bool:
        try:
            old.is_enabled()
        except WebDriverException as exc:
            if _detached(exc):
                return True
            raise
        return False

    return check


def _detached(exc: Exception) -> bool:
    """Whether ``exc`` says the element was no longer in the page."""
    return isinstance(exc, StaleElementReferenceException) or (
        "does not belong to the document" in str(exc)
    )
