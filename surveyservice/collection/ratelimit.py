"""A fixed-window rate limit whose counters every worker and server shares.

The counters live in the database (the default, nothing else to run) or in Redis
(``RATE_LIMIT_STORAGE=redis://...``). They are keyed by collection point, never by
anything that comes from the person: no address is read, so none can be kept.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..database import UTCDateTime
from ..extensions import db

counter_table = sa.Table(
    "rate_limit_counter",
    db.metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
)


class DatabaseCounters:
    def hit(self, key: str, window: int) -> int:
        """Count one hit in the current window and return the window's count."""
        now = time.time()
        window_key = f"{key}:{int(now // window)}"
        expires = datetime.fromtimestamp((int(now // window) + 1) * window, UTC)
        dialect = db.engine.dialect.name
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(counter_table)
        statement = insert.values(key=window_key, count=1, expires_at=expires)
        statement = statement.on_conflict_do_update(
            index_elements=["key"], set_={"count": counter_table.c.count + 1}
        ).returning(counter_table.c.count)
        # A connection of its own: the count must stick even when the request fails.
        with db.engine.begin() as connection:
            count = connection.execute(statement).scalar_one()
            if count == 1:
                connection.execute(
                    counter_table.delete().where(
                        counter_table.c.expires_at < datetime.now(UTC) - timedelta(seconds=window)
                    )
                )
        return count


class RedisCounters:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def hit(self, key: str, window: int) -> int:
        window_key = f"surveyservice:rate:{key}:{int(time.time() // window)}"
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
