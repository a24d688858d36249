"""Masking of personal data in residents' free text, before it is stored.

Three kinds are replaced by a fixed token each: Swedish personal identity numbers and
coordination numbers (``[personnummer]``), phone numbers (``[telefonnummer]``) and e-mail
addresses (``[e-post]``). Everything else in the text is kept exactly as written.

Personnummer and the Luhn digit. A number shaped like a personnummer (YYMMDD-XXXX,
YYMMDDXXXX, YYYYMMDD-XXXX, YYYYMMDDXXXX, with ``-``, ``+`` or a space as separator) is
masked when its date part is possible: month 01-12, day 01-31, or 61-91 for a
coordination number; a century, when written, must be 18, 19 or 20. The Luhn check digit
does *not* decide masking. Luhn catches exactly the typing mistakes people make on phones,
and a personnummer with one wrong digit still gives away a birth date and, with ten
guesses, the person; not masking it would leak the very data we promise not to keep. The
price is that an ordinary 10- or 12-digit number whose first digits happen to form a date
is hidden too; in answers to a safety survey such numbers are rare and losing one costs
little. The Luhn digit only labels what was found: a number that passes it is reported as
a personnummer, one that fails it gives way to a phone number covering the same digits,
so that ``0701234567`` counts as the phone number it almost surely is.

Phone numbers. Swedish numbers written nationally start with a trunk ``0`` and have 8-10
digits (``070-123 45 67``, ``0701234567``, ``031-123 45 67``, ``08-123 456 78``,
``(031) 12 34 56``); international ones start with ``+`` or ``00`` and have 8-15 digits
after it (``+46 70 123 45 67``, ``+46 (0)70-123 45 67``, ``0046 70 123 45 67``). Digit
groups may be separated by one space, ``-`` or ``/``; international numbers may also use
``.`` and parentheses. Dots are not accepted in national numbers, because Swedes write
times as ``08.00-16.00``, and ``dd-mm-yyyy`` dates are recognised and left alone. Years,
times, counts, amounts and postcodes do not start with ``0``, or are too short after ``+``
(``+15 grader``), and are not touched. Not handled: local numbers without area code
(``123 45 67``), which look like any count; time ranges written ``08-10 12-14``, which look
like a phone number and are masked; personnummer written with separators inside the date
(``81-12-18-9876``) or with a slash, which are rare and too close to ordinary dates.

E-mail addresses: ``local@domain.tld`` with Unicode letters; obfuscated forms such as
``anna (at) example.se`` are not recognised.

Unicode. Matching runs on a folded copy of the text: every decimal digit (Arabic-Indic,
Persian, full-width...) becomes its ASCII digit, dashes become ``-``, other spaces (such as
no-break spaces) become a space, and invisible format characters (zero-width spaces,
direction marks common in Arabic text) are dropped; the masks are then applied to the
original text, so what is not masked stays byte for byte as the resident wrote it.

Every pattern runs in linear time: no ambiguous nested repetition, digit runs are bounded,
and a match can only start where a number or an address starts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal, NamedTuple

PERSONAL_NUMBER_MASK = "[personnummer]"
PHONE_MASK = "[telefonnummer]"
EMAIL_MASK = "[e-post]"

Kind = Literal["personal_number", "phone", "email"]

_MASKS: dict[Kind, str] = {
    "personal_number": PERSONAL_NUMBER_MASK,
    "phone": PHONE_MASK,
    "email": EMAIL_MASK,
}

# When findings overlap they are masked as one; the highest rank names the result.
_RANK_EMAIL = 4
_RANK_CHECKED_PERSONAL_NUMBER = 3
_RANK_PHONE = 2
_RANK_UNCHECKED_PERSONAL_NUMBER = 1

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

# Possessive local part plus the look-behind: a match can start only where a run of
# address characters starts, so a long run without "@" is rejected once, not once per
# character (which would be quadratic).
_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w.!#$%&'*+/=?^`{|}~-]++"
    r"@[\w-]+(?:\.[\w-]+)+"
)

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")


class _Span(NamedTuple):
    start: int
    end: int
    kind: Kind
    rank: int


def mask_personal_data(text: str) -> str:
    """Return ``text`` with personal identity numbers, phone numbers and e-mail addresses masked."""
    spans = _find_spans(text)
    if not spans:
        return text
    pieces = []
    position = 0
    for span in spans:
        pieces.append(text[position : span.start])
        pieces.append(_MASKS[span.kind])
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def find_personal_data(text: str) -> list[Kind]:
    """Return the kind of each piece of data ``mask_personal_data`` would mask, in text order."""
    return [span.kind for span in _find_spans(text)]


def _find_spans(text: str) -> list[_Span]:
    folded, origin = _fold_text(text)
    found = sorted([*_find_emails(folded), *_find_personal_numbers(folded), *_find_phones(folded)])
    merged: list[_Span] = []
    for span in found:
        if merged and span.start < merged[-1].end:
            # Masking the union never leaves part of either number readable.
            last = merged[-1]
            winner = span if span.rank > last.rank else last
            merged[-1] = _Span(last.start, max(last.end, span.end), winner.kind, winner.rank)
        else:
            merged.append(span)
    if origin is None:
        return merged
    return [_Span(origin[s.start], origin[s.end - 1] + 1, s.kind, s.rank) for s in merged]


def _find_emails(folded: str) -> list[_Span]:
    return [_Span(m.start(), m.end(), "email", _RANK_EMAIL) for m in _EMAIL.finditer(folded)]


def _find_personal_numbers(folded: str) -> list[_Span]:
    spans = []
    for match in _PERSONAL_NUMBER.finditer(folded):
        century, date, serial = match["century"], match["date"], match["serial"]
        if century is not None and century not in ("18", "19", "20"):
            continue
        month, day = int(date[2:4]), int(date[4:6])
        if not (1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)):
            continue
        if _luhn_valid(date + serial):
            rank = _RANK_CHECKED_PERSONAL_NUMBER
        else:
            rank = _RANK_UNCHECKED_PERSONAL_NUMBER
        spans.append(_Span(match.start(), match.end(), "personal_number", rank))
    return spans


def _find_phones(folded: str) -> list[_Span]:
    spans = []
    for match in _PHONE.finditer(folded):
        if match["national"] is not None and _starts_with_date(match["national"]):
            continue
        spans.append(_Span(match.start(), match.end(), "phone", _RANK_PHONE))
    return spans


def _starts_with_date(candidate: str) -> bool:
    date = _LEADING_DATE.match(candidate)
    if date is None:
        return False
    first, second = int(date[1]), int(date[2])
    # Day-month or month-day: either order is read as a date.
    return 1 <= min(first, second) <= 12 and max(first, second) <= 31


def _luhn_valid(digits: str) -> bool:
    """Check the last of ten digits with the Luhn algorithm, as Skatteverket does."""
    total = 0
    for index, char in enumerate(digits[:-1]):
        product = int(char) * (2 - index % 2)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(digits[-1])


def _fold_text(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` for matching; also return where each folded character came from.

    The position list is None when nothing was folded (plain ASCII, the common case).
    """
    if text.isascii():
        return text, None
    chars = []
    origin = []
    for index, char in enumerate(text):
        folded = char if char.isascii() else _fold_char(char)
        if folded:
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Fold one non-ASCII character to at most one character."""
    if unicodedata.category(char) == "Cf":
        # Zero-width spaces, joiners and direction marks are invisible: a number typed
        # with one inside is still the same number.
        return ""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    if char in _DASHES:
        return "-"
    if char.isspace():
        return " "
    compatible = unicodedata.normalize("NFKC", char)
    # Only one-to-one folds (full-width "＋", "＠", letters) keep positions aligned.
    return compatible if len(compatible) == 1 else char
