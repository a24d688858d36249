"""Where uploaded files live (photos, area maps): a small interface, so that an object
store can take the place of the directory later.

Keys are made by the service ("photos/<uuid>.jpg"), never from a file's name. The
directory is FILE_STORAGE_DIR, by default ``instance/files``: never under static/.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

KEY_RE = re.compile(r"^[a-z]+/[0-9a-f-]{1,64}(\.[a-z]{2,4})?$")


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...


class DirectoryStorage:
    """Files in one directory tree; a write lands whole or not at all."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise ValueError(f"Not a storage key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage() -> Storage:
    """The app's storage, made once per app."""
    found = current_app.extensions.get("surveyservice.storage")
    if found is None:
        root = current_app.config.get("FILE_STORAGE_DIR") or os.path.join(
            current_app.instance_path, "files"
        )
        found = current_app.extensions["surveyservice.storage"] = DirectoryStorage(root)
    return found


def delete_after_commit(key: str) -> None:
    """Remove the stored file once the session's transaction commits; kept if it rolls
    back. For a row that goes with its file (an area and its map)."""
    from .extensions import db

    db.session().info.setdefault(_AFTER_COMMIT, []).append((storage(), key))


_AFTER_COMMIT = "surveyservice.delete_after_commit"


@event.listens_for(Session, "after_commit")
def _delete_committed(session: Session) -> None:
    for files, key in session.info.pop(_AFTER_COMMIT, ()):
        files.delete(key)


@event.listens_for(Session, "after_rollback")
def _keep_rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
