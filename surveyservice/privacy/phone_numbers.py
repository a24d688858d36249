"""Phone numbers (``[telefonnummer]``).

Swedish numbers written nationally start with a trunk ``0`` and have 8-10 digits
(``070-123 45 67``, ``0701234567``, ``031-123 45 67``, ``08-123 456 78``, ``(031) 12 34 56``);
international ones start with ``+`` or ``00`` and have 8-15 digits after it
(``+46 70 123 45 67``, ``+46 (0)70-123 45 67``, ``0046 70 123 45 67``). Digit groups may be
separated by one space, ``-`` or ``/``; international numbers may also use ``.`` and
parentheses. Dots are not accepted in national numbers, because Swedes write times as
``08.00-16.00``, and ``dd-mm-yyyy`` dates are recognised and left alone. Years, times,
counts, amounts and postcodes do not start with ``0``, or are too short after ``+``
(``+15 grader``), and are not touched.

Not handled: local numbers without area code (``123 45 67``), which look like any count;
time ranges written ``08-10 12-14``, which look like a phone number and are masked.
"""

from __future__ import annotations

import re

from .findings import RANK_PHONE, Finding

_PHONE = re.compile(
    r"""
    (?<![\d+])
    (?:
        # 8-15 digits after the international prefix; "(0)" is the trunk zero
        # that Swedes often keep in brackets after +46.
        (?:\+|00)[ ]?[1-9]
        (?:(?:[ ]?\(0\)[ ]?|[ ]?[-/.()][ ]?|[ ])?\d){7,14}
      |
        # 8-10 digits, trunk zero included; ")" closes an area code like "(031)".
        (?P<national>\(?0[1-9](?:(?:[ ]?[-/)][ ]?|[ ])?\d){6,8})
    )
    (?!\d)
    """,
    re.VERBOSE | re.ASCII,
)

# A national candidate that starts with a date (01-05-2024, 1/5 2024) is a date.
_LEADING_DATE = re.compile(r"\(?(\d\d?)[-/ ](\d\d?)[-/ ](?:19|20)\d\d(?!\d)", re.ASCII)


def find_phone_numbers(folded: str) -> list[Finding]:
    """Find Swedish and international phone numbers in folded text."""
    found = []
    for match in _PHONE.finditer(folded):
        if match["national"] is not None and _starts_with_date(match["national"]):
            continue
        found.append(Finding(match.start(), match.end(), "phone", RANK_PHONE))
    return found


def _starts_with_date(candidate: str) -> bool:
    date = _LEADING_DATE.match(candidate)
    if date is None:
        return False
    first, second = int(date[1]), int(date[2])
    # Day-month or month-day: either order is read as a date.
    return 1 <= min(first, second) <= 12 and max(first, second) <= 31
