"""Names of people (``[namn]``): a first name followed by a surname, or a name introduced.

Residents are asked not to write names, and some do: "Kalle Andersson säljer knark vid
skolan". A first name is only a hint (half of them are also ordinary words or the name of
nobody in particular), so what is masked is:

- a first name followed by a surname, from real name lists (``names/``): ``Anna Svensson``,
  ``Anna-Karin Lind``, ``Mohammed Ali``, ``محمد أحمد``; further first names before it and
  surnames after it go with it (``Anna Maria Svensson``), and so does a genitive ``s``
  (``Svenssons bil``);
- a name after words that introduce one: ``heter``, ``named``, ``called``, ``اسمه`` and
  the like. After "jag heter", "my name is" and "اسمي", which can only be followed by the
  writer's own name, the next word is masked whatever it is; after the others, only a
  word from the name lists.

Many names are also ordinary words: Björn (bear), Sten (stone), Rosa (pink), Berg, Lund,
Per, Hans; نور (light), أمل (hope). The lists mark them (``name_words.txt``), and such a
word is never masked on its own. Two of them together are masked only where they look
like a name: both with capitals, and the first a frequent first name ("Björn Berg":
Swedish gives the second word of a sentence a capital only when it is a name; "the Red
Cross" is no person). In lower case ("björn berg") a pair with
either of them is left alone; in Arabic script, which has no capitals, a pair of two of
them ("صباح الخير", good morning). A pair of names that are no ordinary words is masked
whatever the case ("kalle andersson").
Words ending like Swedish place names (``-gatan``, ``-vägen``, ``-torget``...) and the
area's place names are never names.

Arabic names are compared without the differences of spelling that Arabic allows (hamza
on alef, ة/ه, short vowels, Persian ی/ي and ک/ك), and with a joined "and" (``و``) taken off.

Not handled: a first name alone ("Kalle säljer"), which is as often a nickname, a dog or
a street; a surname alone; initials (``Anna S.``); names not in the lists; and names in
Arabic script joined to other prefixes (``لمحمد``, "for Mohammed").
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from .findings import RANK_WORDS, Finding

FIRST = 1
SURNAME = 2
ORDINARY_WORD = 4
FREQUENT_FIRST = 8
JOINED_AND = 16  # an Arabic name with "and" (و) joined to it: it starts a new name

# Letters, with Arabic short vowels inside, and ' or - between parts.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u064b-\u065f\u0670])*(?:['’-][^\W\d_]+)*")
_SENTENCE_END = frozenset('.!?:;\n•-–—"“”«»()')

_PLACE_ENDINGS = (
    "gatan",
    "vägen",
    "gränd",
    "gränden",
    "torget",
    "torg",
    "platsen",
    "parken",
    "backen",
    "stigen",
    "allén",
    "leden",
    "hamnen",
    "skolan",
    "stan",
    "street",
    "road",
)

# Words that introduce the writer's own name: the next word is a name, whatever it is.
_OWN_NAME = re.compile(
    r"""
    (?<![^\W_])
    (?:jag[ ]heter|heter[ ]jag|mitt[ ]namn[ ]är|my[ ]name[ ]is|my[ ]name's|i[ ]am[ ]called
      |i'm[ ]called|jag[ ]kallas|اسمي(?:[ ](?:هو|هي))?|إسمي(?:[ ](?:هو|هي))?)
    [ ]+
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Words that introduce someone's name: the next word is masked if the lists know it.
_SOMEONES_NAME = re.compile(
    r"""
    (?<![^\W_])
    (?:heter|kallas|kallad|named|called|name[ ]is|اسمه|اسمها|إسمه|إسمها|يدعى|تدعى|يسمى|تسمى)
    (?:[ ](?:هو|هي))?
    [ ]+
    """,
    re.VERBOSE | re.IGNORECASE,
)


def find_person_names(folded: str) -> list[Finding]:
    """Find names of people in folded text."""
    words = list(_WORD.finditer(folded))
    if not words:
        return []
    flags = [_flags(word[0]) for word in words]
    found: list[Finding] = []
    # Words already taken into a name are not looked at again, so that a long run of
    # names costs one pass, not one pass per name.
    free = 0
    for index in range(len(words) - 1):
        if index >= free and flags[index] & FIRST and _is_name_pair(folded, words, flags, index):
            start, end = _grow(folded, words, flags, free, index, index + 1)
            found.append(_finding(words, flags, start, end))
            free = end + 1
    by_start: dict[int, int] = {}
    for introduction, any_word in ((_OWN_NAME, True), (_SOMEONES_NAME, False)):
        for match in introduction.finditer(folded):
            by_start = by_start or {word.start(): index for index, word in enumerate(words)}
            index = by_start.get(match.end())
            if index is None or not _introduced_name(words[index][0], flags[index], any_word):
                continue
            end = index
            while end + 1 < len(words) and _continues(folded, words, flags, end):
                end += 1
            found.append(_finding(words, flags, index, end))
    return found


def _finding(words: list[re.Match[str]], flags: list[int], start: int, end: int) -> Finding:
    """The name from word ``start`` to word ``end``, without a joined "and" before it."""
    joined_and = 1 if flags[start] & JOINED_AND else 0
    return Finding(words[start].start() + joined_and, words[end].end(), "name", RANK_WORDS)


def _is_name_pair(folded: str, words: list[re.Match[str]], flags: list[int], index: int) -> bool:
    first, second = words[index][0], words[index + 1][0]
    first_flags, second_flags = flags[index], flags[index + 1]
    if not (first_flags & FIRST and second_flags & (SURNAME | FIRST)):
        return False
    if second_flags & JOINED_AND or first.casefold() == second.casefold():
        return False
    if not _adjacent(folded, words, index):
        return False
    if _is_arabic(first) and _is_arabic(second):
        # Arabic names are a given name and the father's name, both first names.
        return not first_flags & second_flags & ORDINARY_WORD
    if not second_flags & SURNAME:
        return False
    if first[0].isupper() and second[0].isupper():
        # Only the first word of a sentence has a capital of its own: a second capital
        # marks a name even where both are also words ("Björn Berg säljer..."), if the
        # first is a name people often have; English capitalises names of things too
        # ("the Red Cross").
        return not first_flags & second_flags & ORDINARY_WORD or bool(first_flags & FREQUENT_FIRST)
    # In lower case ("kalle andersson") only names that are no ordinary word count.
    return not (first_flags | second_flags) & ORDINARY_WORD


def _grow(
    folded: str, words: list[re.Match[str]], flags: list[int], free: int, start: int, end: int
) -> tuple[int, int]:
    """Take in the first names written before a pair and the surnames after it."""
    while (
        start > free
        and not flags[start] & JOINED_AND
        and flags[start - 1] & FIRST
        and _looks_like_a_name(words[start - 1][0])
        and _adjacent(folded, words, start - 1)
    ):
        start -= 1
    while (
        end + 1 < len(words)
        and flags[end + 1] & SURNAME
        and not flags[end + 1] & JOINED_AND
        and _looks_like_a_name(words[end + 1][0])
        and _adjacent(folded, words, end)
    ):
        end += 1
    return start, end


def _continues(folded: str, words: list[re.Match[str]], flags: list[int], index: int) -> bool:
    """Whether the word after ``index`` is more of an introduced name."""
    return (
        bool(flags[index + 1] & (FIRST | SURNAME))
        and not flags[index + 1] & JOINED_AND
        and _looks_like_a_name(words[index + 1][0])
        and _adjacent(folded, words, index)
    )


def _introduced_name(word: str, word_flags: int, any_word: bool) -> bool:
    if _is_place(word.casefold()):
        return False
    if word_flags & (FIRST | SURNAME) and (
        _looks_like_a_name(word) or not word_flags & ORDINARY_WORD
    ):
        return True
    return any_word and _looks_like_a_name(word)


def _adjacent(folded: str, words: list[re.Match[str]], index: int) -> bool:
    """Whether word ``index`` and the next are separated by one space and nothing else."""
    return folded[words[index].end() : words[index + 1].start()] == " "


def _looks_like_a_name(word: str) -> bool:
    return word[0].isupper() or _is_arabic(word)


# Arabic is written with and without hamza on alef, with ة or ه, and seldom with short
# vowels, and Persian writes ی and ک for ي and ك: names are compared without these
# differences. Final ى and ي stay apart, or
# على ("on") would be علي (Ali).
_ARABIC_SPELLING = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ـ": None, "ی": "ي", "ک": "ك", "ۀ": "ه"}
    | {chr(mark): None for mark in range(0x064B, 0x0653)}
)


def _key(word: str) -> str:
    """The form in which a word is looked up in the name lists."""
    key = word.casefold()
    return key.translate(_ARABIC_SPELLING) if _is_arabic(key) else key


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def _is_place(key: str) -> bool:
    return key.endswith(_PLACE_ENDINGS)


@functools.lru_cache(maxsize=65_536)
def _flags(word: str) -> int:
    """What ``word`` is: first name, surname, ordinary word (bits), 0 for none of these."""
    lookup = _name_lookup()
    key = _key(word)
    found = lookup.get(key)
    if found is not None:
        return found
    if key.startswith("و") and len(key) > 3:
        # "and" is written joined to the next word in Arabic: ومحمد, "and Mohammed".
        found = lookup.get(key[1:], 0)
        return found | JOINED_AND if found else 0
    if "-" in key:
        # Anna-Karin, Lind-Berg: every part is a name of the same kind.
        parts = [lookup.get(part, 0) for part in key.split("-")]
        common = functools.reduce(lambda a, b: a & b, parts) & (FIRST | SURNAME)
        return common
    if key.endswith("s") and lookup.get(key[:-1], 0) & SURNAME:
        # Svenssons bil: the genitive of a surname.
        return SURNAME
    return 0


@functools.cache
def _name_lookup() -> dict[str, int]:
    """Every known name, lower-cased, with what it is: first name, surname, ordinary word."""
    folder = resources.files(__package__) / "names"
    lookup: dict[str, int] = {}
    for filename, flag in [
        ("first_names.txt", FIRST),
        ("surnames.txt", SURNAME),
        ("name_words.txt", ORDINARY_WORD),
        ("frequent_first_names.txt", FREQUENT_FIRST),
    ]:
        for line in (folder / filename).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and not _is_place(line):
                key = _key(line)
                lookup[key] = lookup.get(key, 0) | flag
    return lookup
