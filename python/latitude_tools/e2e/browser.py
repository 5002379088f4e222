"""Helpers for the real-browser tests: headless Debian chromium driven by Selenium."""
import os
import shutil

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download drivers

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def chromium_binary():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium is not installed (make test installs it: apt-get install chromium)")


def open_browser(width=1400, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 f"--window-size={width},{height}", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def wait(driver, condition, timeout=30, message=""):
    """Waits until `condition(driver)` is truthy. The canvas reconciles its elements by id,
    so an element read here is not replaced behind the condition's back (no stale retry)."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def model(driver, expression):
    """Evaluates `expression` against the page's model (window.latitude.model())."""
    return driver.execute_script(f"const m = window.latitude.model(); return {expression};")


def console_errors(driver):
    """Script errors and console.error calls (network failures during a restart are the
    browser's own reports, not the page's, and are expected there)."""
    return [entry for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and entry.get("source") != "network"]


def browser_windows():
    """A fixture body: yields a function that opens a headless chromium window; at the end
    every window is closed, and none may have logged a script error."""
    opened = []

    def make():
        driver = open_browser()
        opened.append(driver)
        return driver

    yield make
    failures = []
    for driver in opened:
        failures += console_errors(driver)
        driver.quit()
    assert not failures, f"console errors: {failures}"
