"""Live results walls at events: which questions a wall may show, and the figures it shows.

A wall's figures come from the results' own summary (every suppression rule applies)
and are kept on the wall's row. They move on only when at least k (the
organisation's threshold) new responses have arrived at the point since the figures
kept, so that nobody watching the screen can read one person's answer off a change;
every screen and every server worker shows the kept state. All the walls of a point
step together at the same counts, kept on the point, so that comparing two screens
(or one made again after a removal) gives nothing away either. docs/walls.md explains.
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
        # Where the point's walls are: its first figures come with their next step,
        # so that it never shows a state between two of theirs.
        shown_count=point.walls_shown_count,
    )
    db.session.add(wall)
    db.session.flush()
    record(actor, "wall.created", wall_subject(wall), _audit_details(wall))
    return wall


def change_wall(wall: Wall, question_ids: list[str], actor: User) -> bool:
    """Show other questions; False when they are the same. The figures kept are
    cleared but their count stays: the new questions appear with the point's walls'
    next step, after k more answers (at once if no wall of the point ever showed
    figures), so a change can single nobody out."""
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


def point_summary(point: CollectionPoint, thresholds: Thresholds, time_zone: str):
    """The results' summary of the point alone (None: nothing published): made once
    per step for all the point's walls."""
    try:
        return summarise(point.questionnaire, Filters(point=point.id), thresholds, time_zone)
    except NotPublished:
        return None


def figures_of(question_ids: list[str], summary, k: int) -> dict:
    """A wall's questions as ``summary`` shows them, suppressed, in every language:
    what a step keeps in ``Wall.shown``."""
    found = {q.id: q for q in summary.questions} if summary else {}
    questions = []
    for question_id in question_ids:
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
        "question_ids": list(question_ids),
        "k": k,
        "total": summary.total if summary else None,
        "withheld": summary.withheld if summary else NOT_ASKED,
        "questions": questions,
    }


def figures(wall: Wall, thresholds: Thresholds, time_zone: str) -> dict:
    """The wall's questions as the results show them now."""
    summary = point_summary(wall.point, thresholds, time_zone)
    return figures_of(wall.question_ids, summary, thresholds.k)


def point_walls(point_id: int) -> list[Wall]:
    return list(
        db.session.execute(
            sa.select(Wall).where(Wall.collection_point_id == point_id).order_by(Wall.id)
        ).scalars()
    )


def step(
    point: CollectionPoint, old_count: int, new_count: int, shown: dict[int, dict], now: datetime
) -> bool:
    """Move every wall of the point on to figures of ``new_count`` responses in one
    transaction (``shown`` by wall id; a wall not there waits for the next step),
    unless another worker stepped since ``old_count`` was read: then nothing changes
    and False. The condition on the point's row makes the step happen once: on
    PostgreSQL a second worker's update waits for the first's row lock and then finds
    the count moved on; SQLite lets one writer at a time."""
    moved = db.session.execute(
        sa.update(CollectionPoint)
        .where(CollectionPoint.id == point.id, CollectionPoint.walls_shown_count == old_count)
        .values(walls_shown_count=new_count)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 1:
        # Every wall of the point, also one made meanwhile, is at the new count.
        db.session.execute(
            sa.update(Wall)
            .where(Wall.collection_point_id == point.id)
            .values(shown_count=new_count, shown=None, shown_at=now)
            .execution_options(synchronize_session=False)
        )
        for wall_id, kept in shown.items():
            db.session.execute(
                sa.update(Wall)
                .where(Wall.id == wall_id, Wall.collection_point_id == point.id)
                .values(shown=kept)
                .execution_options(synchronize_session=False)
            )
    db.session.commit()
    db.session.expire_all()
    return moved.rowcount == 1


def step_due(point: CollectionPoint, count: int, k: int) -> bool:
    """Whether the point's walls may move on: at least k new responses since the
    figures they keep (a point whose walls never showed any steps at k)."""
    return count >= point.walls_shown_count + k


def current(wall: Wall, thresholds: Thresholds, time_zone: str) -> dict | None:
    """The figures every screen shows now (None: waiting for more answers), stepping
    all the point's walls first when enough new responses have arrived."""
    point = wall.point
    count = responses_at(point.id)
    if step_due(point, count, thresholds.k):
        old = point.walls_shown_count
        summary = point_summary(point, thresholds, time_zone)
        shown = {
            w.id: figures_of(w.question_ids, summary, thresholds.k) for w in point_walls(point.id)
        }
        # Counted after the summary: the figures hold at most this many responses, so
        # the next step's figures hold at least k more than these.
        step(point, old, responses_at(point.id), shown, utcnow())
    if wall.shown_count != wall.point.walls_shown_count:
        # Read on either side of another worker's step: read both again.
        db.session.refresh(wall)
        db.session.refresh(wall.point)
    shown = wall.shown
    # A change of questions while a worker was stepping: those figures are of others.
    if shown is None or shown.get("question_ids") != list(wall.question_ids):
        return None
    # Figures of another count than the point's walls show now: none.
    if wall.shown_count != wall.point.walls_shown_count:
        return None
    return shown
