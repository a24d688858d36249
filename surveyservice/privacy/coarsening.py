"""Coarsening of where and when a resident answered, so that neither points to a person.

Positions snap to the centre of a grid cell about ``grid_m`` metres on a side. Cells are
bands of latitude ``grid_m / 111 320`` degrees high, counted from the equator; each band is
cut into as many equal columns as fit around the globe at least ``grid_m`` wide at the
band's centre (about 250 m by 250 m at Vänersborg's 58.4°N). Dividing the full circle
evenly, instead of stepping from a meridian, means there is no sliver cell at ±180° and
both ±180° fall into the same cell; rounding the column count down means a cell is never
narrower than asked. Near the poles a band has few, very wide cells, and the outermost band
is clipped at ±90°.

Times are truncated in UTC, so the result does not depend on the time zone the moment was
written in, nor on summer time.
"""

from __future__ import annotations

import math
import numbers
from datetime import UTC, datetime, timedelta

METRES_PER_DEGREE_OF_LATITUDE = 111_320
# A coarser grid than this is almost surely a unit mistake, and it would fold whole
# hemispheres into one clipped band.
MAX_GRID_M = 100_000

_DAY = timedelta(days=1)


def coarsen_position(lat: float, lon: float, grid_m: int = 250) -> tuple[float, float]:
    """Return the centre of the grid cell, about ``grid_m`` metres wide, that holds the point."""
    _check_coordinate("lat", lat, 90)
    _check_coordinate("lon", lon, 180)
    if isinstance(grid_m, bool) or not isinstance(grid_m, int):
        raise ValueError(f"grid_m must be a whole number of metres, not {grid_m!r}.")
    if not 1 <= grid_m <= MAX_GRID_M:
        raise ValueError(f"grid_m must be between 1 and {MAX_GRID_M} metres, not {grid_m}.")

    lat_step = grid_m / METRES_PER_DEGREE_OF_LATITUDE
    band = math.floor(lat / lat_step)
    centre_lat = min(90.0, max(-90.0, (band + 0.5) * lat_step))

    columns = max(1, math.floor(360 * math.cos(math.radians(centre_lat)) / lat_step))
    lon_step = 360 / columns
    column = math.floor((lon + 180) / lon_step) % columns
    centre_lon = -180 + (column + 0.5) * lon_step

    # Six decimals (about 0.1 m) is far finer than any cell, so rounding never moves a
    # centre into another cell and coarsening a coarsened point gives the same point.
    return round(centre_lat, 6), round(centre_lon, 6)


def coarsen_time(moment: datetime, grain: timedelta = timedelta(hours=1)) -> datetime:
    """Return ``moment`` in UTC, truncated down to a multiple of ``grain`` since midnight."""
    if not isinstance(moment, datetime):
        raise ValueError(f"moment must be a datetime, not {type(moment).__name__}.")
    if moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware; a naive datetime has no known UTC time.")
    if not isinstance(grain, timedelta) or not timedelta(0) < grain <= _DAY:
        raise ValueError(f"grain must be a duration above zero and at most one day, not {grain!r}.")
    if _DAY % grain != timedelta(0):
        raise ValueError(f"grain must divide a day evenly, and {grain} does not.")

    utc = moment.astimezone(UTC)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + (utc - midnight) // grain * grain


def _check_coordinate(name: str, value: float, limit: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, not {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}.")
    if not -limit <= value <= limit:
        raise ValueError(f"{name} must be between -{limit} and {limit}, not {value}.")
