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

Every search runs in linear time: no ambiguous nested repetition, digit runs are bounded,
a match can only start where a number, an address or a word starts, and the searches that
look around an anchor (a disguised "at", a name) look within a bounded window.
"""

from __future__ import annotations

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

_FINDERS = (
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
    merged = merge_overlapping([finding for find in _FINDERS for finding in find(folded)])
    if origin is None:
        return merged
    return [Finding(origin[f.start], origin[f.end - 1] + 1, f.kind, f.rank) for f in merged]
