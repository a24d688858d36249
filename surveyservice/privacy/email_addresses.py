"""E-mail addresses (``[e-post]``), written plainly or disguised.

Plain: ``local@domain.tld`` with Unicode letters. Disguised: the ``@`` written as ``(at)``,
``[at]``, ``{at}``, ``<at>``, ``(a)``, ``(@)``, `` at ``, ``snabel-a`` or an ``@`` with
spaces around it, and the dots as ``.``, ``(dot)``, ``[dot]``, `` dot ``, `` punkt `` or
``(punkt)``: ``anna.svensson(at)gmail.com``, ``anna dot svensson at gmail dot com``,
``anna snabel-a telia punkt se``. The domain must end in a known top-level domain. A
bare `` at `` is an ordinary English word ("see the map at vanersborg.se"), so it counts
only when the part before it looks like an address (it has a dot, an underscore or a
digit) or the domain is a common mail provider (``anna at gmail dot com``).

Every search runs in linear time: the plain pattern can only start where a run of address
characters starts (possessive, so a long run without ``@`` is rejected once), and a
disguised address is grown outwards from its ``at`` within a bounded window.
"""

from __future__ import annotations

import re

from .findings import RANK_EMAIL, Finding

# Possessive local part plus the look-behind: a match can start only where a run of
# address characters starts, so a long run without "@" is rejected once, not once per
# character (which would be quadratic).
_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w.!#$%&'*+/=?^`{|}~-]++"
    r"@[\w-]+(?:\.[\w-]+)+"
)

_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT = re.compile(
    rf"""
    [ ]?{_OPEN}[ ]?(?:at|a|@|snabel-?a)[ ]?{_CLOSE}[ ]?   # bracketed: as clear as "@"
    | [ ](?:snabel-?a)[ ]
    | [ ]@[ ]? | @[ ]
    | (?P<bare>[ ]at[ ])
    """,
    re.VERBOSE | re.IGNORECASE,
)

_DOT = rf"(?:[ ]?{_OPEN}[ ]?(?:dot|punkt|\.)[ ]?{_CLOSE}[ ]?|[ ](?:dot|punkt)[ ]|\.)"
# The reversed local part: read backwards from the "at", so that matching is anchored.
_REVERSED_DOT = rf"(?:[ ]?{_CLOSE}[ ]?(?:tod|tknup|\.)[ ]?{_OPEN}[ ]?|[ ](?:tod|tknup)[ ]|\.)"
_LOCAL_CHARS = r"[\w!#$%&'*+/=?^`{|}~-]"
_REVERSED_LOCAL = re.compile(
    rf"{_LOCAL_CHARS}++(?:{_REVERSED_DOT}{_LOCAL_CHARS}++)*+(?![\w.@])", re.IGNORECASE
)
_DOMAIN = re.compile(rf"[\w-]++(?:{_DOT}[\w-]++)++", re.IGNORECASE)
_LABEL_SEPARATOR = re.compile(_DOT, re.IGNORECASE)

_WINDOW = 100

TOP_LEVEL_DOMAINS = frozenset(
    [
        "se",
        "nu",
        "com",
        "net",
        "org",
        "info",
        "biz",
        "eu",
        "io",
        "me",
        "co",
        "app",
        "dev",
        "online",
        "email",
        "no",
        "dk",
        "fi",
        "is",
        "de",
        "uk",
        "fr",
        "nl",
        "be",
        "es",
        "it",
        "pl",
        "ee",
        "lv",
        "lt",
        "at",
        "ch",
        "ie",
        "pt",
        "gr",
        "cz",
        "tr",
        "ru",
        "ua",
        "us",
        "ca",
        "au",
        "ir",
        "iq",
        "sy",
        "lb",
        "jo",
        "eg",
        "sa",
        "ae",
        "so",
        "ba",
        "rs",
        "hr",
    ]
)
MAIL_PROVIDERS = frozenset(
    [
        "gmail",
        "googlemail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "yahoo",
        "icloud",
        "me",
        "mac",
        "aol",
        "proton",
        "protonmail",
        "gmx",
        "yandex",
        "mail",
        "telia",
        "bredband",
        "bredband2",
        "spray",
        "comhem",
        "bahnhof",
        "tele2",
        "passagen",
    ]
)


def find_email_addresses(folded: str) -> list[Finding]:
    """Find plain and disguised e-mail addresses in folded text."""
    found = [Finding(m.start(), m.end(), "email", RANK_EMAIL) for m in _EMAIL.finditer(folded)]
    for at in _AT.finditer(folded):
        finding = _disguised_address(folded, at)
        if finding is not None:
            found.append(finding)
    return found


def _disguised_address(folded: str, at: re.Match[str]) -> Finding | None:
    window_start = max(0, at.start() - _WINDOW)
    local = _REVERSED_LOCAL.match(folded[window_start : at.start()][::-1])
    if local is None:
        return None
    domain = _DOMAIN.match(folded, at.end(), min(len(folded), at.end() + _WINDOW))
    if domain is None:
        return None
    end = _end_of_top_level_domain(domain)
    if end is None:
        return None
    first_label = _LABEL_SEPARATOR.split(domain[0])[0]
    if at["bare"] is not None and not _looks_like_an_address(local[0], first_label):
        return None
    return Finding(at.start() - local.end(), end, "email", RANK_EMAIL)


def _end_of_top_level_domain(domain: re.Match[str]) -> int | None:
    """Where the domain ends: after its last label that is a top-level domain, if any.

    A sentence may go on after the address without a space ("gmail.com.Vi ses").
    """
    text = domain[0]
    end = len(text)
    for separator in reversed(list(_LABEL_SEPARATOR.finditer(text))):
        if text[separator.end() : end].casefold() in TOP_LEVEL_DOMAINS:
            return domain.start() + end
        end = separator.start()
    return None


def _looks_like_an_address(reversed_local: str, first_label: str) -> bool:
    if first_label.casefold() in MAIL_PROVIDERS:
        return True
    return any(char in "._" or char.isdigit() for char in reversed_local) or bool(
        _LABEL_SEPARATOR.search(reversed_local[::-1])
    )
