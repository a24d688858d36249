"""Times as people enter and read them: in the organisation's time zone, stored in UTC.

A wall-clock time can be missing (the hour skipped when summer time starts) or
occur twice (the hour repeated when it ends). A missing one is refused, naming the
gap, rather than moved silently; a repeated one means its first occurrence (summer
time), and pages show the offset beside times near a change so that nobody has to guess.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date, format_time

INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class LocalTimeError(ValueError):
    """A time that cannot be read; ``template`` and ``values`` for a page to translate."""

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template.format(**values))


@cache
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # only a name checked by is_time_zone is ever stored


def is_time_zone(name: str) -> bool:
    return name in time_zone_names()


def to_utc(local: datetime, zone_name: str) -> datetime:
    """A naive wall-clock time in the zone as an aware UTC time; LocalTimeError if the
    clocks skip it."""
    tz = zone(zone_name)
    first = local.replace(tzinfo=tz, fold=0)
    # A skipped time does not survive the round trip through UTC.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        before = first.replace(fold=0) - timedelta(hours=3)
        raise LocalTimeError(
            "{time} does not exist in {zone}: the clocks skip it that night. Choose a time "
            "after the change, such as {later}.",
            time=local.strftime("%Y-%m-%d %H:%M"),
            zone=zone_name,
            later=_after_gap(local, tz, before),
        )
    return first.astimezone(UTC)


def _after_gap(local: datetime, tz: ZoneInfo, before: datetime) -> str:
    # The first whole minute after the gap, as the clocks there show it.
    probe = before.astimezone(UTC)
    for _ in range(6 * 60):
        probe += timedelta(minutes=1)
        shown = probe.astimezone(tz).replace(tzinfo=None)
        if shown > local:
            return shown.strftime("%H:%M")
    return local.strftime("%H:%M")


def parse_local(text: str, zone_name: str) -> datetime:
    """What a datetime-local field sent, as an aware UTC time."""
    try:
        local = datetime.strptime(text.strip(), INPUT_FORMAT)
    except ValueError:
        try:
            local = datetime.strptime(text.strip(), INPUT_FORMAT + ":%S")
        except ValueError:
            raise LocalTimeError("Not a date and time: write it as 2026-12-24 18:00.") from None
    if not 2000 <= local.year <= 2100:
        raise LocalTimeError("Expected a time between the years 2000 and 2100.")
    return to_utc(local, zone_name)


def to_local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(zone(zone_name))


def input_value(moment: datetime | None, zone_name: str) -> str:
    """The value for a datetime-local field."""
    return "" if moment is None else to_local(moment, zone_name).strftime(INPUT_FORMAT)


def shown(moment: datetime | None, zone_name: str, language: str = "sv") -> str:
    """A time for reading in the language, with the zone's abbreviation: 1 juni 2026
    10:00 CEST in Swedish, Jun 1, 2026 10:00 CEST in English."""
    if moment is None:
        return ""
    local = to_local(moment, zone_name)
    day = format_date(local, "medium", locale=language)
    return f"{day} {format_time(local, 'HH:mm', locale=language)} {local.tzname()}"


def start_of_day(moment: datetime, zone_name: str) -> datetime:
    """The UTC time at which the local day of ``moment`` began."""
    local = to_local(moment, zone_name)
    midnight = datetime(local.year, local.month, local.day)
    try:
        return to_utc(midnight, zone_name)
    except LocalTimeError:  # a zone whose clocks skip midnight: the day began after it
        return to_utc(midnight + timedelta(hours=1), zone_name)
