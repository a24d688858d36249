"""gunicorn settings. The access log leaves out the client's address and user agent:
answers are anonymous, and so must the logs be. It also leaves out one-time links'
keys."""

import os
import queue
import re
import signal

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
accesslog = os.environ.get("ACCESS_LOG", "-")
# Time, request line, status, bytes, duration. No %(h)s, %(a)s, %(f)s or %({...}i)s.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"

_ADDRESS = re.compile(r"\bip=\S+?(?=:\s)|\bip=\S+")
# A one-time link to set a password is a key to an account until it is used.
_ONE_TIME_LINK = re.compile(r"(/set-password/)[^/?#\s\"]+")


class AnonymousLogger(Logger):
    """gunicorn's logger, without the client's address in its error log.

    gunicorn names the address when it refuses a malformed request ("Invalid
    request from ip=..."); a resident's address must not be kept, even there.
    """

    def warning(self, msg, *args, **kwargs):
        super().warning(_ADDRESS.sub("ip=[removed]", str(msg)), *args, **kwargs)

    def atoms(self, resp, req, environ, request_time):
        """The access log's values, without the key of a one-time link."""
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U"):
            if isinstance(atoms.get(name), str):
                atoms[name] = _ONE_TIME_LINK.sub(r"\1[removed]", atoms[name])
        return atoms


logger_class = AnonymousLogger
# The app refuses long addresses (414), large headers (431) and large bodies (413)
# itself, in the API's error shape; gunicorn's own limits sit above its limits.
limit_request_line = 0  # no limit of gunicorn's own (its parser still stops at 1 MiB)
limit_request_field_size = 64 * 1024
# A sync worker silent this long is killed. An export of 100,000 responses as XLSX
# takes about half a minute (bench/export.py), gunicorn's default timeout: two minutes.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# gunicorn's control socket lives at one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl),
# shared by every gunicorn that user runs: a second instance (a test server, a second
# organisation's service) would take over the first one's. Nothing here uses it.
control_socket_disable = True

# The app is loaded once, in the master, before the workers are forked: a worker that
# is killed or recycled is replaced by a fork of a process that has everything
# imported, and serves at once (bench/faults.py measures it). Code is then read only
# when the master starts: after an upgrade, restart the service (a HUP reloads the
# workers, not the code). PRELOAD_APP=0 loads the app in each worker instead.
preload_app = os.environ.get("PRELOAD_APP", "1") != "0"


# Signals that stop a worker: TERM (graceful), INT and QUIT (quick).
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def post_fork(server, worker):
    _keep_stop_signals(server, worker)
    if preload_app:
        _drop_inherited_connections(server)


def _keep_stop_signals(server, worker):
    """A worker stops when asked to, even while it is still starting.

    Until gunicorn installs a worker's own handlers, the master's handlers, inherited
    across the fork, catch its signals and queue them where no one reads them. A
    service stopped just as a worker started (a deploy right after a restart, a
    replaced worker) then waited the whole graceful timeout, 30 seconds, before the
    worker was killed. A worker not yet serving has nothing to finish: once asked to
    stop, it leaves as soon as it has started.
    """

    def stop(signum, frame):
        worker.alive = False

    for signum in _STOP_SIGNALS:
        signal.signal(signum, stop)
    if any(signum in _STOP_SIGNALS for signum in _queued_signals(server)):
        worker.alive = False


def _queued_signals(server) -> list[int]:
    """Take the signals the master's handlers queued in this process: a list in older
    gunicorn releases, a queue in newer ones."""
    queued = server.SIG_QUEUE
    if isinstance(queued, list):
        taken = list(queued)
        queued.clear()
        return taken
    taken = []
    while True:
        try:
            taken.append(queued.get_nowait())
        except queue.Empty:
            return taken


def _drop_inherited_connections(server):
    """A worker never uses a database connection the master opened: a connection
    shared across a fork would carry two processes' statements at once."""
    from surveyservice.extensions import db

    app = server.app.wsgi()  # loaded in the master already
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
