"""Screenshots for people to look at, kept when SCREENSHOTS names a folder.

    SCREENSHOTS=/tmp/shots make test PYTEST_ARGS=tests/browser

Taking them costs time and no test reads them, so without the variable none is taken;
a test that reads pixels takes its own.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER = os.environ.get("SCREENSHOTS")


def keep(page, name: str, full_page: bool = True) -> Path | None:
    """The page as it looks now, saved as NAME in the folder; None without one."""
    if not FOLDER:
        return None
    path = Path(FOLDER) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path
