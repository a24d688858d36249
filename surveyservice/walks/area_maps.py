"""The areas' own maps and the organisation's tile server.

An area's map is an image the coordinator uploads (an export of Lantmäteriet's open data,
a drawing) with the coordinates of its corners in WGS 84 degrees: the form draws it with
Leaflet, and keeps it on the tablet for walks without a network. The image is decoded
and encoded again (walks/images.py), never trusted as sent. A tile server is optional:
without one no page asks any other site for anything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask import url_for

from ..accounts.models import Organisation, User
from ..areas.models import Area
from ..audit.log import record
from ..extensions import db
from ..i18n import N_
from ..request_limits import AREA_MAP_BYTES
from ..security_headers import allow_images_from
from ..storage import storage
from .images import ImageProblem, reencode

# An export of a whole district at a readable scale: a few thousand pixels a side.
MAX_BYTES = AREA_MAP_BYTES
MAX_PIXELS = 64_000_000
LONGEST_SIDE = 4096
# Line art (a map) stays PNG, sharp; a PNG that would be this large (an aerial photo
# saved as PNG) is stored as JPEG, so that a tablet can keep it.
PNG_KEEP_BYTES = 4 * 1024 * 1024
MAX_ACROSS_KM = 50
KM_PER_DEGREE = 111.32

TILE_URL_LENGTH = 500
TILE_ATTRIBUTION_LENGTH = 300

# The image's problems by code (walks/images.py), in words a page can translate.
IMAGE_PROBLEMS = {
    "too_large": N_("The file is larger than {limit} MB. Export the map at a lower resolution."),
    "not_an_image": N_("The file is not an image that can be read. Upload a PNG or JPEG file."),
    "truncated": N_("The image is incomplete: the file ends before the picture does."),
    "too_many_pixels": N_(
        "The image has too many pixels (at most {limit} million). Export it smaller."
    ),
    "unsupported": N_("This kind of image cannot be read here. Upload a PNG or JPEG file."),
}


class MapError(ValueError):
    """A map or tile server that cannot be stored; ``field`` names the input, ``template``
    and ``values`` the message, so that a page can show it in its language."""

    def __init__(self, field: str, template: str, **values):
        self.field, self.template, self.values = field, template, values
        super().__init__(str(template).format(**values))

    @property
    def problems(self) -> dict[str, list[str]]:
        return {self.field: [str(self)]}


@dataclass(frozen=True)
class Corners:
    south: float
    west: float
    north: float
    east: float

    @property
    def bounds(self) -> list[list[float]]:
        """Leaflet's order: [[south, west], [north, east]]."""
        return [[self.south, self.west], [self.north, self.east]]

    def size_km(self) -> tuple[float, float]:
        """(east to west, north to south) in kilometres, near enough for a check."""
        middle = math.radians((self.south + self.north) / 2)
        return (
            (self.east - self.west) * KM_PER_DEGREE * math.cos(middle),
            (self.north - self.south) * KM_PER_DEGREE,
        )


_NUMBER = re.compile(r"^[+-]?\d{1,3}([.,]\d+)?$")


def _coordinate(field: str, value: str | float | None, limit: int) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = (value or "").strip().replace("−", "-")
        if not text:
            raise MapError(field, N_("Give the coordinate in degrees, such as 58.35."))
        if not _NUMBER.match(text):
            if re.match(r"^[+-]?\d{4,}([.,]\d+)?$", text):
                raise MapError(
                    field,
                    N_(
                        "{value} looks like metres (SWEREF 99 or RT 90). Give degrees in "
                        "WGS 84, such as 58.35: Lantmäteriet's map tools show both."
                    ),
                    value=text,
                )
            raise MapError(
                field,
                N_("Write the coordinate as degrees with decimals, such as 58.35 (not {value})."),
                value=text,
            )
        number = float(text.replace(",", "."))
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise MapError(
            field, N_("Give a number between -{limit} and {limit}."), limit=limit, value=number
        )
    return number


def check_corners(
    south: str | float | None,
    west: str | float | None,
    north: str | float | None,
    east: str | float | None,
) -> Corners:
    """The corners as numbers; MapError if one is not a coordinate or they make no area
    (decimal commas are fine: "58,35")."""
    corners = Corners(
        south=_coordinate("south", south, 90),
        west=_coordinate("west", west, 180),
        north=_coordinate("north", north, 90),
        east=_coordinate("east", east, 180),
    )
    if corners.south >= corners.north:
        raise MapError(
            "north",
            N_(
                "The north edge ({north}) must be further north than the south edge "
                "({south}): a larger latitude."
            ),
            north=corners.north,
            south=corners.south,
        )
    if corners.west >= corners.east:
        raise MapError(
            "east",
            N_(
                "The east edge ({east}) must be further east than the west edge "
                "({west}): a larger longitude."
            ),
            east=corners.east,
            west=corners.west,
        )
    across, down = corners.size_km()
    if max(across, down) > MAX_ACROSS_KM:
        raise MapError(
            "corners",
            N_(
                "These corners make a map {across} km wide and {down} km high; an area's "
                "map covers at most {limit} km. Check the corners: are latitude and "
                "longitude the right way round?"
            ),
            across=round(across),
            down=round(down),
            limit=MAX_ACROSS_KM,
        )
    return corners


def _encode(data: bytes):
    """The image decoded and encoded again: PNG for a PNG or GIF (maps are line art),
    else JPEG; ImageProblem if it cannot be read."""
    limits = {"max_bytes": MAX_BYTES, "max_pixels": MAX_PIXELS, "longest_side": LONGEST_SIDE}
    # The first bytes only choose the format to write; Pillow's decoding decides
    # whether it is an image at all.
    if data.startswith((b"\x89PNG", b"GIF8")):
        encoded = reencode(data, fmt="PNG", **limits)
        if len(encoded.data) <= PNG_KEEP_BYTES:
            return encoded
    return reencode(data, fmt="JPEG", **limits)


def _image_problem(problem: ImageProblem) -> MapError:
    template = IMAGE_PROBLEMS.get(problem.code)
    if template is None:
        return MapError("image", "{message}", message=problem.message)
    limit = {"too_large": MAX_BYTES // (1024 * 1024), "too_many_pixels": MAX_PIXELS // 10**6}
    return MapError("image", template, limit=limit.get(problem.code, ""))


def map_key(area: Area, version: int, fmt: str) -> str:
    return f"maps/{area.id}-{version}.{'png' if fmt == 'PNG' else 'jpg'}"


def map_extension(area: Area) -> str | None:
    """ "jpg" or "png" for an area with a map, else None."""
    return area.map_key.rsplit(".", 1)[1] if area.map_key else None


def set_area_map(
    area: Area,
    data: bytes,
    south: str | float | None,
    west: str | float | None,
    north: str | float | None,
    east: str | float | None,
    user: User,
) -> Area:
    """Store ``data`` as the area's map between these corners, under a new version, and
    commit with the audit entry; the old image is removed once the new one is committed.
    MapError (nothing stored) if the image or the corners are not usable."""
    corners = check_corners(south, west, north, east)
    if not data:
        raise MapError("image", N_("Choose the map's image file."))
    try:
        encoded = _encode(data)
    except ImageProblem as problem:
        raise _image_problem(problem) from None
    old_key = area.map_key
    version = area.map_version + 1
    key = map_key(area, version, encoded.format)
    files = storage()
    files.put(key, encoded.data)
    try:
        area.map_key, area.map_version = key, version
        area.map_south, area.map_west = corners.south, corners.west
        area.map_north, area.map_east = corners.north, corners.east
        record(
            user,
            "area.map_changed",
            area.name,
            {
                "version": version,
                "width": encoded.width,
                "height": encoded.height,
                "bounds": corners.bounds,
            },
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.delete(key)
        raise
    if old_key and old_key != key:
        files.delete(old_key)
    return area


def set_area_corners(
    area: Area,
    south: str | float | None,
    west: str | float | None,
    north: str | float | None,
    east: str | float | None,
    user: User,
) -> Area:
    """Move the area's present map to these corners (the image stays); commits with the
    audit entry. MapError if the area has no map or the corners make no area."""
    if not area.map_key:
        raise MapError("image", N_("Choose the map's image file."))
    corners = check_corners(south, west, north, east)
    area.map_south, area.map_west = corners.south, corners.west
    area.map_north, area.map_east = corners.north, corners.east
    record(
        user,
        "area.map_changed",
        area.name,
        {"version": area.map_version, "bounds": corners.bounds},
    )
    db.session.commit()
    return area


def remove_area_map(area: Area, user: User) -> None:
    """Forget the area's map and remove its image; commits with the audit entry. The
    version stays, so that a later map never reuses an old one's address."""
    old_key = area.map_key
    if old_key is None:
        return
    area.map_key = None
    area.map_south = area.map_west = area.map_north = area.map_east = None
    record(user, "area.map_removed", area.name, {"version": area.map_version})
    db.session.commit()
    storage().delete(old_key)


def set_tile_server(org: Organisation, url: str | None, attribution: str | None, user: User):
    """Set (or, with an empty URL, remove) the organisation's tile server; commits with
    the audit entry. MapError if the URL or its attribution is not usable."""
    url = (url or "").strip()
    attribution = " ".join((attribution or "").split())
    if url:
        check_tile_url(url)
        if not attribution:
            raise MapError(
                "tile_attribution",
                N_(
                    "Say whose map the tiles are, as the tile server's terms ask, such as "
                    '"© OpenStreetMap contributors".'
                ),
            )
        if len(attribution) > TILE_ATTRIBUTION_LENGTH:
            raise MapError(
                "tile_attribution",
                N_("At most {limit} characters."),
                limit=TILE_ATTRIBUTION_LENGTH,
            )
    else:
        attribution = ""
    before = org.tile_url
    org.tile_url = url or None
    org.tile_attribution = attribution or None
    record(user, "organisation.tile_server_changed", org.name, {"from": before, "to": url or None})
    db.session.commit()


def check_tile_url(url: str) -> None:
    """MapError unless ``url`` is an https address with {z}, {x} and {y} in it."""
    if len(url) > TILE_URL_LENGTH:
        raise MapError("tile_url", N_("At most {limit} characters."), limit=TILE_URL_LENGTH)
    if any(c.isspace() or c in "\"'<>\\`" for c in url):
        raise MapError("tile_url", N_("The address cannot contain spaces or quotes."))
    if not url.startswith("https://"):
        raise MapError(
            "tile_url",
            N_(
                "The address must start with https:// (tiles over plain http would be "
                "refused by the browser on a secure page)."
            ),
        )
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in url]
    if missing:
        raise MapError(
            "tile_url",
            N_(
                "The address must contain {parts}, where the map asks for each tile, such "
                "as https://tiles.example.org/{{z}}/{{x}}/{{y}}.png."
            ),
            parts=", ".join(missing),
        )
    if not tile_origin(url):
        raise MapError("tile_url", N_("The address has no server name after https://."))


def tile_origin(url: str | None) -> str | None:
    """The scheme and server of a tile URL ("https://tiles.example.org"), for the
    Content-Security-Policy; None without one. Leaflet's {s} becomes any subdomain."""
    if not url:
        return None
    match = re.match(r"^https://([A-Za-z0-9.{}:-]+)(/|$)", url)
    if not match:
        return None
    host = match.group(1).replace("{s}", "*")
    if "{" in host or "}" in host:
        return None
    return f"https://{host}"


def map_config(area: Area | None, org: Organisation, token: str | None = None) -> dict | None:
    """What static/area-map.js needs to draw the area's map: the image's URL (under the
    point's ``token`` for the public form, else the signed-in one), its bounds and the
    tiles; None when there is neither an image nor a tile server. With tiles, the
    current page's Content-Security-Policy lets their server's images in."""
    image = bounds = None
    if area is not None and area.map_key:
        ext = map_extension(area)
        if token is not None:
            image = url_for(
                "area_maps.public_image", token=token, version=area.map_version, ext=ext
            )
        else:
            image = url_for(
                "area_maps.staff_image", area_id=area.id, version=area.map_version, ext=ext
            )
        bounds = [[area.map_south, area.map_west], [area.map_north, area.map_east]]
    tiles = None
    origin = tile_origin(org.tile_url)
    if origin:
        tiles = {"url": org.tile_url, "attribution": org.tile_attribution or ""}
        # The page that draws these tiles must be let to load them; no other page is.
        allow_images_from(origin)
    if image is None and tiles is None:
        return None
    return {"image": image, "bounds": bounds, "tiles": tiles}
