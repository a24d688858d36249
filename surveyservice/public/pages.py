"""An area's public page: its address, what it publishes, and the deliberate publish.

The public never sees the live data: ``/a/<slug>`` is drawn from the latest
Publication's content, which ``publish`` takes from ``content.build_content`` at that
moment and keeps for good. A coordinator previews the live content first; later changes
(an observation marked public, a new promise, more answers) wait for the next publish.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..areas.models import Area
from ..audit.log import record
from ..database import utcnow
from ..extensions import db
from ..i18n import N_
from ..questionnaires.models import Questionnaire
from ..questionnaires.versions import list_questionnaires
from .content import build_content
from .models import Publication, PublicPage

SLUG_LENGTH = 60  # PublicPage.slug's column
# More rows than a page can usefully show would only make it long on a phone.
MAX_SELECTIONS = 10
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


# --- the address ----------------------------------------------------------------


def slug_base(name: str) -> str:
    """The address part made from an area's name: "Västra Sanden" -> "vastra-sanden"."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    # Room for a "-2" after it; a name of no Latin letters at all gets a plain word.
    return slug[: SLUG_LENGTH - 6].strip("-") or "area"


def _slug_taken(slug: str) -> bool:
    return db.session.execute(select(PublicPage.id).filter_by(slug=slug)).first() is not None


def free_slug(name: str) -> str:
    """A slug no page of any organisation has: the name's, else with -2, -3, …"""
    base = slug_base(name)
    slug, number = base, 1
    while _slug_taken(slug):
        number += 1
        slug = f"{base}-{number}"
    return slug


def find_page(area: Area) -> PublicPage | None:
    return db.session.execute(select(PublicPage).filter_by(area_id=area.id)).scalar_one_or_none()


def page_for(area: Area) -> PublicPage:
    """The area's page, made on first use with a slug from the area's current name.

    The slug is kept when the area is renamed: posters with the address or its QR code
    are already printed. Two coordinators making the same page at once get one page."""
    page = find_page(area)
    if page is not None:
        return page
    for _attempt in range(5):
        page = PublicPage(
            organisation_id=area.organisation_id,
            area_id=area.id,
            slug=free_slug(area.name),
            results=[],
        )
        try:
            with db.session.begin_nested():
                db.session.add(page)
        except IntegrityError:
            # Another request took this area's page or this slug in between.
            found = find_page(area)
            if found is not None:
                return found
            continue
        return page
    raise RuntimeError("could not find a free address for the area's page")


def unsaved_page(area: Area) -> PublicPage:
    """The page an area would have, for a preview before its first save (not stored)."""
    return PublicPage(organisation_id=area.organisation_id, area=area, slug="", results=[])


def find_page_by_slug(slug: str) -> PublicPage | None:
    if len(slug) > SLUG_LENGTH:
        return None
    return db.session.execute(select(PublicPage).filter_by(slug=slug)).scalar_one_or_none()


# --- what the page publishes ------------------------------------------------------


def publishable_questionnaires(organisation_id: int) -> list[Questionnaire]:
    """The organisation's questionnaires with a published version: those with results."""
    return [q for q in list_questionnaires(organisation_id) if q.published]


@dataclass
class SelectionForm:
    """The rows of the page's results as typed, and the problems by row and field."""

    rows: list[dict[str, str]]
    problems: dict[tuple[int, str], str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems or self.general)


def _day(text: str) -> tuple[date | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, N_("Write the date as YYYY-MM-DD, such as 2026-06-01.")
    if not FIRST_DAY <= day <= LAST_DAY:
        return None, N_("Give a date between 2000 and 2100.")
    return day, None


def read_selections(
    organisation_id: int, rows: list[dict[str, str]]
) -> tuple[SelectionForm, list[dict[str, Any]]]:
    """The rows checked: the form with its problems, and the selections to store
    (meaningful only when there are none). An empty row, or one marked to remove, is
    left out; a questionnaire must be the organisation's and have a published version."""
    form = SelectionForm(rows)
    by_slug = {q.slug: q for q in publishable_questionnaires(organisation_id)}
    selections: list[dict[str, Any]] = []
    seen: set[tuple[int, str | None, str | None]] = set()
    for index, row in enumerate(rows):
        slug = row.get("questionnaire", "").strip()
        since_text, until_text = row.get("since", ""), row.get("until", "")
        if row.get("remove") or not (slug or since_text.strip() or until_text.strip()):
            continue
        questionnaire = by_slug.get(slug)
        if not slug:
            form.problems[(index, "questionnaire")] = N_("Choose a questionnaire.")
        elif questionnaire is None:
            form.problems[(index, "questionnaire")] = N_(
                "Choose one of the questionnaires in the list: this one has no published "
                "version, or is not your organisation's."
            )
        since, problem = _day(since_text)
        if problem:
            form.problems[(index, "since")] = problem
        until, problem = _day(until_text)
        if problem:
            form.problems[(index, "until")] = problem
        if since and until and until < since:
            form.problems[(index, "until")] = N_("The last day cannot be before the first.")
        if questionnaire is None or (index, "since") in form.problems:
            continue
        if (index, "until") in form.problems:
            continue
        chosen = {
            "questionnaire_id": questionnaire.id,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        }
        key = (questionnaire.id, chosen["since"], chosen["until"])
        if key in seen:
            form.problems[(index, "questionnaire")] = N_(
                "This questionnaire is already chosen for the same days above."
            )
            continue
        seen.add(key)
        selections.append(chosen)
    if len(selections) > MAX_SELECTIONS:
        form.general.append(N_("Choose at most {limit} questionnaires and periods."))
    return form, selections


def rows_of(page: PublicPage | None) -> list[dict[str, str]]:
    """The page's stored selections as the form's rows."""
    if page is None:
        return []
    slugs = dict(
        db.session.execute(
            select(Questionnaire.id, Questionnaire.slug).filter_by(
                organisation_id=page.organisation_id
            )
        ).all()
    )
    return [
        {
            "questionnaire": slugs.get(_as_id(selection.get("questionnaire_id")), ""),
            "since": selection.get("since") or "",
            "until": selection.get("until") or "",
        }
        for selection in _stored_selections(page)
    ]


def _stored_selections(page: PublicPage) -> list[dict]:
    """The page's selections that have the stored shape (the column is JSON: a hand
    edit could leave anything there)."""
    stored = page.results if isinstance(page.results, list) else []
    return [selection for selection in stored if isinstance(selection, dict)]


def _as_id(value: Any) -> int | None:
    return value if type(value) is int else None


def set_results(page: PublicPage, selections: list[dict[str, Any]], user: User) -> bool:
    """Store what the next publish includes; True (and an audit entry) when it changed."""
    if list(page.results or []) == selections:
        return False
    page.results = selections
    record(
        user,
        "public_page.changed",
        page.area.name,
        {"area_id": page.area_id, "results": len(selections)},
    )
    return True


# --- previewing and publishing ------------------------------------------------------


def _as_stored(content: dict) -> dict:
    # What a JSON column gives back: the same comparison before and after storing.
    return json.loads(json.dumps(content))


def _block_key(block: dict) -> tuple:
    return block.get("questionnaire"), block.get("since"), block.get("until")


# Why a block of results is not shown on this publication: its figures would differ
# from figures shown before (or beside it) by fewer than k answers.
HELD_BACK = "held_back"


def _last_shown_blocks(page: PublicPage) -> list[dict]:
    """Every result block with figures that a publication of the page showed, the
    latest publication first."""
    return [
        block
        for publication in publications(page)  # the latest first
        for block in publication.content.get("results", [])
        if block.get("total") is not None
    ]


def _overlap(one: dict, other: dict) -> bool:
    """Whether two blocks' periods share a day (an open end reaches every day).
    Dates are ISO strings, which compare as the days do."""
    return (one.get("since") or "") <= (other.get("until") or "9999") and (
        other.get("since") or ""
    ) <= (one.get("until") or "9999")


def _too_close(total: int, other: int | None, k: int) -> bool:
    return other is not None and 0 < abs(total - other) < k


def _withheld(block: dict) -> dict:
    return {**block, "total": None, "withheld": HELD_BACK, "questions": []}


def _wall_counts(page: PublicPage) -> dict[str, list[int]]:
    """The answer counts the area's results walls show or showed last (also a wall
    since removed), by questionnaire slug: a wall on the area's only point shows the
    page's figures under another name."""
    # Imported here: a point's model is collection's; the page only reads its count.
    from ..collection.models import CollectionPoint

    rows = db.session.execute(
        select(Questionnaire.slug, CollectionPoint.walls_shown_count)
        .join(Questionnaire, CollectionPoint.questionnaire_id == Questionnaire.id)
        .where(CollectionPoint.area_id == page.area_id, CollectionPoint.walls_shown_count > 0)
    ).all()
    counts: dict[str, list[int]] = {}
    for slug, count in rows:
        counts.setdefault(slug, []).append(count)
    return counts


def _settle(block: dict, before: list[dict], beside: list[dict], walls: list[int]) -> dict:
    """The block as it may be shown: its earlier figures again when only a few answers
    came in since they were published, else withheld when its figures would differ by
    fewer than k answers from any figures of the questionnaire shown for overlapping
    days (on this page before, beside it now, or on a results wall in the area)."""
    total, k = block.get("total"), block.get("k") or 1
    if total is None:
        return block
    same = [b for b in before if b.get("questionnaire") == block.get("questionnaire")]
    exact = next((b for b in same if _block_key(b) == _block_key(block)), None)
    if exact is not None and _too_close(total, exact["total"], k):
        # Figures suppressed under a smaller threshold than today's are not shown again.
        if exact.get("k", 0) < k:
            return _withheld(block)
        block = exact
    others = [
        b
        for b in (*same, *beside)
        if b is not exact
        and b.get("questionnaire") == block.get("questionnaire")
        and b.get("total") is not None
        and _overlap(b, block)
    ]
    if any(_too_close(block["total"], other["total"], k) for other in others):
        return _withheld(block)
    if any(_too_close(block["total"], count, k) for count in walls):
        return _withheld(block)
    return block


def settled(content: dict, page: PublicPage) -> dict:
    """The content with each questionnaire's results moved on only by whole groups.

    Whoever keeps a page and reads the next one learns the answers that arrived in
    between from the difference (docs/results.md, "Results that change"); so does
    whoever reads two blocks of one questionnaire over overlapping days, or a block
    beside a results wall. So a block whose number of answers differs by 1 to k-1
    from the last figures published for it keeps those figures until at least k more
    (or fewer) answers make the difference, and a block that would differ so little
    from other figures shown is withheld."""
    before = _last_shown_blocks(page)
    walls = _wall_counts(page)
    blocks: list[dict] = []
    for block in content.get("results", []):
        blocks.append(_settle(block, before, blocks, walls.get(block.get("questionnaire"), [])))
    return {**content, "results": blocks}


def preview(page: PublicPage) -> dict:
    """The page as it would be published now: from the live data, its results moved
    on only by whole groups since the last publication."""
    return settled(_as_stored(build_content(page)), page)


def latest_publication(page: PublicPage | None) -> Publication | None:
    if page is None or page.id is None:
        return None
    return db.session.execute(
        select(Publication).filter_by(page_id=page.id).order_by(Publication.number.desc()).limit(1)
    ).scalar_one_or_none()


def publications(page: PublicPage | None) -> list[Publication]:
    """Every published state of the page, the latest first."""
    if page is None or page.id is None:
        return []
    return list(
        db.session.execute(
            select(Publication).filter_by(page_id=page.id).order_by(Publication.number.desc())
        ).scalars()
    )


def find_publication(page: PublicPage | None, number: int) -> Publication | None:
    if page is None or page.id is None or not 0 < number < 2**31:
        return None
    return db.session.execute(
        select(Publication).filter_by(page_id=page.id, number=number)
    ).scalar_one_or_none()


def publish(page: PublicPage, user: User, now: datetime | None = None) -> Publication:
    """Publish the page as it is now: a new numbered Publication with its whole content.

    The page's row is locked first (on PostgreSQL), so two publishes at once are
    numbered one after the other rather than colliding."""
    db.session.execute(select(PublicPage.id).filter_by(id=page.id).with_for_update())
    number = (
        db.session.execute(
            select(func.max(Publication.number)).filter_by(page_id=page.id)
        ).scalar_one()
        or 0
    ) + 1
    publication = Publication(
        page_id=page.id,
        number=number,
        published_at=now or utcnow(),
        published_by_id=user.id,
        content=preview(page),
    )
    db.session.add(publication)
    record(
        user,
        "public_page.published",
        page.area.name,
        {"area_id": page.area_id, "number": number},
    )
    db.session.flush()
    return publication


# --- where a page stands ------------------------------------------------------------


@dataclass
class PageState:
    """An area's page as the coordinators' list shows it."""

    area: Area
    page: PublicPage | None
    latest: Publication | None
    publisher: str | None
    # The live content differs from the latest publication's: it waits for a publish.
    waiting: bool

    @property
    def published(self) -> bool:
        return self.latest is not None


def publisher_email(publication: Publication | None) -> str | None:
    if publication is None or publication.published_by_id is None:
        return None
    user = db.session.get(User, publication.published_by_id)
    return user.email if user else None


def state_of(area: Area, page: PublicPage | None) -> PageState:
    latest = latest_publication(page)
    waiting = latest is not None and preview(page) != latest.content
    return PageState(area, page, latest, publisher_email(latest), waiting)


def states(organisation_id: int, areas: list[Area]) -> list[PageState]:
    """Each area's page, published or not, and whether changes wait for a publish."""
    pages = {
        page.area_id: page
        for page in db.session.execute(
            select(PublicPage).filter_by(organisation_id=organisation_id)
        ).scalars()
    }
    return [state_of(area, pages.get(area.id)) for area in areas]


def published_page_of_area(area_id: int) -> PublicPage | None:
    """The area's page when it has been published at least once."""
    return db.session.execute(
        select(PublicPage)
        .filter_by(area_id=area_id)
        .where(select(Publication.id).filter_by(page_id=PublicPage.id).exists())
    ).scalar_one_or_none()
