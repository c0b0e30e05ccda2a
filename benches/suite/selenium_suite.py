"""The benchmark's journey through Selenium-Python: a new chromedriver + Chromium per journey,
explicit waits (WebDriverWait, polling every SELENIUM_POLL seconds, 0.1 by default).

    python selenium_suite.py BASE OUT_DIR USER...
"""

import os
import re
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

POLL = float(os.environ.get("SELENIUM_POLL", "0.1"))
# The browser every tool of the benchmark drives (run.py sets it for all three).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--force-device-scale-factor=1", "--window-size=1280,800"]


def code_for(base, user):
    with urllib.request.urlopen("%s/last-code?user=%s" % (base, user)) as r:
        return re.search(r"code=(\d{6})", r.read().decode()).group(1)


def journey(base, out, user):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for a in ARGS:
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(driver, 10, poll_frequency=POLL)
        clickable = lambda css: wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        visible = lambda css: wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))
        driver.get(base + "/")
        clickable("#signin").click()
        visible("#username").send_keys(user)
        visible("#password").send_keys("bench-password")
        clickable("#login").click()
        visible("#otp")
        code = code_for(base, user)
        visible("#otp").send_keys(code)
        clickable("#verify").click()
        wait.until(lambda d: re.search(r"€\s?[0-9.,]+", d.find_element(By.ID, "balance").text))
        assert driver.title == "Account", driver.title
        Select(visible("#period")).select_by_visible_text("Last 30 days")
        wait.until(lambda d: "Statement for last 30 days" in d.find_element(By.TAG_NAME, "body").text)
        visible("#statement")
        driver.save_screenshot(os.path.join(out, "selenium-%s.png" % user))
    finally:
        driver.quit()


def main():
    base, out, users = sys.argv[1], sys.argv[2], sys.argv[3:]
    for user in users:
        journey(base, out, user)


if __name__ == "__main__":
    main()
