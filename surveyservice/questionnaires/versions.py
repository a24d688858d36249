"""Questionnaires and their versions: drafts that can be replaced, versions that never change."""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import func, select

from ..accounts.models import Organisation
from ..database import utcnow
from ..extensions import db
from ..text import parse_whole_number
from .definition import DefinitionError, content_hash, validate_definition
from .models import Questionnaire, QuestionnaireVersion, VersionStatus


class VersionConflict(Exception):
    """The change contradicts what is stored (a draft exists, nothing to publish, ...)."""


class VersionNotFound(LookupError):
    pass


def list_questionnaires(org_id: int) -> list[Questionnaire]:
    return list(
        db.session.execute(
            select(Questionnaire).filter_by(organisation_id=org_id).order_by(Questionnaire.slug)
        ).scalars()
    )


def find_questionnaire(org_id: int, slug: str) -> Questionnaire | None:
    return db.session.execute(
        select(Questionnaire).filter_by(organisation_id=org_id, slug=slug)
    ).scalar_one_or_none()


def _checked(questionnaire: Questionnaire | None, data: dict) -> tuple[dict, str]:
    definition = validate_definition(data)
    if questionnaire is not None and definition["slug"] != questionnaire.slug:
        raise DefinitionError(
            {"slug": [f"This is the questionnaire {questionnaire.slug!r}; the slug cannot change."]}
        )
    return definition, content_hash(definition)


def create_questionnaire(org: Organisation, data: dict) -> Questionnaire:
    """Create a questionnaire whose first draft is the given definition."""
    definition, digest = _checked(None, data)
    if find_questionnaire(org.id, definition["slug"]) is not None:
        raise VersionConflict(f"A questionnaire with the slug {definition['slug']!r} exists.")
    questionnaire = Questionnaire(organisation_id=org.id, slug=definition["slug"])
    questionnaire.versions.append(
        QuestionnaireVersion(status=VersionStatus.DRAFT, definition=definition, content_hash=digest)
    )
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def save_draft(questionnaire: Questionnaire, data: dict) -> tuple[QuestionnaireVersion, bool]:
    """Create the draft or replace its definition; says whether it was created."""
    definition, digest = _checked(questionnaire, data)
    draft = questionnaire.draft
    created = draft is None
    if created:
        draft = QuestionnaireVersion(status=VersionStatus.DRAFT)
        questionnaire.versions.append(draft)
    draft.definition = definition
    draft.content_hash = digest
    draft.created_at = utcnow()
    db.session.flush()
    return draft, created


def discard_draft(questionnaire: Questionnaire) -> None:
    draft = questionnaire.draft
    if draft is None:
        raise VersionNotFound(f"{questionnaire.slug} has no draft.")
    if not questionnaire.published:
        raise VersionConflict(
            f"{questionnaire.slug} has never been published: its draft is all it has."
        )
    questionnaire.versions.remove(draft)
    db.session.delete(draft)
    db.session.flush()


def _lock(questionnaire: Questionnaire) -> None:
    # Two publishers at once must not both take the next number (PostgreSQL locks the
    # row; SQLite writes one transaction at a time anyway).
    db.session.execute(select(Questionnaire.id).filter_by(id=questionnaire.id).with_for_update())
    # What another publisher did before we got the lock counts: read the versions anew.
    db.session.expire(questionnaire, ["versions"])


def _next_number(questionnaire: Questionnaire) -> int:
    current = db.session.execute(
        select(func.max(QuestionnaireVersion.number)).filter_by(questionnaire_id=questionnaire.id)
    ).scalar_one()
    return (current or 0) + 1


def _refuse_unchanged(questionnaire: Questionnaire, digest: str) -> None:
    latest = questionnaire.latest
    if latest is not None and latest.content_hash == digest:
        raise VersionConflict(
            f"The definition is the same as version {latest.number}; nothing to publish."
        )


def publish_draft(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Freeze the draft as the next numbered version."""
    _lock(questionnaire)
    draft = questionnaire.draft
    if draft is None:
        raise VersionNotFound(f"{questionnaire.slug} has no draft to publish.")
    _refuse_unchanged(questionnaire, draft.content_hash)
    draft.number = _next_number(questionnaire)
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = utcnow()
    db.session.flush()
    return draft


def publish_definition(questionnaire: Questionnaire, data: dict) -> QuestionnaireVersion:
    """Publish a definition directly, leaving any draft in progress alone."""
    definition, digest = _checked(questionnaire, data)
    _lock(questionnaire)
    _refuse_unchanged(questionnaire, digest)
    now = utcnow()
    version = QuestionnaireVersion(
        status=VersionStatus.PUBLISHED,
        number=_next_number(questionnaire),
        definition=definition,
        content_hash=digest,
        created_at=now,
        published_at=now,
    )
    questionnaire.versions.append(version)
    db.session.flush()
    return version


# Published versions never change, so a process may keep their parsed definitions:
# a cache of immutable data keyed by content, never state that differs between workers.
_DEFINITIONS: OrderedDict[str, dict] = OrderedDict()
_DEFINITIONS_KEPT = 64


def published_definition(version_id: int, content_hash: str) -> dict:
    """A published version's definition (read-only: callers must not change it)."""
    definition = _DEFINITIONS.get(content_hash)
    if definition is None:
        definition = db.session.execute(
            select(QuestionnaireVersion.definition).filter_by(id=version_id)
        ).scalar_one()
        _DEFINITIONS[content_hash] = definition
        while len(_DEFINITIONS) > _DEFINITIONS_KEPT:
            _DEFINITIONS.popitem(last=False)
    return definition


def get_version(questionnaire: Questionnaire, ref: str | int) -> QuestionnaireVersion:
    """A version by its number, or the draft by the word 'draft'."""
    if ref == "draft":
        version = questionnaire.draft
    else:
        number = ref if isinstance(ref, int) else parse_whole_number(str(ref))
        version = next((v for v in questionnaire.published if v.number == number), None)
    if version is None:
        raise VersionNotFound(f"{questionnaire.slug} has no version {ref}.")
    return version
