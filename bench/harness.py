"""What the benchmarks share: a migrated database with an open collection point, the
service under the real gunicorn, and a PostgreSQL database of their own."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveyservice import create_app  # noqa: E402
from surveyservice.config import database_url  # noqa: E402

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-bench-secret-key-0123456789"  # noqa: S105 (a throwaway server)
STAFF_EMAIL = "staff@bench.example"
COORDINATOR_EMAIL = "coordinator@bench.example"
STAFF_PASSWORD = "bench password 123"  # noqa: S105 (a throwaway account)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(
    url: str, questionnaire: str = "sanden-event", area: str = "Sanden", kind: str = "event"
) -> str:
    """Migrate, load forms/, make a staff member, a coordinator (both with
    STAFF_PASSWORD) and an open point for the questionnaire; return its token."""
    from flask_migrate import upgrade

    from surveyservice.accounts.accounts import create_organisation, create_user
    from surveyservice.areas.areas import create_area
    from surveyservice.collection.points import create_point
    from surveyservice.database import utcnow
    from surveyservice.extensions import db
    from surveyservice.questionnaires.sync import sync_folder

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        org = create_organisation("Bench", "bench")
        for area in ("Sanden", "Torpa"):
            create_area(org.id, area)
        sync_folder(org, ROOT / "forms")
        create_user(org, STAFF_EMAIL, STAFF_PASSWORD, "staff")
        create_user(org, COORDINATOR_EMAIL, STAFF_PASSWORD, "coordinator")
        point = create_point(
            org.id,
            {
                "name": "Bench",
                "area": area,
                "kind": kind,
                "questionnaire": questionnaire,
                "opens_at": utcnow() - timedelta(hours=1),
            },
        )
        db.session.commit()
        token = point.token
        db.engine.dispose()
    return token


def count_responses(url: str) -> int:
    engine = sa.create_engine(database_url(url))
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM response")).scalar_one()
    engine.dispose()
    return count


@contextlib.contextmanager
def gunicorn(url: str, workers: int, **env: str) -> Iterator[tuple[str, dict]]:
    """The service under gunicorn on a free port: yields its base URL and environment."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "ACCESS_LOG": "/dev/null",
        **env,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    # For the benchmarks that read the server's processes; the server never sees it.
    environment["MASTER_PID"] = str(server.pid)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 (http only)
                break
            except OSError:
                time.sleep(0.1)
        yield base, environment
    finally:
        server.terminate()
        server.wait(timeout=30)


def postgres_database() -> tuple[str, Callable[[], None]] | None:
    """A new database on the benchmark's PostgreSQL server, and how to drop it."""
    admin = sa.create_engine(database_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"surveyservice_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL at {PG_URL} is not reachable ({exc.orig}); measuring SQLite only.")
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = sa.engine.make_url(database_url(PG_URL)).set(database=name)
    return url.render_as_string(hide_password=False), drop


def open_kiosk(page, token: str) -> None:
    """Sign the staff member in on ``page``, lock the point's form in kiosk mode and
    open the staff controls, where "Skicka nu" and the waiting count are."""
    page.goto("/sign-in?lang=sv")
    page.get_by_label("E-postadress").fill(STAFF_EMAIL)
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(f"/staff/collect/{token}")
    # Lock the tablet for kiosk mode, then open the staff controls with the PIN.
    page.get_by_label("Pinkod (minst 4 siffror)").fill("2468")
    page.get_by_label("Samma pinkod igen").fill("2468")
    page.get_by_role("button", name="Starta kioskläget").click()
    page.get_by_role("button", name="Personal", exact=True).click()
    page.get_by_role("dialog").get_by_label("Pinkod").fill("2468")
    page.get_by_role("button", name="Lås upp").click()
