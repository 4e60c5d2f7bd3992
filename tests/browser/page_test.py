#!/usr/bin/env python3
"""The web page of depeche-search --http in headless Chromium, driven by Selenium:
type a query, see hits and facets, click a person, drag a date range on the histogram,
open an article, go back, reopen a shared URL, follow a suggestion, and show an article
whose title and body are hostile HTML as plain text. Saves screenshots in --artifacts.

Exit status: 0 passed, 1 failed, 77 skipped (no Chromium, ChromeDriver or Selenium:
scripts/install-deps.sh installs them)."""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SKIP = 77
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("skipped: python3-selenium is not installed (apt-get install python3-selenium)")
    sys.exit(SKIP)

HOSTILE_TITLE = "<script>alert(1)</script> Zorglub & co"
HOSTILE_BODY = 'Le zorglub <img src=x onerror="alert(2)"> a <b>frappé</b> à Quimper. <a href="javascript:alert(3)">lien</a>'

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def total(base, query):
    return api(base, "/api/search?limit=0&q=" + urllib.parse.quote(query))["total"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--search", required=True)
    ap.add_argument("--index-bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--artifacts", required=True)
    a = ap.parse_args()
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(tool):
            print(f"skipped: {tool} not found (apt-get install chromium chromium-driver)")
            return SKIP
    os.makedirs(a.artifacts, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="depeche-browser-")
    server = None
    driver = None
    try:
        corpus = os.path.join(tmp, "corpus")
        shutil.copytree(a.data, corpus)
        with open(os.path.join(corpus, "hostile.json"), "w", encoding="utf-8") as f:
            json.dump({"id": "hostile-1", "title": HOSTILE_TITLE, "date": "2025-03-01",
                       "body": HOSTILE_BODY, "url": "javascript:alert(4)"}, f, ensure_ascii=False)
        db = os.path.join(tmp, "db")
        subprocess.run([a.index_bin, "--quiet", "--db", db, corpus], check=True)
        err = open(os.path.join(tmp, "server.err"), "w+")
        server = subprocess.Popen([a.search, "--db", db, "--http", "127.0.0.1:0"], stderr=err)
        port = None
        for _ in range(200):
            time.sleep(0.1)
            err.seek(0)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", err.read())
            if m:
                port = int(m.group(1))
                break
        if not port:
            err.seek(0)
            print("FAIL the server did not start: " + err.read())
            return 1
        base = f"http://127.0.0.1:{port}"

        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1000", f"--user-data-dir={tmp}/profile"):
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        wait = WebDriverWait(driver, 20)
        status = lambda: driver.find_element(By.ID, "status").text

        def wait_status(pattern, what):
            try:
                wait.until(lambda d: re.search(pattern, status()))
                check(True, what)
            except TimeoutException:
                check(False, f"{what} (status: {status()!r})")

        # Type a query, see hits and facets.
        driver.get(base + "/")
        box = driver.find_element(By.ID, "q")
        box.send_keys("Ukraine", Keys.ENTER)
        wait_status(r"^Résultats 1 à 3 sur 3$", "typing Ukraine shows 'Résultats 1 à 3 sur 3'")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#hits > li")) == 3, "three hits listed")
        check("q=Ukraine" in driver.current_url, "the query is in the URL")
        marks = driver.find_elements(By.CSS_SELECTOR, "#hits mark")
        check(any(m.text == "Ukraine" for m in marks), "snippets highlight the query word")
        people = driver.find_elements(By.CSS_SELECTOR, "#people button.facet")
        check(len(people) > 0, "the people facet is shown")
        driver.save_screenshot(os.path.join(a.artifacts, "page-results.png"))

        # Click a person: filtered, a chip shows it; click again: removed.
        macron = [b for b in people if b.text.startswith("Emmanuel Macron")]
        check(len(macron) == 1, "Emmanuel Macron is in the people facet")
        if macron:
            macron[0].click()
            want = total(base, 'Ukraine personne:"Emmanuel Macron"')
            wait_status(rf"sur {want}$", f"clicking the person filters ({want} articles)")
            check("person=Emmanuel+Macron" in driver.current_url, "the person filter is in the URL")
            chips = driver.find_elements(By.CSS_SELECTOR, "#chips .chip")
            check(len(chips) == 1 and "Emmanuel Macron" in chips[0].text, "a chip shows the person filter")
            driver.find_element(By.CSS_SELECTOR, "#people button.facet.active").click()
            wait_status(r"sur 3$", "clicking the person again removes the filter")

        # Drag across the histogram: a date range.
        driver.find_element(By.ID, "q").clear()
        driver.find_element(By.ID, "q").send_keys("président OR Ukraine OR élections", Keys.ENTER)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#histogram g.bar")) > 1)
        bars = driver.find_elements(By.CSS_SELECTOR, "#histogram g.bar")
        before = status()
        ActionChains(driver).move_to_element(bars[0]).click_and_hold().move_to_element(bars[-1]).release().perform()
        wait.until(lambda d: "date=" in d.current_url)
        date = urllib.parse.parse_qs(urllib.parse.urlparse(driver.current_url).query).get("date", [""])[0]
        check(".." in date, f"dragging over the bars filters on a range ({date})")
        want = total(base, f"président OR Ukraine OR élections date:{date}")
        wait_status(rf"sur {want}$", f"the range filter gives the API's count ({want})")
        check(status() != "" and before != "", "status shown before and after")
        driver.save_screenshot(os.path.join(a.artifacts, "page-histogram.png"))
        shared = driver.current_url

        # Open an article, then go back.
        first = driver.find_element(By.CSS_SELECTOR, "#hits a.hit-title")
        title = first.text
        first.click()
        wait.until(lambda d: d.find_element(By.ID, "article-view").is_displayed()
                   and d.find_element(By.ID, "article-title").text == title)
        check(True, "the article view opens with the hit's title")
        check(len(driver.find_element(By.ID, "article-text").text) > 100, "the article's full text is shown")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#article-text mark")) > 0, "the query's words are highlighted")
        driver.save_screenshot(os.path.join(a.artifacts, "page-article.png"))
        driver.back()
        wait.until(lambda d: d.find_element(By.ID, "results-view").is_displayed())
        check(driver.current_url == shared, "back returns to the same results URL")
        wait_status(rf"sur {want}$", "back shows the same results")

        # A shared URL opens the same state in a fresh page.
        driver.get("about:blank")
        driver.get(shared)
        wait_status(rf"sur {want}$", "a shared URL shows the same results")
        check(driver.find_element(By.ID, "q").get_attribute("value") == "président OR Ukraine OR élections",
              "a shared URL fills the search box")

        # A suggestion.
        driver.get(base + "/?q=Ukrayne")
        wait.until(lambda d: d.find_element(By.ID, "suggestion").is_displayed())
        link = driver.find_element(By.CSS_SELECTOR, "#suggestion a")
        check(link.text == "Ukraine", "'Vouliez-vous dire : Ukraine ?' is offered")
        link.click()
        wait_status(r"sur 3$", "following the suggestion searches Ukraine")

        # Hostile HTML is shown as text, never run.
        driver.get(base + "/?q=zorglub")
        wait_status(r"sur 1$", "the hostile article is found")
        hit = driver.find_element(By.CSS_SELECTOR, "#hits a.hit-title")
        check(hit.text == HOSTILE_TITLE, "a title with <script> is shown as text")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#hits script, #hits img, #hits b")) == 0,
              "no element was made from the title or snippet")
        hit.click()
        wait.until(lambda d: d.find_element(By.ID, "article-view").is_displayed()
                   and d.find_element(By.ID, "article-title").text == HOSTILE_TITLE)
        text = driver.find_element(By.ID, "article-text").text
        check('<img src=x onerror="alert(2)">' in text and "<b>frappé</b>" in text, "the hostile body is shown as text")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#article-view img, #article-view script, #article-text a")) == 0,
              "no element was made from the body")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#article-link a")) == 0, "a javascript: URL is not linked")
        try:
            driver.switch_to.alert
            check(False, "no alert ran")
        except NoAlertPresentException:
            check(True, "no alert ran")
        driver.save_screenshot(os.path.join(a.artifacts, "page-hostile.png"))

        # Phone width: still one column, the search box usable.
        driver.set_window_size(390, 844)
        driver.get(base + "/?q=Ukraine")
        wait_status(r"sur 3$", "the page works at phone width")
        box = driver.find_element(By.ID, "q")
        check(box.size["width"] > 150, "the search box fits a phone screen")
        driver.save_screenshot(os.path.join(a.artifacts, "page-phone.png"))

        # Nothing blocked by the Content-Security-Policy, no script error.
        severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(not severe, "no error in the browser console" + (": " + "; ".join(severe) if severe else ""))
    finally:
        if driver:
            driver.quit()
        if server:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} check(s) failed; screenshots in {a.artifacts}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
