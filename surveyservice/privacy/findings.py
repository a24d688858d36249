"""What a finder reports: where a piece of personal data is, what kind it is, how sure."""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["personal_number", "phone", "email", "name", "plate", "card", "account"]

# When findings overlap they are masked as one; the highest rank names the result. A
# finding that explains more of the text outranks one that explains part of it: an IBAN
# holds a card-shaped run of digits, an e-mail address may hold a phone number.
RANK_EMAIL = 8
RANK_IBAN = 7
RANK_CARD = 6
RANK_CHECKED_PERSONAL_NUMBER = 5
RANK_PHONE = 4
RANK_BANK_ACCOUNT = 3
RANK_UNCHECKED_PERSONAL_NUMBER = 2
RANK_WORDS = 1  # names and registration plates: they never overlap numbers in practice


class Finding(NamedTuple):
    start: int
    end: int
    kind: Kind
    rank: int


def merge_overlapping(findings: list[Finding]) -> list[Finding]:
    """Sort ``findings`` and join the overlapping ones; the highest rank names each union."""
    merged: list[Finding] = []
    for finding in sorted(findings):
        if merged and finding.start < merged[-1].end:
            # Masking the union never leaves part of either finding readable.
            last = merged[-1]
            winner = finding if finding.rank > last.rank else last
            merged[-1] = Finding(last.start, max(last.end, finding.end), winner.kind, winner.rank)
        else:
            merged.append(finding)
    return merged
