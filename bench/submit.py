"""Benchmark: responses stored per second under gunicorn, next to an endpoint that does
no work.

Starts the service under gunicorn on SQLite and (when reachable) on PostgreSQL,
sends valid submissions from many concurrent clients with wrk for a fixed time,
and reports responses stored per second with p50/p99 latency, beside the same
server answering GET /livez (no work at all: the ceiling this machine allows for
this app and gunicorn configuration) and GET /healthz (one database query), in the
same run. It also times one request at a time in one process, without a server, to
show what a submission costs beside a request that does no work. For SQLite it also
times one commit of a response-sized row with synchronous=FULL (the service's
setting: a stored answer survives a power cut) and with NORMAL (faster, but the last
answers may be lost in a power cut), on the same disk.

    .venv/bin/python bench/submit.py [--seconds 15] [--connections 50]

Needs wrk (Debian: apt-get install wrk). PostgreSQL is taken from
BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); the
benchmark makes a database of its own there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from harness import ROOT, SECRET, count_responses, gunicorn, postgres_database, prepare


def run_wrk(base: str, path: str, seconds: int, connections: int, script: Path | None, env: dict):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run(
        [*command, base + path], capture_output=True, text=True, env=env, check=True
    )
    return parse_wrk(result.stdout)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(percentiles["50"]),
        "p99": _ms(percentiles["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "none",
    }


def bench(label: str, url: str, seconds: int, connections: int, workers: int, limiter: str) -> dict:
    token = prepare(url)
    settings = {
        "SUBMISSION_RATE_LIMIT": "100000000",
        "RATE_LIMIT_STORAGE": limiter,
        "BENCH_TOKEN": token,
    }
    with gunicorn(url, workers, **settings) as (base, env):
        trivial = run_wrk(base, "/livez", seconds, connections, None, env)
        health = run_wrk(base, "/healthz", seconds, connections, None, env)
        before = count_responses(url)
        started = time.monotonic()
        submit = run_wrk(
            base,
            f"/api/v1/collect/{token}/responses",
            seconds,
            connections,
            ROOT / "bench" / "submit.lua",
            env,
        )
        elapsed = time.monotonic() - started
        stored = count_responses(url) - before
    submit["stored"] = stored
    submit["stored_per_s"] = stored / elapsed
    alone = in_process_cost(url, token)
    return {
        "label": label,
        "trivial": trivial,
        "health": health,
        "submit": submit,
        "alone": alone,
    }


def in_process_cost(url: str, token: str, requests: int = 500) -> dict[str, float]:
    """Milliseconds per request in one process, one request at a time (Flask's test
    client, no server): what a request costs the CPU, without queueing."""
    from surveyservice import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SUBMISSION_RATE_LIMIT": 10**8}
    )
    client = app.test_client()
    path = f"/api/v1/collect/{token}/responses"
    choices = ["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "dont_know"]

    def body(n: int) -> dict:
        return {
            "id": str(uuid.uuid4()),
            "version": 1,
            "language": "sv",
            "answers": {
                "safety_now": choices[n % 5],
                "safety_evening": choices[(n + 2) % 5],
                "safer_by": ["lighting", "cleaning"],
                "comment": "Mörkt vid bryggan, ring 070-123 45 67",
            },
        }

    costs = {}
    for name, send in (
        ("GET /livez", lambda n: client.get("/livez")),
        ("POST responses", lambda n: client.post(path, json=body(n))),
    ):
        for n in range(20):  # warm up: statements prepared, definition cached
            send(n)
        started = time.perf_counter()
        for n in range(requests):
            if send(n).status_code not in (200, 201):
                raise RuntimeError(f"{name} failed in the in-process measurement")
        costs[name] = (time.perf_counter() - started) / requests * 1000
    with app.app_context():
        from surveyservice.extensions import db

        db.engine.dispose()
    return costs


def sqlite_commit_cost(folder: str, commits: int = 300) -> dict[str, float]:
    """Milliseconds per commit of one response-sized row in WAL mode, by synchronous."""
    row = json.dumps({"safety_now": "fairly_safe", "comment": "Mörkt vid bryggan " * 10})
    costs = {}
    for mode in ("FULL", "NORMAL"):
        connection = sqlite3.connect(f"{folder}/sync-{mode}.sqlite", isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={mode}")
        connection.execute("CREATE TABLE response (id INTEGER PRIMARY KEY, answers TEXT)")
        times = []
        for _ in range(commits):
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute("INSERT INTO response (answers) VALUES (?)", (row,))
            connection.execute("COMMIT")
            times.append(time.perf_counter() - started)
        connection.close()
        costs[mode] = statistics.median(times) * 1000
    return costs


def report(result: dict, connections: int) -> None:
    t, s = result["trivial"], result["submit"]
    ratio = s["rps"] / t["rps"] if t["rps"] else 0.0
    print(f"\n{result['label']} ({connections} concurrent clients)")
    for name, m in (("GET /livez", t), ("GET /healthz", result["health"]), ("POST responses", s)):
        print(
            f"  {name:17s}{m['rps']:8.0f} req/s   p50 {m['p50']:6.1f} ms   p99 {m['p99']:6.1f} ms"
        )
    print(
        f"  stored           {s['stored_per_s']:8.0f} responses/s ({s['stored']} in all; "
        f"non-2xx {s['non_2xx']}; socket errors {s['socket_errors']})"
    )
    alone = result["alone"]
    print(
        f"  in one process, one request at a time: POST responses "
        f"{alone['POST responses']:.2f} ms, GET /livez {alone['GET /livez']:.2f} ms "
        f"({alone['POST responses'] / alone['GET /livez']:.0f} times as much)"
    )
    rate = "met" if ratio >= 0.5 else "NOT met"
    latency = "met" if s["p99"] < 50 else "NOT met"
    print(
        f"  submissions at {ratio:.0%} of the no-work rate (aim >= 50 %: {rate}); "
        f"p99 {s['p99']:.1f} ms (aim < 50 ms: {latency})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument(
        "--rate-limit-storage",
        default="database",
        help="where the rate-limit counters live: 'database' (default) or a redis:// URL",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    limiter = args.rate_limit_storage
    print(
        f"{os.cpu_count()} cores; gunicorn with {args.workers} sync workers; "
        f"{args.seconds} s per measurement; rate-limit counters in {limiter}"
    )
    run = (args.seconds, args.connections, args.workers, limiter)
    with tempfile.TemporaryDirectory() as folder:
        report(bench("SQLite", f"sqlite:///{folder}/bench.sqlite", *run), args.connections)
        costs = sqlite_commit_cost(folder)
        print(
            f"  one SQLite commit (WAL): synchronous=FULL {costs['FULL']:.2f} ms, "
            f"NORMAL {costs['NORMAL']:.2f} ms (median of 300); the service keeps FULL"
        )
    pg = postgres_database()
    if pg:
        url, drop = pg
        try:
            report(bench("PostgreSQL", url, *run), args.connections)
        finally:
            drop()


if __name__ == "__main__":
    main()
