"""Benchmark: how long a coordinator's upload of a tablet's saved answers takes.

Starts the service under gunicorn (its default 30 s worker timeout) on SQLite and
(when reachable) PostgreSQL, signs a coordinator in, and uploads two saved-queue
files of generated answers to the Sanden event questionnaire: one of 4,500 answers
(about 1 MB) and one at the size limit for such files (8 MiB). Each file is
uploaded twice: the second upload stores nothing and answers "stored before" for
every answer. Reports the time of each upload and what the page and the database
say was stored.

    .venv/bin/python bench/upload.py [--answers 4500] [--skip-full]

The file at the size limit is also uploaded sealed, as a kiosk saves it (a third
larger: base64). Aim: a file at the size limit is taken in within 15 seconds, half the
worker timeout.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import random
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from harness import COORDINATOR_EMAIL, STAFF_PASSWORD, count_responses, gunicorn, postgres_database
from harness import prepare as prepare_database

from surveyservice.request_limits import SAVED_QUEUE_BYTES

AIM_SECONDS = 15
PROBLEM_SCALE = ["no_problem", "fairly_small", "fairly_big", "very_big", "dont_know"]
SAFETY = ["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "dont_know"]
SINGLE = {
    "problem_lighting": PROBLEM_SCALE,
    "problem_litter": PROBLEM_SCALE,
    "problem_vandalism": PROBLEM_SCALE,
    "problem_drunk": PROBLEM_SCALE,
    "problem_groups": PROBLEM_SCALE,
    "problem_driving": PROBLEM_SCALE,
    "avoided_sanden": ["no", "yes_once", "yes_several"],
    "worry_property": ["never", "rarely", "fairly_often", "very_often", "not_applicable"],
    "seen_staff": ["yes", "no", "dont_know"],
    "age_group": ["under_16", "16-24", "25-44", "45-64", "65_plus", "prefer_not_to_say"],
    "gender": ["woman", "man", "other", "prefer_not_to_say"],
}
SAFER_BY = ["lighting", "adults_police", "cleaning", "less_car_traffic", "youth_activities"]
COMMENTS = [
    "Mörkt vid bryggan efter nio, lampan vid gästhamnen är trasig.",
    "Bra med vakter i år. Mer sådant!",
    "Mopeder kör på gångvägen längs kajen.",
    "Det är skräpigt vid scenen sent på kvällen, fler soptunnor behövs.",
    "Känns tryggt på dagen men inte när det är fest.",
    "Ring mig gärna på 070-123 45 67 om ni vill veta mer.",
    "More light along the path to the station please.",
    "Grupper som dricker vid lekplatsen på kvällarna.",
]


def saved_answer(rng: random.Random, token: str, recorded_at: datetime) -> dict:
    """One resident's answers as the kiosk keeps them: required ones always, the rest often."""
    answers = {"safety_now": rng.choice(SAFETY), "safety_evening": rng.choice(SAFETY)}
    for question, options in SINGLE.items():
        if rng.random() < 0.1:
            answers[question] = rng.choice(options)
    if rng.random() < 0.3:
        answers["safer_by"] = rng.sample(SAFER_BY, rng.randint(1, 2))
    if rng.random() < 0.05:
        answers["comment"] = rng.choice(COMMENTS)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "token": token,
        "version": 1,
        "language": "sv",
        "answers": answers,
        "channel": "staff",
        "recorded_at": recorded_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def saved_queue(
    token: str, answers: int | None = None, size: int = SAVED_QUEUE_BYTES, seed: int = 0
) -> bytes:
    """A saved-queue file as the staff app writes it (compact JSON): ``answers`` of them,
    or as many as fit in ``size`` bytes."""
    rng = random.Random(f"{answers or size}-{seed}")
    start = datetime.now(UTC) - timedelta(minutes=30)
    head = {"format": "surveyservice-outbox", "version": 1, "exported_at": start.isoformat()}
    encoded = []
    used = len(compact({**head, "responses": []}).encode())
    while answers is None or len(encoded) < answers:
        item = compact(saved_answer(rng, token, start + timedelta(seconds=len(encoded) / 20)))
        if answers is None and used + len(item.encode()) + 1 > size:
            break
        encoded.append(item)
        used += len(item.encode()) + 1
    return (compact(head)[:-1] + ',"responses":[' + ",".join(encoded) + "]}").encode()


def compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Coordinator:
    """A browser-like client: a cookie jar, the sign-in form and the upload form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def sign_in(self, email: str, password: str) -> None:
        token = csrf_token(self.get("/sign-in"))
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        self.opener.open(self.base + "/sign-in", form.encode(), timeout=60).close()

    def upload(self, content: bytes) -> tuple[int, str]:
        token = csrf_token(self.get("/collection-points/import?lang=en"))
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{token}\r\n--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="queue.json"\r\n'
                "Content-Type: application/json\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(  # noqa: S310 (http only)
            self.base + "/collection-points/import?lang=en",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            # The worker was stopped mid-request: the coordinator's browser sees no page.
            return 0, f"no answer ({exc.__class__.__name__})"


def page_counts(html: str) -> str:
    """What the result page says, in its own words."""
    counts = {
        name: value for value, name in re.findall(r'data-value="(\d+)" data-count="(\w+)"', html)
    }
    if counts:
        return ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
    old = re.search(r"\d+ stored now, \d+ stored before, \d+ not accepted\.", html)
    return old.group(0) if old else "the page says nothing"


def sealer(url: str):
    """Seals a file for the bench organisation, as the kiosk does in the browser."""
    from harness import SECRET

    from surveyservice import create_app
    from surveyservice.accounts.keys import public_key, seal
    from surveyservice.accounts.models import Organisation
    from surveyservice.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        org = db.session.execute(sa.select(Organisation).filter_by(slug="bench")).scalar_one()
        key = public_key(org.id)
        db.engine.dispose()
    return lambda content: compact(seal(key, content)).encode()


def measure(label: str, url: str, files: list[tuple[str, bytes, int]]) -> None:
    token = prepare_database(url)
    sealed = sealer(url)
    with gunicorn(url, 2, SESSION_COOKIE_SECURE="false") as (base, _env):
        coordinator = Coordinator(base)
        coordinator.sign_in(COORDINATOR_EMAIL, STAFF_PASSWORD)
        print(f"\n{label}")
        for name, make, answers in files:
            content = make(token)
            answers = len(json.loads(content)["responses"])
            if name.startswith("sealed"):
                content = sealed(content)
            before = count_responses(url)
            for attempt in ("first upload", "again"):
                started = time.monotonic()
                status, html = coordinator.upload(content)
                elapsed = time.monotonic() - started
                stored = count_responses(url) - before
                verdict = "met" if elapsed < AIM_SECONDS and status == 200 else "NOT met"
                print(
                    f"  {name} ({answers} answers, {len(content) / 1e6:.2f} MB), {attempt}: "
                    f"{elapsed:5.2f} s, HTTP {status}; page: {page_counts(html)}; "
                    f"{stored} in the database (aim < {AIM_SECONDS} s: {verdict})"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=4500, help="answers in the smaller file")
    parser.add_argument("--skip-full", action="store_true", help="leave out the 8 MiB file")
    args = parser.parse_args()
    sample = saved_queue("x" * 16)
    full = len(json.loads(sample)["responses"])
    files = [("small file", lambda t: saved_queue(t, args.answers), args.answers)]
    if not args.skip_full:
        files.append(("file at the size limit", lambda t: saved_queue(t), full))
        # What a kiosk saves: the same answers sealed for the organisation.
        files.append(("sealed file at the size limit", lambda t: saved_queue(t, seed=1), full))
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/upload.sqlite", files)
    pg = postgres_database()
    if pg:
        url, drop = pg
        try:
            measure("PostgreSQL", url, files)
        finally:
            drop()


if __name__ == "__main__":
    main()
