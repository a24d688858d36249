"""Live results walls at events: which questions a wall may show, and the figures it shows.

A wall's figures come from the results' own summary (every suppression rule applies)
and are kept on the wall's row. They move on only when at least k (the
organisation's threshold) new responses have arrived at the point since the figures
kept, so that nobody watching the screen can read one person's answer off a change;
every screen and every server worker shows the kept state. docs/walls.md explains.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa

from ..accounts.models import User
from ..audit.log import record
from ..collection.models import CollectionPoint, Response
from ..database import utcnow
from ..extensions import db
from ..i18n import N_
from ..results.filters import Filters
from ..results.summary import NotPublished, Thresholds, summarise
from .models import Wall

# Questions whose answers are a few fixed values, drawn as bars. Never free text,
# numbers, dates, places, photos or groups.
CHOICE_TYPES = ("single", "multi", "yesno", "scale")
MAX_QUESTIONS = 2
# Why a question on the wall shows no figures although the wall has stepped: the
# point's questionnaire no longer asks it.
NOT_ASKED = "not_asked"


class WallError(ValueError):
    """Questions a wall cannot show; ``problems`` by field, each an English template
    with its values, so that a page can show it in its language."""

    def __init__(self, template: str, **values):
        self.template, self.values = template, values
        super().__init__(template.format(**values))

    @property
    def problems(self) -> dict[str, list[tuple[str, dict]]]:
        return {"questions": [(self.template, self.values)]}


def choice_questions(definition: dict) -> list[dict]:
    """The questions of a definition a wall may show: the top-level choice questions
    (a group's questions are answered once per entry, not once per person)."""
    return [q for q in definition["questions"] if q["type"] in CHOICE_TYPES]


def check_questions(point: CollectionPoint, question_ids: list[str]) -> list[str]:
    """The chosen questions, in the definition's order; WallError if they cannot be shown."""
    definition = point.served_version.definition
    by_id = {q["id"]: q for q in definition["questions"]}
    for sub in (s for q in definition["questions"] for s in q.get("questions", ())):
        by_id.setdefault(sub["id"], sub)
    chosen = list(dict.fromkeys(question_ids))
    if not chosen:
        raise WallError(N_("Choose one or two questions."))
    if len(chosen) > MAX_QUESTIONS:
        raise WallError(N_("Choose at most two questions: more would not fit on the screen."))
    for question_id in chosen:
        question = by_id.get(question_id)
        if question is None:
            raise WallError(N_("The questionnaire has no question {id}."), id=question_id[:64])
        if question not in choice_questions(definition):
            raise WallError(
                N_(
                    "Only choice, yes/no and scale questions can be shown on a wall; "
                    "{id} is not one."
                ),
                id=question_id,
            )
    order = [q["id"] for q in definition["questions"]]
    return sorted(chosen, key=order.index)


def _audit_details(wall: Wall) -> dict:
    return {"point": wall.collection_point_id, "questions": list(wall.question_ids)}


def wall_subject(wall: Wall) -> str:
    """How the audit log names a wall: its point's number and name."""
    return f"{wall.point.id} {wall.point.name}"


def create_wall(point: CollectionPoint, question_ids: list[str], actor: User) -> Wall:
    """A new wall for the point at a new unguessable address; recorded."""
    wall = Wall(
        organisation_id=point.organisation_id,
        collection_point_id=point.id,
        point=point,
        token=secrets.token_urlsafe(16),  # 22 characters, 128 bits
        question_ids=check_questions(point, question_ids),
        created_by_id=actor.id,
    )
    db.session.add(wall)
    db.session.flush()
    record(actor, "wall.created", wall_subject(wall), _audit_details(wall))
    return wall


def change_wall(wall: Wall, question_ids: list[str], actor: User) -> bool:
    """Show other questions; False when they are the same. The figures kept are
    cleared but their count stays: the new questions appear after k more answers, or
    at once if the wall never showed figures, so a change can single nobody out."""
    chosen = check_questions(wall.point, question_ids)
    if chosen == list(wall.question_ids):
        return False
    wall.question_ids = chosen
    wall.shown = None
    record(actor, "wall.changed", wall_subject(wall), _audit_details(wall))
    db.session.flush()
    return True


def remove_wall(wall: Wall, actor: User) -> None:
    record(actor, "wall.removed", wall_subject(wall), _audit_details(wall))
    db.session.delete(wall)
    db.session.flush()


def list_walls(org_id: int) -> list[Wall]:
    found = db.session.execute(
        sa.select(Wall)
        .where(Wall.organisation_id == org_id)
        .options(sa.orm.joinedload(Wall.point))
        .order_by(Wall.created_at.desc(), Wall.id.desc())
    )
    return list(found.scalars())


def find_wall(org_id: int, wall_id: int) -> Wall | None:
    if not 0 < wall_id < 2**31:
        return None
    return db.session.execute(
        sa.select(Wall).filter_by(organisation_id=org_id, id=wall_id)
    ).scalar_one_or_none()


def find_wall_by_token(token: str) -> Wall | None:
    if not 16 <= len(token) <= 32:
        return None
    return db.session.execute(sa.select(Wall).filter_by(token=token)).scalar_one_or_none()


# --- the figures --------------------------------------------------------------


def responses_at(point_id: int) -> int:
    """How many responses the point has: one indexed count, asked on every poll."""
    counted = sa.select(sa.func.count()).select_from(Response)
    return db.session.execute(counted.where(Response.collection_point_id == point_id)).scalar_one()


def figures(wall: Wall, thresholds: Thresholds, time_zone: str) -> dict:
    """The wall's questions as the results show them now, suppressed, in every
    language: what a step keeps in ``Wall.shown``."""
    point = wall.point
    try:
        summary = summarise(point.questionnaire, Filters(point=point.id), thresholds, time_zone)
    except NotPublished:
        summary = None
    found = {q.id: q for q in summary.questions} if summary else {}
    questions = []
    for question_id in wall.question_ids:
        question = found.get(question_id)
        if question is None:
            questions.append({"id": question_id, "withheld": NOT_ASKED, "cells": []})
            continue
        questions.append(
            {
                "id": question.id,
                "type": question.type,
                "label": question.label,
                "total": question.total,
                "withheld": question.withheld,
                "cells": [asdict(cell) for cell in question.cells],
            }
        )
    return {
        "question_ids": list(wall.question_ids),
        "k": thresholds.k,
        "total": summary.total if summary else None,
        "withheld": summary.withheld if summary else NOT_ASKED,
        "questions": questions,
    }


def step(wall: Wall, old_count: int, new_count: int, shown: dict, now: datetime) -> bool:
    """Keep new figures, unless another worker stepped since ``old_count`` was read:
    then nothing changes and False. The condition makes the step happen once."""
    result = db.session.execute(
        sa.update(Wall)
        .where(Wall.id == wall.id, Wall.shown_count == old_count)
        .values(shown_count=new_count, shown=shown, shown_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(wall)
    return result.rowcount == 1


def step_due(wall: Wall, count: int, k: int) -> bool:
    """Whether the figures may move on: at least k new responses since those kept
    (a new wall keeps none: it steps at k)."""
    return count >= wall.shown_count + k


def current(wall: Wall, thresholds: Thresholds, time_zone: str) -> dict | None:
    """The figures every screen shows now (None: waiting for more answers), stepping
    first when enough new responses have arrived."""
    count = responses_at(wall.collection_point_id)
    if step_due(wall, count, thresholds.k):
        shown = figures(wall, thresholds, time_zone)
        # Counted after the summary: the figures hold at most this many responses, so
        # the next step's figures hold at least k more than these.
        step(wall, wall.shown_count, responses_at(wall.collection_point_id), shown, utcnow())
    shown = wall.shown
    # A change of questions while a worker was stepping: those figures are of others.
    if shown is None or shown.get("question_ids") != list(wall.question_ids):
        return None
    return shown
