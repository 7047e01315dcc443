#!/usr/bin/python3
"""test_demo.py - the demo page (web/) in a real browser: headless Debian Chromium driven by Selenium.

Starts nothing itself: tests/integration/test_web.c starts `./strobe serve`, makes a key and runs

    /usr/bin/python3 tests/web/test_demo.py --base URL --key KEY --face FACE.jpg --product PRODUCT.jpg --out DIR

It uploads the photos through the page's file input, waits for each result, checks that the result image is
shown with a non-zero natural size and that the page shows the likeness score, the warnings and the credits;
that a text file named .jpg gives a readable error (not JSON); and saves screenshots in DIR (desktop and
phone sizes). Exit status: 0 passed, 1 failed (the reason on stderr), 77 when Chromium or its driver is
missing (the wrapper reports a skip).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
SKIP = 77


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def browser(width, height, phone=False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--hide-scrollbars", "--force-device-scale-factor=1", f"--window-size={width},{height}",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(DRIVER), options=opts)
    d.set_page_load_timeout(30)
    if phone:  # a phone's viewport, pixel ratio and touch (a desktop window cannot be made this narrow)
        phone_size(d, width, height)
        d.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    return d


def phone_size(d, width, height):
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})


def wait(what, fn, timeout):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # a stale element while the page updates: try again
            last = e
        time.sleep(0.2)
    raise Failed(f"timed out after {timeout} s waiting for {what}" + (f" ({last})" if last else ""))


def visible(d, element_id):
    return d.execute_script(f"const e = document.getElementById('{element_id}');"
                            "return !!e && !e.hidden && e.offsetParent !== null;")


def text(d, element_id):
    return d.find_element("id", element_id).text.strip()


def choose(d, kind):
    d.find_element("xpath", f"//input[@name='kind'][@value='{kind}']/..").click()  # the tab's label
    check(d.execute_script(f"return document.querySelector('input[name=kind][value={kind}]').checked"),
          f"the {kind} tab is not selected after a click")


def pick(d, path):
    d.find_element("id", "file").send_keys(os.path.abspath(path))
    wait("the Make it button to be enabled", lambda: d.find_element("id", "go").is_enabled(), 10)


def run_and_wait(d, timeout=180):
    d.find_element("id", "go").click()
    # The button is disabled while the request runs, enabled again when the result or an error is shown.
    wait("the request to finish", lambda: (visible(d, "error") or visible(d, "result-img"))
         and d.find_element("id", "go").is_enabled(), timeout)


def expect_result(d, kind):
    check(not visible(d, "error"), f"{kind}: an error is shown: {text(d, 'error') if visible(d, 'error') else ''}")
    w, h = d.execute_script("const i = document.getElementById('result-img');"
                            "return [i.naturalWidth, i.naturalHeight];")
    check(w > 0 and h > 0, f"{kind}: the result image has natural size {w}x{h}")
    facts = text(d, "facts")
    check("SERVER TIME" in facts.upper(), f"{kind}: no timings in the facts: {facts!r}")
    check(visible(d, "download") and d.find_element("id", "download").get_attribute("href"),
          f"{kind}: no download link")
    check(visible(d, "compare"), f"{kind}: no before/after slider")
    credits = text(d, "credits")
    check("credit" in credits, f"{kind}: the credits left are not shown: {credits!r}")
    return w, h, facts


def shot(d, path):
    d.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    d.save_screenshot(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--face", required=True)
    ap.add_argument("--product", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
        print(f"skip: {CHROMIUM} or {DRIVER} is missing (apt-get install chromium chromium-driver)", file=sys.stderr)
        return SKIP
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("skip: python3-selenium is missing", file=sys.stderr)
        return SKIP

    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="strobe-web-")
    bad = os.path.join(tmp, "not-a-photo.jpg")
    with open(bad, "w") as f:
        f.write("This is a text file with a .jpg name, not a photo.\n")

    d = browser(1280, 1000)
    try:
        # The key from the address's fragment, as `make run` prints it: stored, then gone from the address.
        d.get(f"{a.base}/#key={a.key}")
        wait("the key to be checked", lambda: "works" in text(d, "key-status"), 30)
        check("key=" not in d.current_url, f"the key stays in the address bar: {d.current_url}")

        # A headshot of a real face.
        pick(d, a.face)
        choose(d, "headshot")
        run_and_wait(d)
        w, h, _ = expect_result(d, "headshot")
        print(f"headshot shown {w}x{h}")
        shot(d, os.path.join(a.out, "desktop-headshot.png"))

        # An avatar: the likeness score and the warnings.
        choose(d, "avatar")
        run_and_wait(d)
        w, h, facts = expect_result(d, "avatar")
        check("LIKENESS" in facts.upper() and "%" in facts, f"avatar: no likeness score in {facts!r}")
        check("WARNINGS" in facts.upper(), f"avatar: no warnings in {facts!r}")
        print(f"avatar shown {w}x{h}")
        shot(d, os.path.join(a.out, "desktop-avatar.png"))

        # A portrait from a built-in template (the page lists them from GET /v1/templates).
        choose(d, "portrait")
        wait("the templates list", lambda: len(d.find_elements("css selector", "[name=template] option")) > 1, 30)
        from selenium.webdriver.support.ui import Select
        Select(d.find_element("css selector", "[name=template]")).select_by_value("warm-portfolio")
        run_and_wait(d)
        w, h, facts = expect_result(d, "portrait")
        check("LIKENESS" in facts.upper(), f"portrait: no likeness score in {facts!r}")
        print(f"portrait shown {w}x{h}")
        shot(d, os.path.join(a.out, "desktop-portrait.png"))

        # A product photo: asynchronous, polled by the page until it is done.
        pick(d, a.product)
        choose(d, "product")
        d.find_element("id", "go").click()
        wait("the product job's progress", lambda: visible(d, "progress") or visible(d, "result-img"), 30)
        run_start = time.time()
        wait("the product result", lambda: (visible(d, "error") or visible(d, "result-img"))
             and d.find_element("id", "go").is_enabled(), 180)
        w, h, _ = expect_result(d, "product")
        print(f"product shown {w}x{h} after {time.time() - run_start:.1f} s")
        shot(d, os.path.join(a.out, "desktop-product.png"))

        # A text file named .jpg: a readable error, not the API's JSON.
        pick(d, bad)
        choose(d, "headshot")
        run_and_wait(d)
        check(visible(d, "error"), "no error is shown for a text file")
        msg = text(d, "error")
        check(len(msg) > 20, f"the error is too short to help: {msg!r}")
        check("{" not in msg and '"error"' not in msg and "unsupported_format" not in msg,
              f"the error shows raw JSON or a code: {msg!r}")
        check(not visible(d, "result-img"), "a result image is still shown after the error")
        print(f"bad file: {msg!r}")
        shot(d, os.path.join(a.out, "desktop-error.png"))
    finally:
        d.quit()

    # A phone: 390 px wide (the key is in local storage of another profile, so the fragment again).
    d = browser(390, 844, phone=True)
    try:
        d.get(f"{a.base}/#key={a.key}")
        wait("the key to be checked", lambda: "works" in text(d, "key-status"), 30)
        scroll_w = d.execute_script("return document.documentElement.scrollWidth")
        check(scroll_w <= 390, f"the page is wider than the phone: {scroll_w} px")
        d.save_screenshot(os.path.join(a.out, "phone-start.png"))
        pick(d, a.face)
        choose(d, "avatar")
        run_and_wait(d)
        w, h, _ = expect_result(d, "phone avatar")
        scroll_w = d.execute_script("return document.documentElement.scrollWidth")
        check(scroll_w <= 390, f"the result page is wider than the phone: {scroll_w} px")
        d.execute_script("document.getElementById('result-card').scrollIntoView()")
        time.sleep(0.5)
        d.save_screenshot(os.path.join(a.out, "phone-result.png"))
        height = d.execute_script("return document.documentElement.scrollHeight")
        phone_size(d, 390, min(int(height), 6000))
        time.sleep(0.3)
        d.save_screenshot(os.path.join(a.out, "phone-full.png"))
        print(f"phone avatar shown {w}x{h}")
    finally:
        d.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failed as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
