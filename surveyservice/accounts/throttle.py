"""Slowing down, then refusing, repeated wrong passwords for one e-mail address.

Counted per address typed (known or not, so the throttle tells nobody which
addresses exist), never per client: that would mean keeping something derived
from the client's network address. A reverse proxy may limit per address.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .models import SignInThrottle

FREE_TRIES = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
# Failures this long after the last one are forgotten.
FORGET_AFTER = timedelta(hours=1)


def _key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def lock_for(failures: int) -> timedelta:
    """How long sign-in is refused after this many failures in a row."""
    if failures < FREE_TRIES:
        return timedelta(0)
    doubled = FIRST_LOCK * 2 ** min(failures - FREE_TRIES, 10)
    return min(doubled, LONGEST_LOCK)


def wait_seconds(email: str, now: datetime) -> int:
    """Seconds until this address may try again; 0 when it may now."""
    row = db.session.get(SignInThrottle, _key(email))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return math.ceil((row.locked_until - now).total_seconds())


def record_failure(email: str, now: datetime) -> int:
    """Count a wrong password in one statement (concurrent tries all count); the
    seconds to wait before the next try."""
    dialect = db.session.get_bind().dialect.name
    table = SignInThrottle.__table__
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    stale = table.c.last_failure_at < now - FORGET_AFTER
    statement = (
        insert.values(key=_key(email), failures=1, last_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": sa.case((stale, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
            },
        )
        .returning(table.c.failures)
    )
    failures = db.session.execute(statement).scalar_one()
    lock = lock_for(failures)
    if lock:
        db.session.execute(
            sa.update(table).where(table.c.key == _key(email)).values(locked_until=now + lock)
        )
    db.session.commit()
    return math.ceil(lock.total_seconds())


def forget(email: str) -> None:
    """A right password clears the count."""
    db.session.execute(sa.delete(SignInThrottle).where(SignInThrottle.key == _key(email)))
