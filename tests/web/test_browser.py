"""The web office in a real browser: Playwright for Python driving Debian's Chromium against
`zs serve` on 127.0.0.1 (a free port), started and ended by this module.

Skipped, with the reason, when /usr/bin/chromium or Playwright is missing, unless ZS_REQUIRE_BROWSER=1
(as in CI), which turns that into a failure. Playwright never downloads a browser here."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from domain.application import Ledger
from tests.conftest import MACHINE, set_up_commission
from tests.web.conftest import CHOSEN, INITIAL

CHROMIUM = os.environ.get("ZS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions"]
SHOTS = Path(os.environ.get("ZS_SCREENSHOTS", "")) if os.environ.get("ZS_SCREENSHOTS") else None


def _missing() -> str | None:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = _missing()
    if reason and os.environ.get("ZS_REQUIRE_BROWSER"):
        pytest.fail(f"ZS_REQUIRE_BROWSER is set but {reason}")
    if reason:
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(store: str, folder: Path) -> Iterator[str]:
    """`zs serve` over the store on a free port of 127.0.0.1, ended by its pid."""
    port = _free_port()
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "--store", store, "serve", "--host", "127.0.0.1",
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               cwd=Path(__file__).resolve().parents[2], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"zs serve exited {process.returncode}: {(folder / 'serve.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("zs serve did not listen within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def server(browser_ready, tmp_path_factory) -> Iterator[str]:
    """`zs serve` over a commission whose people have passwords."""
    folder = tmp_path_factory.mktemp("browser")
    store = f"sqlite:///{folder / 'web.db'}"
    ledger = Ledger(store, machine=MACHINE)
    set_up_commission(ledger)
    for name in CHOSEN:
        ledger.set_password("管理员", name, INITIAL)
    ledger.close()
    with _serving(store, folder) as url:
        yield url


@pytest.fixture(scope="module")
def browser(browser_ready) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        print(f"\nbrowser: Chromium {chromium.version}, Playwright {_playwright_version()}")
        yield chromium
        chromium.close()


def _playwright_version() -> str:
    from importlib.metadata import version

    return version("playwright")


@pytest.fixture
def page(browser, server) -> Iterator[object]:
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


CHANGED: set[str] = set()  # who has chosen their own password on this module's server


def _log_in(page, name: str) -> None:
    """Logs in through the form; at a person's first login, changes the initial password."""
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", CHOSEN[name] if name in CHANGED else INITIAL)
    page.click("button[type=submit]")
    if name not in CHANGED:
        page.wait_for_url("**/password")
        page.fill("input[name=old]", INITIAL)
        page.fill("input[name=new]", CHOSEN[name])
        page.fill("input[name=again]", CHOSEN[name])
        page.click("main button[type=submit]")
        CHANGED.add(name)
    page.wait_for_url(lambda url: "/login" not in url and "/password" not in url)


def _shot(page, name: str, full_page: bool = True) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_a_liaison_logs_in_changes_the_password_and_sees_the_dashboards_charts(page):
    _log_in(page, "孙联络")
    page.goto("/dashboard")
    # Waited for with locators: a string predicate would be evaluated, which the page's CSP forbids.
    page.locator(".chart[data-rendered=yes] canvas").nth(5).wait_for()
    assert page.locator(".chart canvas").count() == 6
    assert page.console_errors == []


def test_the_as_of_picker_shows_the_dashboard_as_of_a_date(page):
    _log_in(page, "许办公")
    page.goto("/dashboard")
    page.fill("input[name=as_of]", "2021-08-01")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"as_of=2021-08-01"))
    assert "截至 2021-08-01" in page.inner_text("h1")
    assert page.inner_text(".totals li:first-child").startswith("0")
    page.locator(".chart[data-rendered=yes]").nth(5).wait_for()
    assert page.console_errors == []


def test_a_refusal_is_shown_on_the_page(page):
    _log_in(page, "赵处长")
    page.goto("/projects/HW-2021-001")
    page.select_option("select[name=to]", "lead")
    page.click("form[action$='/advance'] button[type=submit]")
    assert "a stage moves forward only" in page.inner_text(".refusal")
    _shot(page, "refusal")
    # Chromium logs the page's own 409 status (the refusal) as a console error; nothing else may fail.
    assert [e for e in page.console_errors if "status of 409" not in e] == []


def test_the_boards_filters_update_the_table_in_place_with_htmx(page):
    _log_in(page, "孙联络")
    page.goto("/board")
    assert "HW-2021-001" in page.inner_text("#board")
    page.evaluate("window.zsMarker = 'kept'")  # gone if the whole page were loaded again
    page.select_option("select[name=unit]", "GY")
    page.locator("#board .count", has_text=re.compile(r"^共 0 条")).wait_for()
    assert "HW-2021-001" not in page.inner_text("#board")
    assert page.evaluate("window.zsMarker") == "kept" and "unit=GY" in page.url
    assert page.console_errors == []


def test_a_liaison_registers_a_project_and_raises_a_problem_and_the_office_answers_and_closes_it(page):
    _log_in(page, "孙联络")
    page.goto("/board")
    page.click("#register-project")
    page.wait_for_url("**/new/project")
    page.fill("input[name=number]", "HW-2021-077")
    page.fill("input[name=name]", "智慧环卫调度平台")
    page.select_option("select[name=sector]", "sanitation")
    page.select_option("select[name=level]", "commission")
    page.fill("input[name=investor]", "天津某科技公司")
    page.fill("input[name=investment]", "not money")
    page.click("#form-register button[type=submit]")
    assert "'not money'" in page.inner_text("#form-register .field-error[data-field=investment]")
    assert page.input_value("input[name=number]") == "HW-2021-077"  # what was typed is kept
    page.fill("input[name=investment]", "2600")
    page.click("#form-register button[type=submit]")
    page.wait_for_url("**/projects/HW-2021-077")
    assert "智慧环卫调度平台" in page.inner_text("h1")

    page.fill("#form-raise input[name=title]", "调度中心用房未落实")
    page.select_option("#form-raise select[name=category]", "land")
    page.click("#form-raise button[type=submit]")
    page.wait_for_url("**/projects/HW-2021-077")
    row = page.locator("tr[data-problem='HW-2021-077/P1']")
    assert "调度中心用房未落实" in row.inner_text() and "待办" in row.inner_text()
    _shot(page, "project-forms")
    # Chromium logs the page's own 422 status (the malformed amount) as a console error; nothing else may fail.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
    page.console_errors.clear()

    _log_in(page, "许办公")
    page.goto("/projects/HW-2021-077")
    row = page.locator("tr[data-problem='HW-2021-077/P1']")
    row.locator("input[name=note]").fill("已协调区城管委提供临时用房")
    row.locator("button", has_text="答复").click()
    page.wait_for_url("**/projects/HW-2021-077")
    row = page.locator("tr[data-problem='HW-2021-077/P1']")
    assert "已答复" in row.inner_text()
    row.locator("button", has_text="销号").click()
    page.wait_for_url("**/projects/HW-2021-077")
    assert "已销号" in page.locator("tr[data-problem='HW-2021-077/P1'] .problem-status").inner_text()
    history = page.inner_text("table.history")
    assert "孙联络" in history and "许办公" in history and "web" in history
    assert page.console_errors == []
def test_the_dashboards_lamps_chart_renders_each_units_lamps_with_no_console_errors(page):
    _log_in(page, "许办公")
    page.goto("/dashboard")
    page.locator("#chart-lamps[data-rendered=yes] canvas").wait_for()
    box = page.locator("#chart-lamps canvas").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    page.goto("/dashboard?as_of=2021-09-02")
    page.locator("#chart-lamps[data-rendered=yes] canvas").wait_for()
    assert page.console_errors == []


def test_an_admin_sets_a_password_and_the_person_must_change_it_at_first_login(page, browser, server):
    _log_in(page, "管理员")
    page.goto("/admin/people")
    row = page.locator("tr[data-person=李科员]")
    row.locator("summary", has_text="设置初始密码").click()
    row.locator("input[name=password]").fill("li-keyuan-chushi-1")
    row.locator("input[name=again]").fill("li-keyuan-chushi-1")
    row.locator("form.set-password button[type=submit]").click()
    page.locator(".notice.done", has_text="首次登录时须修改").wait_for()
    assert "li-keyuan-chushi-1" not in page.content()
    assert page.console_errors == []
    context = browser.new_context(base_url=server, locale="zh-CN")
    try:
        other = context.new_page()
        other.goto("/login")
        other.fill("input[name=name]", "李科员")
        other.fill("input[name=password]", "li-keyuan-chushi-1")
        other.click("button[type=submit]")
        other.wait_for_url("**/password")
        assert "首次登录" in other.inner_text("main")
        other.goto("/dashboard")
        assert other.url.endswith("/password")  # no page until the password is changed
        other.fill("input[name=old]", "li-keyuan-chushi-1")
        other.fill("input[name=new]", "li-keyuan-ziji-22")
        other.fill("input[name=again]", "li-keyuan-ziji-22")
        other.click("main button[type=submit]")
        other.wait_for_url(lambda url: "/password" not in url and "/login" not in url)
        other.goto("/lamps")
        assert other.locator("h1").inner_text().startswith("三色预警")
    finally:
        context.close()


@pytest.fixture(scope="module")
def demo_server(browser_ready, tmp_path_factory) -> Iterator[str]:
    """`zs serve` over `zs demo`'s store (a year of the commission's work; every password zs-demo)."""
    if not SHOTS:
        pytest.skip("screenshots are taken only with ZS_SCREENSHOTS=DIR (e.g. docs/images)")
    folder = tmp_path_factory.mktemp("demo")
    store = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([sys.executable, "-m", "cli.main", "--store", store, "demo"], check=True, capture_output=True,
                   cwd=Path(__file__).resolve().parents[2])
    with _serving(store, folder) as url:
        yield url


def test_screenshots_of_the_demo_for_the_docs(browser, demo_server):
    """ZS_SCREENSHOTS=docs/images: the pictures in docs/web.md, of the demo as of 2022-08-10."""
    context = browser.new_context(base_url=demo_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        def log_in(name: str) -> None:
            context.clear_cookies()
            page.goto("/login")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", "zs-demo")
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login" not in url)

        log_in("孟庆华")  # the office
        page.goto("/dashboard?as_of=2022-08-10")
        page.locator("#chart-lamps[data-rendered=yes] canvas").wait_for()
        page.wait_for_timeout(1500)  # the charts' entry animation
        _shot(page, "dashboard")
        for name, path, whole in [("board", "/board?as_of=2022-08-10&size=20", True),
                                  ("month", "/units/HW/reports?month=2022-07", True),
                                  ("lamps", "/lamps?as_of=2022-08-10&size=20", True),
                                  ("overdue", "/overdue?size=10", False), ("summary", "/summary?year=2022", True)]:
            page.goto(path)
            _shot(page, name, whole)
        log_in("杜晓岚")  # the admin
        page.goto("/admin/people")
        _shot(page, "admin-people", False)
        assert errors == []
    finally:
        context.close()
