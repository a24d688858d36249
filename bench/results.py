"""Benchmark: how long the results' figures take to compute, cold and warm.

Times ``summarise()`` in-process (no HTTP) on a database the export benchmark's
``generate()`` filled, with no filter and with two filters (area and from), first
cold (nothing kept from an earlier request) and then warm. Generating 100,000
responses takes minutes, so the database is kept between runs: pass ``--generate``
once to fill an empty one.

    .venv/bin/python bench/results.py sqlite:////tmp/results.sqlite --generate
    .venv/bin/python bench/results.py postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date, timedelta

from export import SLUG, generate
from harness import SECRET

from surveyservice import create_app
from surveyservice.results import cube, summary
from surveyservice.results.filters import Filters


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, run) -> None:
    wall, used = time.perf_counter(), cpu()
    run()
    print(f"  {label}: {time.perf_counter() - wall:.2f} s wall, {cpu() - used:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if args.generate:
        generate(args.url, args.responses)

    from sqlalchemy import select

    from surveyservice.extensions import db
    from surveyservice.questionnaires.models import Questionnaire
    from surveyservice.results.settings import thresholds_for

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": SECRET})
    views = {
        "no filter": Filters(),
        "two filters": Filters(area="Torpa", since=date.today() - timedelta(days=180)),
    }
    with app.app_context():
        questionnaire = db.session.execute(
            select(Questionnaire).where(Questionnaire.slug == SLUG)
        ).scalar_one()
        org = questionnaire.organisation
        thresholds = thresholds_for(org)

        def run(filters: Filters) -> None:
            summary.summarise(questionnaire, filters, thresholds, org.time_zone)

        # Before this change nothing was kept, so there is nothing to forget.
        forget = getattr(cube, "forget_cubes", lambda: None)
        for _ in range(args.repeat):
            for name, filters in views.items():
                forget()
                timed(f"{name}, cold", lambda f=filters: run(f))
                timed(f"{name}, warm", lambda f=filters: run(f))


if __name__ == "__main__":
    main()
