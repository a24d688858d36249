"""Masking of personal data in residents' free text, before it is stored.

Each kind of personal data is replaced by a fixed Swedish marker that says what was there,
whatever the language of the text:

=========================  ==========================  ==============================
marker                     what                        found by
=========================  ==========================  ==============================
``[personnummer]``         personal identity and       ``identity_numbers.py``
                           coordination numbers
``[telefonnummer]``        phone numbers               ``phone_numbers.py``
``[e-post]``               e-mail addresses, also      ``email_addresses.py``
                           disguised (``(at)``)
``[kortnummer]``           card numbers                ``payment_numbers.py``
``[kontonummer]``          IBANs, bank accounts        ``payment_numbers.py``
``[registreringsnummer]``  Swedish vehicle plates      ``registration_plates.py``
``[namn]``                 first name + surname, or a  ``person_names.py``
                           name after "heter"/"named"
=========================  ==========================  ==============================

Each module's docstring says what it recognises and what it deliberately leaves alone.
Everything else in the text is kept exactly as written: places (Torpa, Sanden,
"Sundsgatan 29"), times, bus numbers, counts, years, dates and amounts.

Unicode. Matching runs on a folded copy of the text (``folding.py``): digits of every
script become ASCII digits, dashes and spaces are unified and invisible format characters
dropped; the masks are then applied to the original text, so what is not masked stays
byte for byte as the resident wrote it.

Overlaps. Findings that overlap are masked as one, named by the finder that is surest
(``findings.py``): ``0701234567`` is a phone number rather than a personnummer whose check
digit fails, an IBAN is an account number rather than the card-shaped digits inside it.

Neighbours. A finder reads the characters around a match, and those may belong to
another finding, which is masked: ``anna@x.se/bertil@y.se`` holds two addresses,
``ABC123/070-123 45 67`` a plate and a phone number. The text on either side of each
finding is read again as if the finding were masked (``_findings``), so that masking a
masked text finds nothing more.

Every search runs in linear time: no ambiguous nested repetition, digit runs are bounded,
a match can only start where a number, an address or a word starts, and the searches that
look around an anchor (a disguised "at", a name) look within a bounded window.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from .email_addresses import find_email_addresses
from .findings import Finding, Kind, merge_overlapping
from .folding import fold_text
from .identity_numbers import find_personal_numbers
from .payment_numbers import find_payment_numbers
from .person_names import find_person_names
from .phone_numbers import find_phone_numbers
from .registration_plates import find_registration_plates

PERSONAL_NUMBER_MASK = "[personnummer]"
PHONE_MASK = "[telefonnummer]"
EMAIL_MASK = "[e-post]"
NAME_MASK = "[namn]"
PLATE_MASK = "[registreringsnummer]"
CARD_MASK = "[kortnummer]"
ACCOUNT_MASK = "[kontonummer]"

MASKS: dict[Kind, str] = {
    "personal_number": PERSONAL_NUMBER_MASK,
    "phone": PHONE_MASK,
    "email": EMAIL_MASK,
    "name": NAME_MASK,
    "plate": PLATE_MASK,
    "card": CARD_MASK,
    "account": ACCOUNT_MASK,
}

Finder = Callable[[str], list[Finding]]

_FINDERS: tuple[Finder, ...] = (
    find_email_addresses,
    find_personal_numbers,
    find_phone_numbers,
    find_payment_numbers,
    find_registration_plates,
    find_person_names,
)


def mask_personal_data(text: str) -> str:
    """Return ``text`` with every piece of personal data replaced by the marker of its kind."""
    findings = _find(text)
    if not findings:
        return text
    pieces = []
    position = 0
    for finding in findings:
        pieces.append(text[position : finding.start])
        pieces.append(MASKS[finding.kind])
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def find_personal_data(text: str) -> list[Kind]:
    """Return the kind of each piece of data ``mask_personal_data`` would mask, in text order."""
    return [finding.kind for finding in _find(text)]


def _find(text: str) -> list[Finding]:
    folded, origin = fold_text(text)
    merged = merge_overlapping(_findings(folded))
    if origin is None:
        return merged
    return [Finding(origin[f.start], origin[f.end - 1] + 1, f.kind, f.rank) for f in merged]


def _findings(folded: str) -> list[Finding]:
    """Every finder's findings, and what they find again with those findings masked.

    A finder reads the characters around a match: ``+46 70 123 45 67`` right after a
    digit is not a phone number, an address cannot start inside a run of address
    characters, ``ABC123`` before ``/070`` may be the start of a longer number. When those
    characters belong to another finding they are masked, and no longer there to read:
    ``anna@x.se/bertil@y.se`` holds two addresses, ``ABC123/070-123 45 67`` a plate and a
    phone number. So the text right after and right before each masked stretch is read
    again on its own, and masking what is masked finds nothing more there.
    """
    findings = [finding for find in _FINDERS for finding in find(folded)]
    masked = _Stretches(merge_overlapping(findings))
    # (position, True): read from a stretch's end; (position, False): up to its start.
    edges = {(stretch.end, True) for stretch in masked.initial}
    edges.update((stretch.start, False) for stretch in masked.initial)
    read: set[tuple[int, int]] = set()
    while edges:
        position, after = edges.pop()
        if masked.covers(position):
            continue
        if after:
            finders = _finders_from(folded, position)
            bound = masked.next_start(position, len(folded))
            if not finders or (position, bound) in read:
                continue
            found = _found_after(folded, finders, position, bound)
        else:
            gap = _gap_before(folded, position)
            bound = masked.previous_end(position)
            if gap is None or (position, bound) in read:
                continue
            found = _found_before(folded, gap, bound, position)
        read.add((position, bound))
        for finding in found:
            findings.append(finding)
            masked.add(finding)
            edges.update({(finding.end, True), (finding.start, False)})
    return findings


class _Stretches:
    """The stretches of text that findings cover, joined where they overlap."""

    def __init__(self, merged: list[Finding]) -> None:
        self.initial = merged
        self.starts = [finding.start for finding in merged]
        self.ends = [finding.end for finding in merged]

    def covers(self, position: int) -> bool:
        """Whether ``position`` lies inside a stretch, not at its edge."""
        i = bisect_right(self.starts, position) - 1
        return i >= 0 and self.starts[i] < position < self.ends[i]

    def next_start(self, position: int, default: int) -> int:
        i = bisect_left(self.starts, position)
        return self.starts[i] if i < len(self.starts) else default

    def previous_end(self, position: int) -> int:
        i = bisect_right(self.ends, position)
        return self.ends[i - 1] if i else 0

    def add(self, finding: Finding) -> None:
        first = bisect_right(self.ends, finding.start)  # the first that ends after it starts
        last = bisect_left(self.starts, finding.end)  # the first that starts where it ends
        start, end = finding.start, finding.end
        if first < last:
            start, end = min(start, self.starts[first]), max(end, self.ends[last - 1])
        self.starts[first:last] = [start]
        self.ends[first:last] = [end]


# How far to read from a finding's edge: longer than anything but an e-mail address (an
# IBAN written in groups is 42 characters), and short enough to keep masking linear.
_READ_AGAIN = 64
# Characters an e-mail address may start with; every other finding starts with a letter,
# a digit, "+" or "(", and ends with a letter or a digit.
_ADDRESS_CHARACTERS = frozenset(".!#$%&'*+/=?^`{|}~-_")
# What joins the parts of a word ("Anna-Karin", "O'Brien"): a word glued to a finding
# by one of them is a word of its own once the finding is masked.
_WORD_JOINERS = frozenset("-'’")
# What joins a number to the number after it, so that a finder reads the two as one longer
# number unless the second one is masked: a comma after an account number ("1234,5678"),
# and a space, "-", "/" or "." after a plate ("ABC 123 45", "ABC 12D-45", "ABC123 / 070").
_JOINER = re.compile(r"(?<=\d),\Z|(?<=[\dA-Z])(?:[ ][-/.]?[ ]?|[-/.][ ]?)\Z")


def _finders_from(folded: str, start: int) -> tuple[Finder, ...]:
    """The finders whose findings may start at ``start``, or right after a word joiner."""
    if start == len(folded):
        return ()
    first = folded[start]
    if first.isalnum() or first in "+(" or first in _WORD_JOINERS:
        return _FINDERS
    if first in _ADDRESS_CHARACTERS:
        return (find_email_addresses,)
    return ()


def _gap_before(folded: str, end: int) -> int | None:
    """How far before ``end`` a finding may end: right there after a letter or a digit,
    before a word joiner after a letter (``Svensson-``), before what joins it to a number
    that starts at ``end`` (``ABC123 /`` before a phone number), or nowhere."""
    if end == 0:
        return None
    if folded[end - 1].isalnum():
        return 0
    if end >= 2 and folded[end - 1] in _WORD_JOINERS and folded[end - 2].isalpha():
        return 1
    if not folded[end].isdigit():
        return None
    joiner = _JOINER.search(folded, max(0, end - 3), end)
    return None if joiner is None else end - joiner.start()


def _found_after(folded: str, finders: tuple[Finder, ...], start: int, end: int) -> list[Finding]:
    """The findings read on their own from ``start``: those that start there (or after a
    word joiner there), also where they run on into the next masked stretch at ``end``
    (``/bertil@gmail.com`` before ``gmail.com/cesar@x.se``), and all of them up to ``end``
    if that is read whole (``0701234567heter Kalle``)."""
    stop = min(len(folded), start + _READ_AGAIN)
    piece = folded[start:stop]
    lead = 1 if folded[start] in _WORD_JOINERS else 0
    # Past the cut, or beyond the next stretch, what is left may look like data ("ABC 123"
    # of "ABC 123 45"), so only findings up to ``end`` count when read whole.
    whole = end < stop or stop == len(folded)
    return [
        Finding(start + f.start, start + f.end, f.kind, f.rank)
        for find in finders
        for f in find(piece)
        if f.start <= lead or (whole and f.end <= end - start)
    ]


def _found_before(folded: str, gap: int, start: int, end: int) -> list[Finding]:
    """The findings that end ``gap`` characters before ``end``, read on their own from
    ``start``."""
    begin = max(start, end - _READ_AGAIN)
    piece = folded[begin:end]
    return [
        Finding(begin + f.start, begin + f.end, f.kind, f.rank)
        for find in _FINDERS
        for f in find(piece)
        if f.end == len(piece) - gap
    ]
