"""Swedish personal identity numbers and coordination numbers (``[personnummer]``).

A number shaped like a personnummer (YYMMDD-XXXX, YYMMDDXXXX, YYYYMMDD-XXXX, YYYYMMDDXXXX,
with ``-``, ``+`` or a space as separator) is masked when its date part is possible: month
01-12, day 01-31, or 61-91 for a coordination number; a century, when written, must be
18, 19 or 20. The date may also be written in pairs with single spaces (``85 03 12 - 1234``,
``1985 03 12 1234``), as people do when they read the number off a card.

The Luhn check digit does *not* decide masking. Luhn catches exactly the typing mistakes
people make on phones, and a personnummer with one wrong digit still gives away a birth
date and, with ten guesses, the person; not masking it would leak the very data we promise
not to keep. The price is that an ordinary 10- or 12-digit number whose first digits happen
to form a date is hidden too; in answers to a safety survey such numbers are rare and
losing one costs little. The Luhn digit only labels what was found: a number that passes
it is reported as a personnummer, one that fails it gives way to a phone number covering
the same digits, so that ``0701234567`` counts as the phone number it almost surely is. A
date written in spaced pairs is no phone number's shape, so it is always a personnummer.

Not handled: separators other than single spaces inside the date (``81-12-18-9876``) or a
slash, which are rare and too close to ordinary dates.
"""

from __future__ import annotations

import re

from .findings import (
    RANK_CHECKED_PERSONAL_NUMBER,
    RANK_UNCHECKED_PERSONAL_NUMBER,
    Finding,
)

_PERSONAL_NUMBER = re.compile(
    r"""
    (?<!\d)
    (?P<century>\d\d)?
    (?P<date>\d{6})
    (?P<separator>[ ]?[-+][ ]?|[ ])?
    (?P<serial>\d{4})
    (?!\d)
    """,
    re.VERBOSE | re.ASCII,
)

_SPACED_PERSONAL_NUMBER = re.compile(
    r"""
    (?<!\d)
    (?P<century>\d\d)?
    (?P<year>\d\d)[ ](?P<month>\d\d)[ ](?P<day>\d\d)
    (?:[ ]?[-+][ ]?|[ ])
    (?P<serial>\d{4})
    (?!\d)
    """,
    re.VERBOSE | re.ASCII,
)


def find_personal_numbers(folded: str) -> list[Finding]:
    """Find personal identity and coordination numbers in folded text."""
    found = []
    for match in _PERSONAL_NUMBER.finditer(folded):
        date, serial = match["date"], match["serial"]
        if not _possible(match["century"], date[2:4], date[4:6]):
            continue
        if luhn_valid(date + serial):
            rank = RANK_CHECKED_PERSONAL_NUMBER
        else:
            rank = RANK_UNCHECKED_PERSONAL_NUMBER
        found.append(Finding(match.start(), match.end(), "personal_number", rank))
    for match in _SPACED_PERSONAL_NUMBER.finditer(folded):
        if _possible(match["century"], match["month"], match["day"]):
            found.append(
                Finding(match.start(), match.end(), "personal_number", RANK_CHECKED_PERSONAL_NUMBER)
            )
    return found


def _possible(century: str | None, month: str, day: str) -> bool:
    if century is not None and century not in ("18", "19", "20"):
        return False
    month_number, day_number = int(month), int(day)
    return 1 <= month_number <= 12 and (1 <= day_number <= 31 or 61 <= day_number <= 91)


def luhn_valid(digits: str) -> bool:
    """Check the last digit with the Luhn algorithm, as Skatteverket and card issuers do."""
    total = 0
    parity = len(digits) % 2
    for index, char in enumerate(digits[:-1]):
        product = int(char) * (2 if index % 2 == parity else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(digits[-1])
