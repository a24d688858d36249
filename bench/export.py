"""Benchmark: exporting responses and computing results, with many responses stored.

Generates N responses (default 100,000) to a 20-question questionnaire through the
same function that stores every answer, on SQLite and (when reachable) PostgreSQL,
spread over four collection points in two areas and a year of days. Then, under the
real gunicorn with one worker, measures in the same run:

- the CSV export over HTTP against the database's own CSV dump of the same rows
  (`sqlite3 -csv`, `COPY (...) TO STDOUT WITH CSV`), aim: within 3 times the dump;
- the XLSX export;
- the worker's peak memory exporting 10,000 responses (one point) and all of them,
  each in a fresh server, aim: the same within 20 %;
- the results (JSON) with no filter and with two filters, the worker's first request
  (nothing kept yet for the no-filter one) and the next, aim: under 1 s.

    .venv/bin/python bench/export.py [--responses 100000] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from harness import SECRET, gunicorn, postgres_database

from surveyservice import create_app
from surveyservice.config import database_url

SLUG = "bench-export"
SMALL_POINT_SHARE = 0.1  # the first point holds a tenth: the 10,000 of the memory test
OPTIONS = ["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "dont_know"]
COMMENTS = [
    "Mörkt vid bryggan efter nio, lampan vid gästhamnen är trasig.",
    "Bra med vakter i år. Mer sådant!",
    "=SUM(A1:A9) står det på skylten",
    "More light along the path to the station please.",
    "الإضاءة سيئة قرب الملعب",
]


def definition() -> dict:
    """Twenty questions of the kinds a safety survey has."""
    label = {"sv": "Fråga", "en": "Question", "ar": "سؤال"}
    options = [{"value": v, "label": {"sv": v, "en": v, "ar": v}} for v in OPTIONS]
    questions = [
        {"id": f"single_{i}", "type": "single", "label": label, "options": options}
        for i in range(12)
    ]
    questions += [
        {"id": f"multi_{i}", "type": "multi", "label": label, "options": options} for i in range(2)
    ]
    questions += [
        {"id": f"scale_{i}", "type": "scale", "label": label, "min": 1, "max": 5} for i in range(2)
    ]
    questions += [
        {"id": "yesno", "type": "yesno", "label": label},
        {"id": "number", "type": "number", "label": label, "min": 0, "max": 120},
        {"id": "comment", "type": "longtext", "label": label},
        {"id": "where", "type": "text", "label": label},
    ]
    return {
        "slug": SLUG,
        "title": {"sv": "Trygghet", "en": "Safety", "ar": "الأمان"},
        "languages": ["sv", "en", "ar"],
        "default_language": "sv",
        "questions": questions,
    }


def answers(rng: random.Random) -> dict:
    given: dict = {f"single_{i}": rng.choice(OPTIONS) for i in range(12) if rng.random() < 0.9}
    for i in range(2):
        if rng.random() < 0.6:
            given[f"multi_{i}"] = rng.sample(OPTIONS, rng.randint(1, 3))
    for i in range(2):
        given[f"scale_{i}"] = rng.randint(1, 5)
    given["yesno"] = rng.random() < 0.4
    if rng.random() < 0.7:
        given["number"] = round(rng.uniform(0, 90), 1)
    if rng.random() < 0.1:
        given["comment"] = rng.choice(COMMENTS)
    if rng.random() < 0.1:
        given["where"] = "Vid kajen"
    return given


def generate(url: str, count: int) -> str:
    """Migrate and store ``count`` responses; return a coordinator's API token."""
    from flask_migrate import upgrade

    from surveyservice.accounts.accounts import create_organisation, create_user, issue_token
    from surveyservice.areas.areas import create_area
    from surveyservice.collection.models import Channel
    from surveyservice.collection.points import create_point
    from surveyservice.collection.submissions import Submission, submit
    from surveyservice.database import utcnow
    from surveyservice.extensions import db
    from surveyservice.questionnaires.versions import create_questionnaire, publish_draft

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SUBMISSION_RATE_LIMIT": 10**9}
    )
    rng = random.Random(9)
    now = utcnow()
    with app.app_context():
        upgrade()
        org = create_organisation("Bench", "bench")
        for area in ("Sanden", "Torpa"):
            create_area(org.id, area)
        user = create_user(org, "coordinator@bench.example", None, "coordinator")
        token = issue_token(user, "bench")
        questionnaire = create_questionnaire(org, definition())
        version = publish_draft(questionnaire)
        points = [
            create_point(
                org.id,
                {
                    "name": f"Point {i}",
                    "area": area,
                    "kind": "event",
                    "questionnaire": SLUG,
                    "opens_at": now - timedelta(days=400),
                },
            )
            for i, area in enumerate(("Sanden", "Sanden", "Torpa", "Torpa"))
        ]
        db.session.commit()
        ref = (version.id, version.content_hash)
        started = time.perf_counter()
        for n in range(count):
            point = points[0] if n < count * SMALL_POINT_SHARE else points[1 + n % 3]
            recorded = now - timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 12))
            sub = Submission(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                version=1,
                language=rng.choice(("sv", "sv", "sv", "en", "ar")),
                answers=answers(rng),
                recorded_at=recorded,
                channel=Channel.STAFF if n % 4 == 0 else Channel.RESIDENT,
            )
            submit(point, ref, sub, now, stored={})
            if n % 2000 == 1999:
                db.session.commit()
        db.session.commit()
        print(f"  generated {count:,} responses in {time.perf_counter() - started:.0f} s")
        db.engine.dispose()
    return token


def dump_seconds(url: str) -> float:
    """The database's own CSV of the same rows: the floor an export is compared with."""
    select = (
        "SELECT r.id, v.number, r.collection_point_id, r.channel, r.received_at, r.answers "
        "FROM response r JOIN questionnaire_version v ON v.id = r.version_id ORDER BY r.id"
    )
    started = time.perf_counter()
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        subprocess.run(["sqlite3", "-csv", path, select], check=True, stdout=subprocess.DEVNULL)
    else:
        plain = sa.engine.make_url(database_url(url)).set(drivername="postgresql")
        subprocess.run(
            [
                "psql",
                plain.render_as_string(hide_password=False),
                "-c",
                f"COPY ({select}) TO STDOUT WITH CSV",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - started


def fetch(base: str, path: str, token: str) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (http only)
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (http only)
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def worker_peak_kib(environment: dict) -> int:
    """The peak resident memory of the gunicorn worker serving the benchmark."""
    master = environment["MASTER_PID"]
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = [0]
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks += [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")]
    return max(peaks)


def point_id(url: str) -> int:
    engine = sa.create_engine(database_url(url))
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT min(id) FROM collection_point")).scalar_one()
    engine.dispose()
    return found


def measure(label: str, url: str, count: int) -> None:
    print(f"{label}:")
    token = generate(url, count)
    small = point_id(url)
    api = f"/api/v1/questionnaires/{SLUG}"
    dump = dump_seconds(url)
    print(f"  database's own CSV dump: {dump:.2f} s")
    with gunicorn(url, 1) as (base, _environment):
        for dialect in ("rfc4180", "excel-sv"):
            seconds, size = fetch(base, f"{api}/responses.csv?dialect={dialect}", token)
            print(
                f"  CSV export ({dialect}): {seconds:.2f} s, {size / 1e6:.1f} MB, "
                f"{seconds / dump:.1f} × the dump (aim: at most 3 ×)"
            )
        seconds, size = fetch(base, f"{api}/responses.xlsx", token)
        print(f"  XLSX export: {seconds:.2f} s, {size / 1e6:.1f} MB")
        last_year = date.today() - timedelta(days=180)
        for name, query in (
            ("no filter", ""),
            ("two filters", f"?area=Torpa&from={last_year.isoformat()}"),
        ):
            # The worker's first results request counts everything; later ones add to
            # the counts it kept (the filters do not change them).
            first, _ = fetch(base, f"{api}/results{query}", token)
            seconds, _ = fetch(base, f"{api}/results{query}", token)
            print(
                f"  results ({name}): first request {first:.2f} s, next {seconds:.2f} s "
                "(aim: under 1 s)"
            )
    peaks = {}
    for name, query in (("10,000 (one point)", f"?point={small}"), ("all", "")):
        with gunicorn(url, 1) as (base, environment):
            fetch(base, f"{api}/responses.csv{query}", token)
            peaks[name] = worker_peak_kib(environment)
    low, high = peaks["10,000 (one point)"], peaks["all"]
    growth = (high / low - 1) * 100
    print(
        f"  worker's peak memory: {low / 1024:.0f} MiB exporting "
        f"{count * SMALL_POINT_SHARE:,.0f}, {high / 1024:.0f} MiB exporting {count:,} "
        f"({growth:+.0f} %, aim: within 20 %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(
        f"Exports and results, {args.responses:,} responses, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.sqlite", args.responses)
    if not args.sqlite_only and (database := postgres_database()):
        url, drop = database
        try:
            measure("PostgreSQL", url, args.responses)
        finally:
            drop()


if __name__ == "__main__":
    main()
