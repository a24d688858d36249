"""A fixed-window rate limit whose counters every worker and server shares.

The counters live in the database (the default, nothing else to run) or in Redis
(``RATE_LIMIT_STORAGE=redis://...``). They are keyed by collection point, never by
anything that comes from the person: no address is read, so none can be kept.

In the database the count is part of the request's own transaction, so it costs no
extra commit: what is limited is the number of responses stored per window. A request
refused for bad input writes nothing and is not counted.

A hit's row stays locked until its transaction commits. On PostgreSQL a point's count
for a window is therefore spread over ``SHARDS`` rows, each hit taking the next one
(from a random start per process), so that submissions to one point commit side by
side instead of one after another. The count is the sum of the rows: a transaction
sees its own hit and those committed, so hits at the same moment may each pass at the
limit, which is exceeded by at most the number of requests served at once. SQLite
writes one transaction at a time anyway and keeps one row.
"""

from __future__ import annotations

import itertools
import secrets
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..database import UTCDateTime
from ..extensions import db

# The clock the windows are cut from; tests set it, so that no test crosses a window.
clock = time.time

counter_table = sa.Table(
    "rate_limit_counter",
    db.metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
)


def _upsert(dialect: str):
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING the row's count."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(counter_table)
    return (
        insert.values(key=sa.bindparam("key"), count=1, expires_at=sa.bindparam("expires_at"))
        .on_conflict_do_update(index_elements=["key"], set_={"count": counter_table.c.count + 1})
        .returning(counter_table.c.count)
    )


# Rows per key and window, by database (see above); 1 where not named.
SHARDS = {"postgresql": 16}


def _hit_statement(dialect: str):
    """One statement that counts a hit and returns (the row's count, the window's).

    With shards, the upsert is a common table expression and the other rows of the
    window are summed beside it: the statement sees them as committed before it
    began, and its own row through what the upsert returns.
    """
    upsert = _upsert(dialect)
    if SHARDS.get(dialect, 1) == 1:
        return upsert.returning(counter_table.c.count.label("window_count"))
    hit = upsert.cte("hit")
    others = (
        sa.select(sa.func.coalesce(sa.func.sum(counter_table.c.count), 0))
        .where(counter_table.c.key.in_(sa.bindparam("others", expanding=True)))
        .scalar_subquery()
    )
    return sa.select(hit.c.count, hit.c.count + others)


class DatabaseCounters:
    def __init__(self):
        self._statements: dict[str, sa.Executable] = {}
        self._next_shard = itertools.count(secrets.randbelow(max(SHARDS.values()))).__next__

    def hit(self, key: str, window: int) -> int:
        """Count one hit in the current window and return the window's count."""
        index = int(clock() // window)
        dialect = db.session.get_bind().dialect.name
        statement = self._statements.get(dialect)
        if statement is None:
            statement = self._statements[dialect] = _hit_statement(dialect)
        expires = datetime.fromtimestamp((index + 1) * window, UTC)
        shards = SHARDS.get(dialect, 1)
        window_key = f"{key}:{index}"
        parameters = {"key": window_key, "expires_at": expires}
        if shards > 1:
            shard = self._next_shard() % shards
            parameters["key"] = f"{window_key}:{shard}"
            parameters["others"] = [f"{window_key}:{s}" for s in range(shards) if s != shard]
        row_count, window_count = db.session.execute(statement, parameters).one()
        if row_count == 1:
            # A new row, maybe of a new window: forget the windows that ended.
            db.session.execute(
                counter_table.delete().where(
                    counter_table.c.expires_at
                    < datetime.fromtimestamp(clock(), UTC) - timedelta(seconds=window)
                )
            )
        return window_count


class RedisCounters:
    def __init__(self, url: str, prefix: str = "surveyservice:rate:"):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def hit(self, key: str, window: int) -> int:
        window_key = f"{self.prefix}{key}:{int(clock() // window)}"
        pipe = self.client.pipeline()
        pipe.incr(window_key)
        pipe.expire(window_key, window * 2)
        count, _ = pipe.execute()
        return int(count)


def init_app(app: Flask) -> None:
    storage = app.config["RATE_LIMIT_STORAGE"]
    app.extensions["rate_limit_counters"] = (
        DatabaseCounters() if storage == "database" else RedisCounters(storage)
    )


def allow(key: str) -> bool:
    """Count a submission for the key; False once the window's limit is passed."""
    config = current_app.config
    counters = current_app.extensions["rate_limit_counters"]
    return counters.hit(key, config["SUBMISSION_RATE_WINDOW"]) <= config["SUBMISSION_RATE_LIMIT"]
