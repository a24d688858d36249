"""Card numbers (``[kortnummer]``) and bank account numbers (``[kontonummer]``).

Card numbers: 13-19 digits, written in one run or in groups of four (``4111 1111 1111
1111``, ``4111-1111-1111-1111``), or four-six-five as American Express prints them, with
the same separator between every group. They are masked when the Luhn digit fits or when
the first digit is that of a card issuer (3-6: American Express, Visa, Mastercard,
Maestro, Discover); as with personal numbers, a card number with a typing mistake still
identifies its holder. Four years in a row
(``2019 2020 2021 2022``) start with neither and rarely pass Luhn.

Account numbers: IBANs (``SE45 5000 0000 0583 9825 7466``: two letters, two check digits,
then 11-30 letters and digits, grouped by four or not) with at least ten digits, and
Swedish account numbers written as a clearing number of four digits (1000-9999, with an
optional check digit: ``8327-9``) followed by a separator and an account number of 7-10
digits, in one run or in groups of two or three after the first, optionally ending in
``-`` and a check digit (``6000-123 456 789``, ``8327-9, 123 456 789-0``, ``5000 12 345
67``). A clearing number does not start with ``0``, so phone numbers are not taken for
one, and a list of years (``2019 2020 2021``) is not grouped like an account. Finally, any
run of five or more digits right after a word that names it (``konto``, ``kontonummer``,
``clearing``, ``account``, ``IBAN``, ``حساب``).

Not handled: bankgiro and plusgiro numbers (``bankgiro 5050-1055``), which belong to
organisations far more often than to people, and account numbers without a clearing
number, unless a word before them names them: alone they are too short to tell from
other numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .findings import RANK_BANK_ACCOUNT, RANK_CARD, RANK_IBAN, Finding
from .identity_numbers import luhn_valid

_CARD = re.compile(
    r"""
    (?<![\d+.,-])
    (?:
        \d{4}(?P<separator>[ ]?-[ ]?|[ ]?)\d{4}(?P=separator)\d{4}(?P=separator)\d{1,7}
      | \d{4}(?P<amex>[ -]?)\d{6}(?P=amex)\d{4,5}
    )
    (?!\d|,\d)
    """,
    re.VERBOSE | re.ASCII,
)

_IBAN = re.compile(
    r"""
    (?<![^\W_])
    [A-Za-z]{2}\d\d
    (?:[ ]?[A-Z0-9]{4}){2,7}
    (?:[ ]?[A-Z0-9]{1,3})?
    (?![^\W_])
    """,
    re.VERBOSE,
)

_BANK_ACCOUNT = re.compile(
    r"""
    (?<![\d+.,/-])
    [1-9]\d{3}(?:-\d)?
    (?:[ ]?[-,][ ]?|[ ])
    (?P<account>\d{7,10}|\d{1,4}(?:[ ]\d{2,3}){2,4})
    (?:-\d)?
    (?!\d|,\d)
    """,
    re.VERBOSE | re.ASCII,
)

# A number after a word that says what it is: "konto 123 456 789-0", "clearing 8327-9".
_NAMED_ACCOUNT = re.compile(
    r"""
    (?<![^\W_])
    (?:kontonummer|kontonr|konto|clearingnummer|clearingnr|clearing
      |account[ ]number|account|iban|رقم[ ]الحساب|الحساب|حساب)
    [.:#]?[ ]?(?:nr|nummer|no)?[.:#]?[ ]?
    (?P<number>\d(?:[ -]?\d){4,19})
    (?!\d)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def find_payment_numbers(folded: str) -> list[Finding]:
    """Find card numbers, IBANs and Swedish bank account numbers in folded text."""
    found = [
        Finding(match.start(), match.end(), "card", RANK_CARD)
        for match in _taken(_CARD, folded, _is_card)
    ]
    for match in _IBAN.finditer(folded):
        if sum(char.isdigit() for char in match[0]) >= 10 and len(match[0].replace(" ", "")) >= 15:
            found.append(Finding(match.start(), match.end(), "account", RANK_IBAN))
    for match in _taken(_BANK_ACCOUNT, folded, _is_bank_account):
        found.append(Finding(match.start(), match.end(), "account", RANK_BANK_ACCOUNT))
    for match in _NAMED_ACCOUNT.finditer(folded):
        found.append(Finding(match.start("number"), match.end("number"), "account", RANK_IBAN))
    return found


def _taken(
    pattern: re.Pattern[str], folded: str, takes: Callable[[re.Match[str]], bool]
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` that ``takes`` accepts. After one it refuses, the search
    goes on from that match's next character: a year or a count before a number is no
    part of it, and the number may start in the next group ("2020 4111 1111 1111 1111",
    "1234 5000 12 345 67")."""
    position = 0
    while (match := pattern.search(folded, position)) is not None:
        if takes(match):
            yield match
            position = match.end()
        else:
            position = match.start() + 1


def _is_card(match: re.Match[str]) -> bool:
    digits = "".join(char for char in match[0] if char.isdigit())
    return 13 <= len(digits) <= 19 and (digits[0] in "3456" or luhn_valid(digits))


def _is_bank_account(match: re.Match[str]) -> bool:
    return 7 <= sum(char.isdigit() for char in match["account"]) <= 10
