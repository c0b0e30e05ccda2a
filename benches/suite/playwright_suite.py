"""The benchmark's journey through Playwright-Python: one Chromium per process (Debian's, via
executable_path: no browser download), a new context per journey, Playwright's own waits.

    python playwright_suite.py BASE OUT_DIR USER...
"""

import os
import re
import sys
import urllib.request

from playwright.sync_api import expect, sync_playwright

# The browser every tool of the benchmark drives (run.py sets it for all three).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--force-device-scale-factor=1"]


def code_for(base, user):
    with urllib.request.urlopen("%s/last-code?user=%s" % (base, user)) as r:
        return re.search(r"code=(\d{6})", r.read().decode()).group(1)


def journey(browser, base, out, user):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(base + "/")
        page.click("#signin")
        page.fill("#username", user)
        page.fill("#password", "bench-password")
        page.click("#login")
        page.wait_for_selector("#otp", state="visible")
        page.fill("#otp", code_for(base, user))
        page.click("#verify")
        expect(page.locator("#balance")).to_have_text(re.compile(r"€\s?[0-9.,]+"))
        expect(page).to_have_title("Account")
        page.select_option("#period", label="Last 30 days")
        page.get_by_text("Statement for last 30 days").wait_for()
        expect(page.locator("#statement")).to_be_visible()
        page.screenshot(path=os.path.join(out, "playwright-%s.png" % user))
    finally:
        context.close()


def main():
    base, out, users = sys.argv[1], sys.argv[2], sys.argv[3:]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for user in users:
                journey(browser, base, out, user)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
