"""Benchmark: killed workers and a killed master lose no answer and store none twice.

For SQLite and (when reachable) PostgreSQL, under the real gunicorn:

1. **Restart time.** With one worker, the worker is killed (SIGKILL) five times; each
   time, how long until the server answers again. Measured with the app loaded in the
   master before forking (the shipped setting) and, for comparison, loaded in each worker
   (PRELOAD_APP=0).
2. **Exactly once under faults.** Clients send answers for a fixed time, each retrying
   the same body (same id) until it is acknowledged, as the form's queue does. Meanwhile
   a worker is killed every 0.7 s, and the master once, half-way; the master is started
   again at once on the same address, as a service manager would. Some clients also
   send a stored id again with other answers, which must be refused (409) and change
   nothing. Afterwards every acknowledged answer must be stored exactly once, as sent
   (its answer items too), and nothing that was never sent may be stored.

    .venv/bin/python bench/faults.py [--seconds 20] [--clients 16] [--workers 4]

Exits non-zero if an answer was lost, stored twice or changed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from harness import ROOT, SECRET, free_port, postgres_database, prepare

from surveyservice.config import database_url

CHOICES = ["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "dont_know"]


class Server:
    """gunicorn on a fixed address, which can be killed and started again there."""

    def __init__(self, url: str, workers: int, preload: bool = True):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "ACCESS_LOG": "/dev/null",
            "SUBMISSION_RATE_LIMIT": "100000000",
            "PRELOAD_APP": "1" if preload else "0",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(self.port, "/livez", timeout=1) == 200:
                    return
            time.sleep(0.05)
        raise SystemExit("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_master(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def get(port: int, path: str, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def post(port: int, path: str, body: bytes, timeout: float = 10) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# --- 1. restart time ---------------------------------------------------------


def restart_times(url: str, preload: bool, rounds: int = 5) -> list[float]:
    server = Server(url, workers=1, preload=preload)
    server.start()
    times = []
    try:
        server.wait_ready()
        for _ in range(rounds):
            (worker,) = server.workers()
            os.kill(worker, signal.SIGKILL)
            killed = time.monotonic()
            while True:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    if get(server.port, "/livez", timeout=5) == 200:
                        break
                time.sleep(0.005)
            times.append(time.monotonic() - killed)
            time.sleep(0.3)
    finally:
        server.stop()
    return times


# --- 2. exactly once under faults -------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged: dict[str, dict] = {}
        self.sent: set[str] = set()
        self.statuses: dict[int | str, int] = {}
        self.conflicts_refused = 0
        self.unexpected: list[str] = []

    def count(self, status) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def answers() -> dict:
    return {
        "safety_now": random.choice(CHOICES),
        "safety_evening": random.choice(CHOICES),
        "safer_by": ["lighting", "cleaning"],
    }


def send_until_acknowledged(server: Server, path: str, body: dict, tally: Tally) -> int:
    """Post the same body until the server takes it (201) or says it has it (200)."""
    data = json.dumps(body).encode()
    delay = 0.02
    while True:
        try:
            status = post(server.port, path, data)
        except (OSError, http.client.HTTPException):
            status = "connection"
        tally.count(status)
        if status in (200, 201, 409):
            return status
        if status not in ("connection", 500, 502, 503, 504):
            tally.unexpected.append(f"{status} for {body['id']}")
            return status
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def client(server: Server, path: str, stop: threading.Event, tally: Tally) -> None:
    while not stop.is_set():
        body = {"id": str(uuid.uuid4()), "version": 1, "language": "sv", "answers": answers()}
        with tally.lock:
            tally.sent.add(body["id"])
        status = send_until_acknowledged(server, path, body, tally)
        if status == 409:
            tally.unexpected.append(f"409 for a first sending of {body['id']}")
            continue
        if status not in (200, 201):
            continue
        with tally.lock:
            tally.acknowledged[body["id"]] = body["answers"]
        if random.random() < 0.05:
            other = {**body, "answers": {**body["answers"], "safer_by": ["adults_police"]}}
            status = send_until_acknowledged(server, path, other, tally)
            if status == 409:
                with tally.lock:
                    tally.conflicts_refused += 1
            else:
                tally.unexpected.append(f"{status} for other answers under {body['id']}")


def killer(server: Server, seconds: float, stop: threading.Event, events: list[str]) -> None:
    started = time.monotonic()
    master_killed = False
    while not stop.wait(0.7):
        if not master_killed and time.monotonic() - started > seconds / 2:
            server.kill_master()
            events.append("master")
            server.start()  # at once, on the same address, as a service manager would
            master_killed = True
            continue
        workers = server.workers()
        if workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(random.choice(workers), signal.SIGKILL)
                events.append("worker")


def stored(url: str) -> tuple[dict[str, dict], dict[str, int]]:
    engine = sa.create_engine(database_url(url))
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, answers FROM response")).all()
        items = connection.execute(
            sa.text("SELECT response_id, count(*) FROM answer_item GROUP BY response_id")
        ).all()
    engine.dispose()

    def key(value) -> str:
        return str(uuid.UUID(str(value)))

    def loaded(value):
        return json.loads(value) if isinstance(value, str) else value

    return {key(i): loaded(a) for i, a in rows}, {key(i): n for i, n in items}


def under_faults(url: str, seconds: int, clients: int, workers: int) -> dict:
    token = prepare(url)
    path = f"/api/v1/collect/{token}/responses"
    server = Server(url, workers)
    server.start()
    server.wait_ready()
    tally, events, stop = Tally(), [], threading.Event()
    threads = [
        threading.Thread(target=client, args=(server, path, stop, tally)) for _ in range(clients)
    ]
    kill = threading.Thread(target=killer, args=(server, seconds, stop, events))
    started = time.monotonic()
    try:
        for thread in [*threads, kill]:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in [*threads, kill]:
            thread.join(timeout=120)
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    rows, items = stored(url)
    problems = list(tally.unexpected)
    lost = [i for i in tally.acknowledged if i not in rows]
    changed = [i for i, a in tally.acknowledged.items() if i in rows and rows[i] != a]
    never_sent = [i for i in rows if i not in tally.sent]
    item_counts = {items.get(i, 0) for i in rows}
    problems += [f"acknowledged but not stored: {i}" for i in lost]
    problems += [f"stored answers differ from those sent: {i}" for i in changed]
    problems += [f"stored but never sent: {i}" for i in never_sent]
    if len(item_counts) > 1:
        problems.append(f"responses have different numbers of answer items: {item_counts}")
    return {
        "elapsed": elapsed,
        "acknowledged": len(tally.acknowledged),
        "stored": len(rows),
        "statuses": tally.statuses,
        "conflicts_refused": tally.conflicts_refused,
        "workers_killed": events.count("worker"),
        "masters_killed": events.count("master"),
        "problems": problems,
    }


def report(label: str, restarts: dict[str, list[float]], faults: dict) -> bool:
    print(f"\n{label}")
    for name, times in restarts.items():
        print(
            f"  a killed worker serves again ({name}): median {statistics.median(times) * 1000:.0f}"
            f" ms, slowest {max(times) * 1000:.0f} ms of {len(times)}"
        )
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(faults["statuses"].items(), key=str))
    print(
        f"  under faults for {faults['elapsed']:.0f} s: {faults['workers_killed']} workers and "
        f"{faults['masters_killed']} master killed; {faults['acknowledged']} answers "
        f"acknowledged, {faults['stored']} stored; {faults['conflicts_refused']} other answers "
        f"under a stored id refused"
    )
    print(f"  attempts by outcome: {statuses}")
    for problem in faults["problems"][:20]:
        print(f"  PROBLEM: {problem}")
    verdict = "every answer stored exactly once, as sent" if not faults["problems"] else "FAILED"
    print(f"  {verdict}")
    return not faults["problems"]


def measure(label: str, url_for, args) -> bool:
    restarts = {}
    for name, preload in (("app loaded before forking", True), ("app loaded per worker", False)):
        with url_for() as url:
            prepare(url)
            restarts[name] = restart_times(url, preload)
    with url_for() as url:
        faults = under_faults(url, args.seconds, args.clients, args.workers)
    return report(label, restarts, faults)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} cores; gunicorn with {args.workers} sync workers; "
        f"{args.clients} retrying clients for {args.seconds} s"
    )

    @contextlib.contextmanager
    def sqlite():
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite"

    @contextlib.contextmanager
    def postgresql():
        made = postgres_database()
        if made is None:
            raise LookupError
        url, drop = made
        try:
            yield url
        finally:
            drop()

    ok = measure("SQLite", sqlite, args)
    if postgres_database_reachable():
        ok = measure("PostgreSQL", postgresql, args) and ok
    sys.exit(0 if ok else 1)


def postgres_database_reachable() -> bool:
    made = postgres_database()
    if made is None:
        return False
    made[1]()
    return True


if __name__ == "__main__":
    main()
