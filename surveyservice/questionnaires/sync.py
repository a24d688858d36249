"""Load the questionnaire files of a folder: publish what changed, leave the rest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..accounts.models import Organisation
from .definition import DefinitionError, content_hash, parse_document, validate_definition
from .versions import create_questionnaire, find_questionnaire, publish_definition, publish_draft

PATTERNS = ("*.yaml", "*.yml", "*.json")
MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SyncResult:
    slug: str
    file: str
    action: str  # "created", "published" or "unchanged"
    number: int


class SyncError(Exception):
    """Some files are broken; nothing was changed. ``problems`` maps file to problems."""

    def __init__(self, problems: dict[str, dict[str, list[str]]]):
        self.problems = problems
        super().__init__(f"{len(problems)} file(s) have problems; nothing was changed.")


def read_folder(directory: Path) -> dict[str, tuple[Path, dict]]:
    """Every valid definition in the folder by slug, or SyncError listing every problem."""
    if not directory.is_dir():
        raise SyncError({str(directory): {"_schema": ["The folder does not exist."]}})
    paths = sorted({p for pattern in PATTERNS for p in directory.glob(pattern)})
    if not paths:
        raise SyncError({str(directory): {"_schema": ["No .yaml, .yml or .json files here."]}})
    found: dict[str, tuple[Path, dict]] = {}
    problems: dict[str, dict[str, list[str]]] = {}
    for path in paths:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise DefinitionError.whole(f"The file is larger than {MAX_FILE_BYTES} bytes.")
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise DefinitionError.whole("The file is not UTF-8 text.") from None
            definition = validate_definition(parse_document(text, path.name))
        except DefinitionError as exc:
            problems[path.name] = exc.problems
            continue
        slug = definition["slug"]
        if slug in found:
            problems[path.name] = {"slug": [f"{slug!r} is also the slug of {found[slug][0].name}."]}
            continue
        found[slug] = (path, definition)
    if problems:
        raise SyncError(problems)
    return found


def sync_folder(org: Organisation, directory: Path) -> list[SyncResult]:
    """Publish a new version of each questionnaire whose file changed; create new ones.

    All files are checked before anything is stored, so a broken file changes nothing.
    """
    results = []
    for slug, (path, definition) in read_folder(directory).items():
        questionnaire = find_questionnaire(org.id, slug)
        if questionnaire is None:
            questionnaire = create_questionnaire(org, definition)
            version = publish_draft(questionnaire)
            results.append(SyncResult(slug, path.name, "created", version.number))
        elif questionnaire.latest and questionnaire.latest.content_hash == content_hash(definition):
            results.append(SyncResult(slug, path.name, "unchanged", questionnaire.latest.number))
        else:
            version = publish_definition(questionnaire, definition)
            results.append(SyncResult(slug, path.name, "published", version.number))
    return results


def summary(results: list[SyncResult]) -> str:
    """One line, such as "Published sanden-event v3; torpa-walk unchanged (v1)."."""
    parts = []
    for r in results:
        if r.action == "unchanged":
            parts.append(f"{r.slug} unchanged (v{r.number})")
        else:
            parts.append(f"{r.action} {r.slug} v{r.number}")
    text = "; ".join(parts) + "."
    # Capitalise a leading verb, never a slug.
    return text[:1].upper() + text[1:] if results[0].action != "unchanged" else text
