"""Benchmark: how long a staff tablet takes to send 500 queued answers.

Starts the service under gunicorn on SQLite and (when reachable) PostgreSQL, signs a
staff member in on Debian's Chromium, puts 500 answers in the tablet's outbox while it
is offline, then goes online, presses "Send now" and times until the outbox is
empty and the database holds all 500.

    .venv/bin/python bench/sync.py [--answers 500]

Aim: under 5 seconds to a local server.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time

from harness import count_responses, gunicorn, open_kiosk, postgres_database
from harness import prepare as prepare_database
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
QUEUE = """async ({ token, count }) => {
  const { enqueue } = await import("/static/outbox.js");
  for (let i = 0; i < count; i++) {
    await enqueue({
      id: crypto.randomUUID(), token, version: 1, language: "sv", channel: "staff",
      recordedAt: new Date().toISOString(),
      answers: { safety_now: "fairly_safe", safety_evening: "very_unsafe",
                 safer_by: ["lighting", "cleaning"], comment: "Mörkt vid bryggan" },
    });
  }
}"""


def measure(label: str, url: str, answers: int) -> float:
    token = prepare_database(url)
    with gunicorn(url, 4) as (base, _env), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(base_url=base, service_workers="allow")
        page = context.new_page()
        open_kiosk(page, token)
        waiting = page.locator("[data-waiting]")
        waiting.filter(has_text=re.compile("^0$")).wait_for()
        context.set_offline(True)
        page.evaluate(QUEUE, {"token": token, "count": answers})
        page.get_by_role("button", name="Skicka nu").click()
        waiting.filter(has_text=re.compile(f"^{answers}$")).wait_for()
        context.set_offline(False)
        started = time.monotonic()
        page.get_by_role("button", name="Skicka nu").click()
        waiting.filter(has_text=re.compile("^0$")).wait_for(timeout=120_000)
        elapsed = time.monotonic() - started
        browser.close()
    stored = count_responses(url)
    verdict = "met" if elapsed < 5 and stored == answers else "NOT met"
    print(
        f"{label}: {answers} queued answers sent in {elapsed:.2f} s "
        f"({answers / elapsed:.0f}/s); {stored} stored (aim < 5 s: {verdict})"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/sync.sqlite", args.answers)
    pg = postgres_database()
    if pg:
        url, drop = pg
        try:
            measure("PostgreSQL", url, args.answers)
        finally:
            drop()


if __name__ == "__main__":
    main()
