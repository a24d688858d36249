"""Benchmark: how long masking personal data in residents' free text takes.

Masks 10,000 answers of 500 characters each, made of the sentences of the masking corpus
(tests/masking_corpus.txt: Swedish, English and Arabic, half of them with personal data)
in a random order, the way the service masks every free-text answer before storing it.
Reports the time for all answers and per answer, after a first call that loads the name
lists (reported apart: it happens once per worker process).

    .venv/bin/python bench/mask.py [--answers 10000] [--length 500]

Aim: 10,000 answers of 500 characters in under 5 seconds on one core, that is under
0.5 ms for an answer, so that masking is a small part of storing a submission.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveyservice.privacy.masking import mask_personal_data  # noqa: E402

AIM_SECONDS = 5
CORPUS = ROOT / "tests" / "masking_corpus.txt"
PIECE = re.compile(r"\{[a-z-]+:([^{}]+)\}")


def corpus_sentences() -> list[str]:
    sentences = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            sentences.append(PIECE.sub(r"\1", line.split("\t", 1)[1]))
    return sentences


def make_answers(count: int, length: int, seed: int = 13) -> list[str]:
    """``count`` answers of ``length`` characters, sentences of the corpus in random order."""
    sentences = corpus_sentences()
    chooser = random.Random(seed)
    answers = []
    for _ in range(count):
        parts: list[str] = []
        size = 0
        while size < length:
            sentence = chooser.choice(sentences)
            parts.append(sentence)
            size += len(sentence) + 1
        answers.append(" ".join(parts)[:length])
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=10_000, help="how many answers")
    parser.add_argument("--length", type=int, default=500, help="characters in each answer")
    args = parser.parse_args()

    answers = make_answers(args.answers, args.length)
    started = time.perf_counter()
    mask_personal_data("Kalle Andersson")
    loading = time.perf_counter() - started

    started = time.perf_counter()
    masked = [mask_personal_data(answer) for answer in answers]
    elapsed = time.perf_counter() - started

    changed = sum(a != m for a, m in zip(answers, masked, strict=True))
    print(f"First call, loading the name lists: {loading * 1000:.0f} ms")
    print(
        f"Masked {len(answers):,} answers of {args.length} characters in {elapsed:.2f} s "
        f"({elapsed / len(answers) * 1e6:.0f} µs an answer); {changed:,} had personal data."
    )
    if args.answers == 10_000 and args.length == 500:
        verdict = "within" if elapsed < AIM_SECONDS else "OVER"
        print(f"Aim: under {AIM_SECONDS} s: {verdict}.")
        if elapsed >= AIM_SECONDS:
            sys.exit(1)


if __name__ == "__main__":
    main()
