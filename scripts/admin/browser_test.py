#!/usr/bin/env python3
"""Drives the admin web UI (/admin) in a real browser: headless Chromium through chromedriver (Debian's
`chromium` and `chromium-driver`) with Selenium (PyPI).

Starts `.build/debug/mjproxy` in sandbox mode (one sandbox account, spare sandbox channels, an API secret
and an admin secret, a banned-word file), then, as an operator would:

  1. opens /admin (redirected to the login form), logs in with the admin secret;
  2. adds an account with a sandbox token on a spare channel and waits until it is READY;
  3. submits an imagine from the tasks page and watches it reach SUCCESS live (the page follows the
     task's events over SSE and reloads itself when the task ends; the test never reloads it);
  4. presses U1 on the finished grid and watches the upscale reach SUCCESS;
  5. disables the added account;
  6. opens the banned-word editor and the configuration page (no secret on it) and the Chinese overview;

asserting that the browser logged no JavaScript console errors. A screenshot of each page is kept under
.build/admin-screenshots/ (with --docs also copied to docs/admin/ for the README). Loopback only; every
wait has a deadline. Exits non-zero on any failure.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procs import free_port, wait_for  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

API_SECRET = "browser-api-secret-0123456789"
ADMIN_SECRET = "browser-admin-secret-0123456789"
GUILD = "1172000000000000001"
SPARE_CHANNEL = str(1172000000000000001 + 5)  # SandboxIDs.channelId(5): the sandbox has 10 channels
SPARE_TOKEN = "sandbox-token-5"  # SandboxIDs.accountToken(5)
ACCOUNT = "browser-account"


def start_proxy(binary, workdir, log_path):
    """mjproxy in sandbox mode with one generated account; returns (process, base URL)."""
    port = free_port()
    banned = os.path.join(workdir, "banned-words.txt")
    with open(banned, "w") as f:
        f.write("# one word or phrase a line\nbloodbath\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MJPROXY_")}
    env.update({
        "MJPROXY_HTTP_HOST": "127.0.0.1", "MJPROXY_HTTP_PORT": str(port),
        "MJPROXY_STORE_PATH": os.path.join(workdir, "store.sqlite"),
        "MJPROXY_SANDBOX_PORT": str(free_port()), "MJPROXY_SANDBOX_GATEWAY_PORT": str(free_port()),
        "MJPROXY_SANDBOX_SPEED_FACTOR": "0.1", "MJPROXY_SANDBOX_TILE_SIZE": "128", "MJPROXY_SANDBOX_ACCOUNTS": "1",
        "MJPROXY_API_SECRET": API_SECRET, "MJPROXY_ADMIN_SECRET": ADMIN_SECRET,
        "MJPROXY_BANNED_WORDS_FILE": banned, "MJPROXY_LOG_LEVEL": "info",
    })
    log = open(log_path, "wb")
    proc = subprocess.Popen([os.path.abspath(binary), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def ready(base):
    import urllib.request
    try:
        with urllib.request.urlopen(base + "/ready", timeout=5) as r:
            return r.status == 200
    except Exception:
        return False


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ["--headless=new", "--disable-gpu", "--window-size=1280,1000", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--lang=en-US"]:
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


class Run:
    """The browser session, the collected console messages and the screenshots."""

    def __init__(self, driver, base, shots):
        self.driver, self.base, self.shots = driver, base, shots
        self.console = []

    def collect_console(self):
        self.console += self.driver.get_log("browser")

    def get(self, path):
        self.collect_console()
        self.driver.get(self.base + path)

    def until(self, what, predicate, timeout=60):
        def check(d):
            try:
                return predicate(d)
            except WebDriverException:
                return False  # the page was being replaced (a reload, a redirect): look again
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.25).until(check)
        except Exception as e:
            raise AssertionError(f"timed out ({timeout} s) waiting for {what}; page {self.driver.current_url}") from e

    def text(self, css):
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found[0].text if found else ""

    def shot(self, name):
        path = os.path.join(self.shots, name + ".png")
        self.driver.save_screenshot(path)
        print(f"screenshot {path}", flush=True)

    def flash_ok(self):
        flash = self.driver.find_elements(By.ID, "flash")
        assert flash, f"no result message on {self.driver.current_url}"
        classes = flash[0].get_attribute("class")
        assert "ok" in classes.split(), f"action failed: {flash[0].text!r}"


def follow_task_live(run, label):
    """On a task page: the page is following the task (live marker), then shows SUCCESS by itself."""
    task_id = run.text("#task-id")
    status = run.text("#task-status")
    print(f"{label}: task {task_id} shown as {status}", flush=True)
    if status not in ("SUCCESS",):
        assert run.driver.find_elements(By.ID, "live") and run.text("#live"), "an unfinished task page is not following events"
    run.until(f"{label} to reach SUCCESS live", lambda d: run.text("#task-status") == "SUCCESS"
              and d.find_elements(By.CSS_SELECTOR, "#task-buttons button"), timeout=120)
    run.until(f"{label}'s image to load", lambda d: d.execute_script(
        "var i = document.getElementById('task-image'); return i.complete && i.naturalWidth > 0"), timeout=30)
    return task_id


def scenario(run):
    d = run.driver
    # 1. login
    run.get("/admin")
    run.until("the login form", lambda d: "/admin/login" in d.current_url and d.find_elements(By.ID, "secret"))
    run.shot("login")
    d.find_element(By.ID, "secret").send_keys("not-the-secret")
    d.find_element(By.ID, "login").click()
    run.until("the refusal", lambda d: d.find_elements(By.ID, "flash"))
    assert "ok" not in d.find_element(By.ID, "flash").get_attribute("class").split()
    d.find_element(By.ID, "secret").send_keys(ADMIN_SECRET)
    d.find_element(By.ID, "login").click()
    run.until("the overview", lambda d: d.find_elements(By.ID, "states"))
    run.until("the sandbox account to be READY", lambda d: (d.refresh() or True) and "READY" in run.text("#states"), timeout=60)
    # 2. add an account with a sandbox token
    run.get("/admin/accounts")
    form = d.find_element(By.ID, "add-account")
    for name, value in [("id", ACCOUNT), ("guildId", GUILD), ("channelId", SPARE_CHANNEL), ("userToken", SPARE_TOKEN),
                        ("remark", "added in the browser"), ("coreSize", "2")]:
        form.find_element(By.NAME, name).send_keys(value)
    d.find_element(By.ID, "add-account-submit").click()
    run.until("the result of adding", lambda d: d.find_elements(By.ID, "flash"))
    run.flash_ok()
    run.until("the added account to be READY", lambda d: (d.refresh() or True)
              and "READY" in run.text(f"#account-{ACCOUNT} .state"), timeout=60)
    # 3. imagine from the UI, followed live
    run.get("/admin/tasks")
    d.find_element(By.ID, "prompt").send_keys("a lighthouse at dusk, watercolor")
    d.find_element(By.ID, "imagine-submit").click()
    run.until("the new task's page", lambda d: d.find_elements(By.ID, "task-id"))
    imagine_id = follow_task_live(run, "imagine")
    run.shot("task")
    # 4. U1
    d.find_element(By.CSS_SELECTOR, "#task-buttons button[data-label='U1']").click()
    run.until("the upscale's page", lambda d: d.find_elements(By.ID, "task-id") and run.text("#task-id") != imagine_id)
    follow_task_live(run, "U1")
    run.get("/admin/tasks")
    run.until("both tasks listed as SUCCESS", lambda d: run.text("#tasks").count("SUCCESS") >= 2)
    run.shot("tasks")
    # 5. disable the added account
    run.get("/admin/accounts")
    d.find_element(By.ID, f"disable-{ACCOUNT}").click()
    run.until("the result of disabling", lambda d: d.find_elements(By.ID, "flash"))
    run.flash_ok()
    run.until("the account shown disabled", lambda d: d.find_elements(By.ID, f"enable-{ACCOUNT}")
              and "DISABLED" in run.text(f"#account-{ACCOUNT} .state"))
    run.shot("accounts")
    # 6. the other pages
    run.get("/admin/banned")
    assert "bloodbath" in d.find_element(By.ID, "banned-words").get_attribute("value")
    run.shot("banned-words")
    run.get("/admin/config")
    page = d.page_source
    assert API_SECRET not in page and ADMIN_SECRET not in page, "a secret is shown on the configuration page"
    assert "admin.secret" in run.text("#config")
    run.shot("config")
    run.get("/admin")
    run.until("the overview's counters", lambda d: d.find_elements(By.ID, "per-minute"))
    run.shot("overview")
    run.get("/admin?lang=zh")
    run.until("the Chinese overview", lambda d: "概览" in d.find_element(By.TAG_NAME, "h1").text)
    run.shot("overview-zh")
    run.get("/admin?lang=en")
    run.collect_console()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=".build/debug/mjproxy")
    parser.add_argument("--shots", default=".build/admin-screenshots")
    parser.add_argument("--docs", action="store_true", help="also copy the screenshots to docs/admin/")
    args = parser.parse_args()
    os.makedirs(args.shots, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="mjproxy-admin-")
    log_path = os.path.join(args.shots, "mjproxy.log")
    proc, base = start_proxy(args.binary, workdir, log_path)
    driver = None
    failed = 0
    try:
        wait_for("mjproxy /ready", lambda: ready(base), timeout=90)
        driver = make_driver()
        driver.set_page_load_timeout(60)
        run = Run(driver, base, args.shots)
        try:
            scenario(run)
        except Exception:
            run.shot("failure")
            raise
        errors = [e for e in run.console if e.get("level") == "SEVERE"]
        for e in run.console:
            print(f"console {e.get('level')}: {e.get('message')}", flush=True)
        assert not errors, f"{len(errors)} JavaScript console error(s)"
        if args.docs:
            os.makedirs("docs/admin", exist_ok=True)
            for name in ["login", "overview", "overview-zh", "accounts", "tasks", "task", "banned-words", "config"]:
                shutil.copy(os.path.join(args.shots, name + ".png"), os.path.join("docs/admin", name + ".png"))
        print("admin browser test: passed", flush=True)
    except Exception as e:
        failed = 1
        print(f"admin browser test FAILED: {e!r}", file=sys.stderr, flush=True)
        with open(log_path, "rb") as f:
            sys.stderr.write(f.read()[-4000:].decode(errors="replace"))
    finally:
        if driver is not None:
            driver.quit()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{1 - failed} passed, {failed} failed", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
