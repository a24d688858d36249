"""A copy of a text folded for matching, with the way back to the original positions.

Every decimal digit (Arabic-Indic, Persian, full-width...) becomes its ASCII digit, dashes
become ``-``, other spaces (such as no-break spaces) become a space, full-width letters
and signs become their ordinary form, and invisible format characters (zero-width spaces,
direction marks common in Arabic text) are dropped. The masks are applied to the original
text, so what is not masked stays byte for byte as the resident wrote it.
"""

from __future__ import annotations

import functools
import unicodedata

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")


def fold_text(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` for matching; also return where each folded character came from.

    The position list is None when every character stayed where it was: nothing was
    folded, or each folded character became one character.
    """
    if text.isascii():
        return text, None
    folds = {char: _fold_char(char) for char in set(text) if not char.isascii()}
    folds = {char: folded for char, folded in folds.items() if folded != char}
    if not folds:
        return text, None
    if all(folds.values()):
        return text.translate(str.maketrans(folds)), None
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
