"""The real server: gunicorn with the shipped settings keeps no address or agent in its logs."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from surveyservice.accounts.links import make_link
from surveyservice.database import utcnow
from surveyservice.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(app, tmp_path, config: str = "gunicorn.conf.py"):
    """Start gunicorn on the suite's database; returns (process, base URL, path of its log)."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "FILE_STORAGE_DIR": app.config["FILE_STORAGE_DIR"],
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        # Where gunicorn would put its control socket: this test's own folder.
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", config, "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}", log


def _stop(process, log: Path, within: float = 20) -> None:
    """Stop gunicorn as a service manager does (TERM), failing if it takes longer than `within`."""
    process.terminate()
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"gunicorn took over {within} s to stop: {log.read_text()[-2000:]}")


@pytest.fixture
def gunicorn(app, tmp_path):
    """Start gunicorn on the suite's database; yields (base URL, path of its log)."""
    process, base, log = _start(app, tmp_path)
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not start: {log.read_text()}")
        yield base, log
    finally:
        _stop(process, log)


def test_access_log_has_no_addresses_or_agents(gunicorn, org, make_questionnaire, make_point):
    base, log = gunicorn
    point = make_point(make_questionnaire(org))
    headers = {
        "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) SecretPhone/1.0",
        "X-Forwarded-For": "203.0.113.77",
        "X-Real-IP": "198.51.100.5",
        "Referer": "https://elsewhere.example/page",
    }
    assert httpx.get(f"{base}/f/{point.token}", headers=headers).status_code == 200
    answer = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "safe"},
    }
    stored = httpx.post(
        f"{base}/api/v1/collect/{point.token}/responses", json=answer, headers=headers
    )
    assert stored.status_code == 201
    time.sleep(0.3)
    text = log.read_text()
    assert f'"GET /f/{point.token} HTTP/1.1" 200' in text
    assert f'"POST /api/v1/collect/{point.token}/responses HTTP/1.1" 201' in text
    for secret in (
        "127.0.0.1 -",
        "203.0.113.77",
        "198.51.100.5",
        "SecretPhone",
        "iPhone",
        "elsewhere",
    ):
        assert secret not in text, secret


def _is_api_error(response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == status and body["message"]
    return body


def test_a_very_long_url_gets_the_apps_own_answer(gunicorn):
    base, _log = gunicorn
    response = httpx.get(f"{base}/api/v1/collect/{'a' * 10_000}")
    body = _is_api_error(response, 414)
    assert "address" in body["message"]
    page = httpx.get(f"{base}/f/{'a' * 10_000}")
    assert page.status_code == 414 and "<html" in page.text


def test_a_huge_header_gets_the_apps_own_answer(gunicorn):
    base, _log = gunicorn
    response = httpx.get(f"{base}/api/v1/me", headers={"X-Padding": "x" * 20_000})
    _is_api_error(response, 431)


def test_a_chunked_body_over_the_limit_is_413_in_the_json_shape(gunicorn):
    base, _log = gunicorn

    def chunks():
        for _ in range(100):
            yield b'{"padding": "' + b"x" * 10_000 + b'"}'

    response = httpx.post(
        f"{base}/api/v1/collect/abcdefghjkmnpqrs/responses",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "chunked" in response.request.headers.get("Transfer-Encoding", "")
    _is_api_error(response, 413)


def test_a_malformed_request_leaves_no_address_in_the_error_log(gunicorn):
    base, log = gunicorn
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n")
        answer = raw.recv(1000)
    assert answer.startswith(b"HTTP/1.1 400")
    time.sleep(0.3)
    text = log.read_text()
    assert "Invalid request from ip=[removed]" in text
    # The server's own address is in its start-up line; no client's is anywhere after.
    assert "127.0.0.1" not in text.split("Booting worker", 1)[1]


def test_a_chunked_answer_within_the_limit_is_stored(gunicorn, org, make_questionnaire, make_point):
    base, _log = gunicorn
    point = make_point(make_questionnaire(org))
    answer = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "unsafe", "why_unsafe": "Mörkt vid bron. " * 120},
    }
    encoded = json.dumps(answer).encode()

    def chunks():
        for start in range(0, len(encoded), 300):
            yield encoded[start : start + 300]

    response = httpx.post(
        f"{base}/api/v1/collect/{point.token}/responses",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "chunked" in response.request.headers.get("Transfer-Encoding", "")
    assert response.status_code == 201, response.text[:300]
    assert response.json()["answers"]["why_unsafe"].startswith("Mörkt vid bron.")


def test_a_photo_larger_than_other_bodies_is_stored_sent_whole_or_in_chunks(
    gunicorn, api_as, staff, org, make_questionnaire, make_point
):
    from .images import noisy_photo

    base, _log = gunicorn
    point = make_point(make_questionnaire(org))
    headers = {"Authorization": f"Bearer {api_as(staff).token}"}
    photo = noisy_photo()
    url = f"{base}/api/v1/collect/{point.token}/photos"
    whole = httpx.put(f"{url}/{uuid.uuid4()}", content=photo, headers=headers, timeout=30)
    assert whole.status_code == 201, whole.text[:300]

    def chunks(data: bytes):
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    chunked = httpx.put(f"{url}/{uuid.uuid4()}", content=chunks(photo), headers=headers, timeout=30)
    assert "chunked" in chunked.request.headers.get("Transfer-Encoding", "")
    assert chunked.status_code == 201, chunked.text[:300]
    too_large = httpx.put(
        f"{url}/{uuid.uuid4()}", content=chunks(photo * 4), headers=headers, timeout=30
    )
    _is_api_error(too_large, 413)


def test_access_log_leaves_out_a_one_time_links_key(gunicorn, staff):
    base, log = gunicorn
    token = make_link(staff, utcnow())
    db.session.commit()
    assert httpx.get(f"{base}/set-password/{token}?lang=en").status_code == 200
    time.sleep(0.3)
    text = log.read_text()
    assert '"GET /set-password/[removed]?lang=en HTTP/1.1" 200' in text
    assert token not in text


def test_no_control_socket_is_left_for_other_servers_to_clash_with(gunicorn, tmp_path):
    # gunicorn's default is one socket per user, shared by every server that user runs.
    base, _log = gunicorn
    assert httpx.get(f"{base}/livez").status_code == 200
    assert not list(tmp_path.rglob("*.ctl"))


def _master_pid(log: Path) -> int:
    return int(re.search(r"\[(\d+)\] \[INFO\] Starting gunicorn", log.read_text()).group(1))


def _workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def test_the_app_is_loaded_before_forking_and_a_killed_worker_is_replaced(
    gunicorn, org, make_questionnaire, make_point
):
    base, log = gunicorn
    point = make_point(make_questionnaire(org))
    master = _master_pid(log)
    # The master has imported the app: its compiled modules are in the master's memory,
    # so a worker forked from it has nothing left to import.
    maps = Path(f"/proc/{master}/maps").read_text()
    assert "_brotli" in maps and "PIL/_imaging" in maps
    killed = _workers(master)[0]
    os.kill(killed, signal.SIGKILL)
    url = f"{base}/api/v1/collect/{point.token}/responses"

    def answer() -> httpx.Response:
        body = {"id": str(uuid.uuid4()), "version": 1, "language": "sv"}
        return httpx.post(url, json={**body, "answers": {"safe_now": "safe"}}, timeout=10)

    assert [answer().status_code for _ in range(6)] == [201] * 6
    for _ in range(100):
        workers = _workers(master)
        if len(workers) == 2 and killed not in workers:
            break
        time.sleep(0.1)
    assert len(workers) == 2 and killed not in workers, workers
    assert answer().status_code == 201


def test_a_worker_asked_to_stop_while_it_starts_stops_at_once(app, tmp_path):
    # The service is stopped just as its first worker starts: the master's TERM reaches
    # the worker before gunicorn has set up the worker's own signal handling. With a
    # graceful timeout of a minute, a worker that missed the signal would hold the stop
    # for that minute.
    config = tmp_path / "gunicorn_stopped_while_starting.conf.py"
    config.write_text(
        f"""
import os, signal, time
exec(compile(open({str(ROOT / "gunicorn.conf.py")!r}).read(), "gunicorn.conf.py", "exec"))
graceful_timeout = 60
_shipped_post_fork = post_fork

def _queued(signals):  # a list in older gunicorn releases, a queue in newer ones
    return bool(signals) if isinstance(signals, list) else not signals.empty()

def post_fork(server, worker):
    if worker.age == 1:
        os.kill(os.getppid(), signal.SIGTERM)  # the service is stopped now
        deadline = time.monotonic() + 10
        while not _queued(server.SIG_QUEUE) and time.monotonic() < deadline:
            time.sleep(0.01)  # until the master's TERM has reached this worker
    _shipped_post_fork(server, worker)
"""
    )
    process, _base, log = _start(app, tmp_path, str(config))
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"gunicorn waited for a worker asked to stop: {log.read_text()[-2000:]}")
    text = log.read_text()
    assert "Handling signal: term" in text and "Shutting down: Master" in text, text
    assert "WORKER TIMEOUT" not in text and "SIGKILL" not in text, text
