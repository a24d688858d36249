"""Derive the name lists in this folder from names-dataset and the Debian word lists.

Not part of the service: run by hand when the lists are to be rebuilt, with the unpacked
names-dataset 3.3.1 wheel (``pip download --no-deps names-dataset==3.3.1`` and unzip it)
and Debian's ``wswedish``, ``wamerican`` and ``wbritish`` installed::

    python surveyservice/privacy/names/derive.py /path/to/unpacked/wheel

names-dataset ranks first names and surnames by frequency per country. The lists keep
the most frequent ones of Sweden and of the countries that most people in Sweden born
abroad come from, or whose names they carry (see COUNTRIES). A name that is also an
ordinary Swedish or English word (lower-case in a Debian word list) goes to
``name_words.txt`` as well, so that the masking can ask for more evidence before hiding it.
"""

from __future__ import annotations

import gzip
import pickle
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Country: how many of its most frequent first names and surnames are kept.
COUNTRIES = {
    "SE": (2500, 6000),
    # English names for answers written in English.
    "GB": (800, 800),
    "US": (800, 800),
    "NO": (300, 300),
    "DK": (300, 300),
    "DE": (300, 300),
    "FI": (500, 500),
    "PL": (500, 500),
    # Bosnian, Serbian and Croatian names are the same names.
    "RS": (400, 400),
    "HR": (400, 400),
    "TR": (500, 500),
    # Arabic names, in Arabic and Latin script.
    "IQ": (2500, 2500),
    "SY": (2500, 2500),
    "LB": (1000, 1000),
    "PS": (1000, 1000),
    "JO": (1000, 1000),
    "EG": (1000, 1000),
    "SA": (1000, 1000),
    "MA": (500, 500),
    # Persian and Dari.
    "IR": (500, 500),
    "AF": (1500, 1500),
    # Somali names (names-dataset has no Somalia; Djibouti and Ethiopia carry them).
    "DJ": (500, 500),
    "ET": (500, 500),
}

LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]{3,}(?:-[A-Za-zÀ-ÖØ-öø-ɏ]{2,})*")
ARABIC = re.compile(r"[\u0621-\u064a\u0671-\u06d3]{2,}")
# Two-letter names are kept only where they are real and frequent.
SHORT_NAMES = {"bo", "li", "ek", "ali"}

# Words that the source data has as names (people write them in the name field) but
# that are far more often something else; the area's own place names; and in Arabic,
# "father of", "mother of", "son of" and function words.
NOT_NAMES = set(
    [
        "hej",
        "hejsan",
        "tack",
        "familjen",
        "fröken",
        "fru",
        "herr",
        "restaurang",
        "kapten",
        "förnamn",
        "efternamn",
        "namn",
        "mitt",
        "privat",
        "kungen",
        "spel",
        "salong",
        "banan",
        "lampa",
        "trygg",
        "sommar",
        "krona",
        "polis",
        "polisen",
        "kommun",
        "kommunen",
        "sanden",
        "torpa",
        "vänersborg",
        "trollhättan",
        "skräcklan",
        "göteborg",
        "stockholm",
        "sverige",
        "dalsland",
        "nordstan",
        "brätte",
        "onsjö",
        "öxnered",
        "vargön",
        "halleberg",
        "hunneberg",
        "blåsut",
        "norra",
        "södra",
        "centrum",
        "hamnen",
        "stationen",
        "torget",
        "parken",
        "the",
        "and",
        "for",
        "you",
        "love",
        "mom",
        "dad",
        "baby",
        "miss",
        "mister",
        "lady",
        "king",
        "queen",
        "prince",
        "boss",
        "doctor",
        "admin",
        "info",
        "page",
        "shop",
        "store",
        "city",
        "love",
        "team",
        "music",
        "art",
        "group",
        "official",
        "ابو",
        "أبو",
        "ام",
        "أم",
        "بن",
        "ابن",
        "بنت",
        "بنت",
        "عبد",
        "ال",
        "في",
        "من",
        "على",
        "الى",
        "إلى",
        "عن",
        "مع",
        "هذا",
        "هذه",
        "انا",
        "أنا",
    ]
)

# names-dataset counts adults' accounts, so the names that children and teenagers in
# Sweden have are short in it. These have been among the most frequent names given to
# newborns in Sweden since 2000, in Statistics Sweden's yearly lists; written by hand.
YOUNG_SWEDISH_NAMES = [
    "alice",
    "maja",
    "elsa",
    "ella",
    "wilma",
    "alma",
    "ebba",
    "saga",
    "olivia",
    "astrid",
    "vera",
    "selma",
    "agnes",
    "ellie",
    "freja",
    "stella",
    "signe",
    "juni",
    "leah",
    "lilly",
    "nova",
    "ines",
    "liv",
    "elvira",
    "ellen",
    "moa",
    "linnea",
    "klara",
    "julia",
    "emma",
    "hanna",
    "ida",
    "matilda",
    "felicia",
    "amanda",
    "elin",
    "tilda",
    "tyra",
    "thea",
    "siri",
    "lova",
    "alva",
    "edith",
    "majken",
    "william",
    "liam",
    "noah",
    "hugo",
    "lucas",
    "oliver",
    "oscar",
    "elias",
    "adam",
    "matteo",
    "nils",
    "alexander",
    "leo",
    "vincent",
    "theo",
    "arvid",
    "ludvig",
    "charlie",
    "gustav",
    "elton",
    "olle",
    "viggo",
    "melvin",
    "harry",
    "alfred",
    "loke",
    "sixten",
    "malte",
    "edvin",
    "isak",
    "axel",
    "filip",
    "emil",
    "anton",
    "viktor",
    "albin",
    "jacob",
    "love",
    "ebbe",
    "sam",
    "frank",
    "vidar",
    "valter",
    "levi",
    "ville",
    "alvin",
    "wilhelm",
    "otto",
    "folke",
    "josef",
    "melker",
    "colin",
    "kevin",
]

# The first names frequent enough to be read as a name even next to an ordinary word.
FREQUENT = {"SE": 600, "GB": 200, "US": 200, "NO": 100, "DK": 100, "FI": 100, "DE": 100}

# Names that are also ordinary words but that the word lists miss: English months and
# days (capitalised there), Vera ("true" in Latin and in set phrases), and Arabic names
# that are everyday words ("light", "hope", "peace", "generous", "beautiful", "happy",
# "good", "morning", "joy", "safe", "just", and the words of greetings: "the good", "the
# light", "evening").
EXTRA_NAME_WORDS = set(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "vera",
        "نور",
        "أمل",
        "امل",
        "سلام",
        "كريم",
        "جميل",
        "جميلة",
        "سعيد",
        "سعيدة",
        "حسن",
        "صباح",
        "فرح",
        "أمين",
        "امين",
        "عادل",
        "منى",
        "هدى",
        "رحمة",
        "نجاح",
        "وفاء",
        "ضياء",
        "سلمى",
        "أمان",
        "امان",
        "بشرى",
        "هناء",
        "سناء",
        "رجاء",
        "حنان",
        "إيمان",
        "ايمان",
        "فرحة",
        "سالم",
        "الخير",
        "النور",
        "مساء",
    ]
)


def read_ranked(path: Path) -> dict[str, list[str]]:
    with gzip.open(path) as f:
        data = pickle.load(f)  # noqa: S301 (a file from a known package, read by hand)
    ranked: dict[str, list[tuple[int, str]]] = {}
    for name, info in data.items():
        for country, rank in info["rank"].items():
            if country in COUNTRIES and rank is not None:
                ranked.setdefault(country, []).append((rank, name))
    return {country: [name for _, name in sorted(pairs)] for country, pairs in ranked.items()}


def usable(name: str) -> str | None:
    key = name.casefold()
    if key in NOT_NAMES:
        return None
    if LATIN.fullmatch(name) or ARABIC.fullmatch(name) or key in SHORT_NAMES:
        return key
    return None


def ordinary_words() -> set[str]:
    words = set()
    for path, encoding in [
        ("/usr/share/dict/swedish", "latin-1"),
        ("/usr/share/dict/american-english", "utf-8"),
        ("/usr/share/dict/british-english", "utf-8"),
    ]:
        for line in Path(path).read_text(encoding=encoding).splitlines():
            if line[:1].islower():
                words.add(line.casefold())
    return words


def write(name: str, entries: set[str], note: str) -> None:
    lines = [f"# {line}" for line in note.splitlines()] + sorted(entries)
    (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(wheel: Path) -> None:
    first_ranked = read_ranked(wheel / "names_dataset/v3/first_names.pkl.gz")
    last_ranked = read_ranked(wheel / "names_dataset/v3/last_names.pkl.gz")
    first: set[str] = set()
    last: set[str] = set()
    for country, (first_count, last_count) in COUNTRIES.items():
        first.update(filter(None, map(usable, first_ranked.get(country, [])[:first_count])))
        last.update(filter(None, map(usable, last_ranked.get(country, [])[:last_count])))
    first.update(YOUNG_SWEDISH_NAMES)
    frequent = {
        key
        for country, count in FREQUENT.items()
        for key in map(usable, first_ranked[country][:count])
        if key is not None
    }
    words = ordinary_words()
    source = (
        "Derived by derive.py from names-dataset 3.3.1 (Apache License 2.0),\n"
        "the most frequent names per country; lower-cased, one a line."
    )
    first_source = source + "\nWith names frequent among children in Sweden (YOUNG_SWEDISH_NAMES)."
    write("first_names.txt", first, "First names. " + first_source)
    write("surnames.txt", last, "Surnames. " + source)
    write(
        "frequent_first_names.txt",
        frequent & words,
        "First names in name_words.txt that are among the most frequent in Sweden and\n"
        "its neighbours and in English (FREQUENT in derive.py).",
    )
    write(
        "name_words.txt",
        {name for name in first | last if name in words or name in EXTRA_NAME_WORDS},
        "Names in first_names.txt or surnames.txt that are also ordinary Swedish or\n"
        "English words (Debian's wswedish, wamerican, wbritish word lists), and\n"
        "the months, days and Arabic everyday words listed in derive.py.",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
