"""Slowing down, then refusing, repeated wrong passwords for one e-mail address.

Counted per address typed (known or not, so the throttle tells nobody which
addresses exist), never per client: that would mean keeping something derived
from the client's network address. A reverse proxy may limit per address.

Each try is counted as wrong *before* its password is checked, in one conditional
statement that also refuses it while the address is locked: tries sent at the same
moment cannot slip between a check and the count. A right password then clears it.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..database import UTCDateTime
from ..extensions import db
from .models import SignInThrottle

FREE_TRIES = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
# Failures this long after the last one are forgotten.
FORGET_AFTER = timedelta(hours=1)

_table = SignInThrottle.__table__


def _key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def lock_for(failures: int) -> timedelta:
    """How long sign-in is refused after this many failures in a row."""
    if failures < FREE_TRIES:
        return timedelta(0)
    doubled = FIRST_LOCK * 2 ** min(failures - FREE_TRIES, 10)
    return min(doubled, LONGEST_LOCK)


def _seconds(delta: timedelta) -> int:
    return math.ceil(delta.total_seconds())


def reserve_try(email: str, now: datetime) -> int:
    """Count a try as wrong, unless the address is locked: 0 when the password may be
    checked now, else the seconds to wait (the try is then not counted). Commits."""
    key = _key(email)
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(_table)
    db.session.execute(
        insert.values(
            key=key, failures=0, last_failure_at=now, locked_until=None
        ).on_conflict_do_nothing(index_elements=["key"])
    )
    failures = sa.case(
        (_table.c.last_failure_at < now - FORGET_AFTER, 1), else_=_table.c.failures + 1
    )
    # The lock this try brings if it turns out wrong, for each count it can reach.
    steps = range(FREE_TRIES, FREE_TRIES + 6)
    at = lambda moment: sa.literal(moment, UTCDateTime)  # noqa: E731
    locked_until = sa.case(
        (failures < FREE_TRIES, sa.null()),
        *[(failures == n, at(now + lock_for(n))) for n in steps],
        else_=at(now + LONGEST_LOCK),
    )
    counted = db.session.execute(
        sa.update(_table)
        .where(_table.c.key == key)
        .where(sa.or_(_table.c.locked_until.is_(None), _table.c.locked_until <= now))
        .values(failures=failures, last_failure_at=now, locked_until=locked_until)
        .returning(_table.c.failures)
    ).scalar_one_or_none()
    if counted is None:
        locked = db.session.execute(
            sa.select(_table.c.locked_until).where(_table.c.key == key)
        ).scalar_one()
        db.session.commit()
        return max(1, _seconds(locked - now))
    db.session.commit()
    return 0


def wait_after_wrong(email: str, now: datetime) -> int:
    """Seconds to wait after the wrong password just counted; 0 if none."""
    locked = db.session.execute(
        sa.select(_table.c.locked_until).where(_table.c.key == _key(email))
    ).scalar_one_or_none()
    return max(0, _seconds(locked - now)) if locked is not None else 0


def forget(email: str) -> None:
    """A right password clears the count."""
    db.session.execute(sa.delete(_table).where(_table.c.key == _key(email)))
