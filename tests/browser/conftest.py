"""Real browsers for the tests in this folder: Debian's Chromium driven by Playwright,
against the app served from a thread on a free port, on the suite's database."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(os.environ.get("AXE_JS", Path(__file__).parents[2] / ".venv/axe-4.10.3/axe.min.js"))


def _require(thing: str, present: bool, how: str) -> None:
    if present:
        return
    message = f"{thing} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class LiveServer(str):
    """The server's base URL, which can also wait until no request is running."""

    def __new__(cls, url: str):
        server = super().__new__(cls, url)
        server.active = 0
        server.lock = threading.Condition()
        return server

    def wrap(self, app):
        def counted(environ, start_response):
            with self.lock:
                self.active += 1
            try:
                yield from app(environ, start_response)
            finally:
                with self.lock:
                    self.active -= 1
                    self.lock.notify_all()

        return counted

    def wait_idle(self, timeout: float = 10) -> None:
        with self.lock:
            self.lock.wait_for(lambda: self.active == 0, timeout)


@pytest.fixture(scope="session")
def live_server(_app):
    server = make_server("127.0.0.1", 0, lambda e, s: wrapped(e, s), threaded=True)
    live = LiveServer(f"http://127.0.0.1:{server.server_port}")
    wrapped = live.wrap(_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield live
    server.shutdown()


@pytest.fixture(autouse=True)
def _pages_close_before_the_database_empties(app, live_server):
    # Set up before the browser's fixtures, so torn down after them: the pages are
    # closed and the server has answered its last request before the next test's
    # database is laid out.
    yield
    live_server.wait_idle()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require(
        "Chromium",
        shutil.which(CHROMIUM) is not None,
        "run 'make browser' (Debian: apt-get install chromium)",
    )
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server, "service_workers": "allow"}


@pytest.fixture
def axe():
    """``axe(page)``: the serious and critical accessibility violations on the page."""
    _require("axe-core", AXE_JS.exists(), "run 'make test', which fetches it with npm")

    def run(page) -> list[dict]:
        # Served from the page's own origin, so the strict Content-Security-Policy
        # lets it run without switching the policy off.
        page.route("**/__axe.js", lambda route: route.fulfill(path=str(AXE_JS)))
        # A page still being parsed has no <head> to add the script to. (A test waits for
        # what a click leads to before calling this: a page it is leaving is no use.)
        page.wait_for_load_state("domcontentloaded")
        page.add_script_tag(url="/__axe.js")
        # Only the violations are read: leaving the passes and the rest out takes about
        # a third off the time axe takes on a page.
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return run


@pytest.fixture
def point(org, make_questionnaire, make_point):
    """An open collection point serving a short questionnaire."""
    return make_point(make_questionnaire(org))
