"""Swedish vehicle registration plates (``[registreringsnummer]``).

Three letters and three digits, or since 2019 three letters, two digits and a letter:
``ABC 123``, ``ABC123``, ``ABC-123``, ``ABC 12D``. Plates never use I, Q, V, Å, Ä or Ö, and
the last character is never the letter O. The letters must be capitals, because lower-case
letters before a number are ordinary words ("med 500 kr", "vid 100 meter"); a lower-case
plate is recognised only when it is written without a space and ends in three digits
(``abc123``). Currency codes and other capitals that come before amounts (``SEK 500``,
``EUR 100``) are not plates.

Not handled: foreign plates, lower-case plates with a space or a final letter, and a plate
followed by another number ("ABC 123 45"), which reads as one longer number.
"""

from __future__ import annotations

import re

from .findings import RANK_WORDS, Finding

_PLATE = re.compile(
    r"""
    (?<![^\W_])(?<!-)
    (?:
        (?P<letters>[A-HJ-PR-UW-Z]{3})[ -]?\d\d[\dA-HJ-NPR-UW-Z]
      | (?P<lower>[a-hj-pr-uw-z]{3})\d{3}
    )
    # A plate is not the start of a longer number ("AAA070-123 45 67", "ABC 123 45").
    (?![^\W_]|[ ]?[-/.]?[ ]?\d)
    """,
    re.VERBOSE,
)

NOT_PLATES = frozenset(
    [
        "SEK",
        "EUR",
        "USD",
        "NOK",
        "DKK",
        "GBP",
        "CHF",
        "PLN",
        "TRY",
        "SOS",
        "SMS",
        "MMS",
        "GPS",
        "LED",
        "USB",
        "DVD",
        "MHZ",
        "GHZ",
        "KWH",
    ]
)


def find_registration_plates(folded: str) -> list[Finding]:
    """Find Swedish registration plates in folded text."""
    found = []
    for match in _PLATE.finditer(folded):
        letters = match["letters"] or match["lower"]
        if letters.upper() in NOT_PLATES:
            continue
        found.append(Finding(match.start(), match.end(), "plate", RANK_WORDS))
    return found
