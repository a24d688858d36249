"""flask export SLUG -o FILE: the API's exports, written to a file."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ...accounts.models import Organisation
from ...audit.log import record
from ...collection.models import Channel, PointKind
from ...extensions import db
from ...questionnaires.models import Questionnaire
from ..selection import FilterError, resolve_filters
from .dictionary import dictionary_header, dictionary_rows
from .writing import (
    DIALECT_NAMES,
    DIALECTS,
    FORMATS,
    LABELS,
    LAYOUTS,
    Cells,
    Counted,
    ExportOptions,
    TooManyRows,
    csv_chunks,
    export_plan,
    fetch_rows,
    header,
    responses_query,
    table_rows,
    write_xlsx,
    yes_no_words,
)


def find_questionnaire(slug: str, organisation: str | None) -> Questionnaire:
    """The questionnaire with this slug, in the named organisation or the only one
    that has such a questionnaire."""
    query = select(Questionnaire).join(Organisation).where(Questionnaire.slug == slug)
    if organisation:
        query = query.where(Organisation.slug == organisation)
    found = db.session.execute(query.limit(2)).scalars().all()
    if not found:
        where = f" in the organisation {organisation!r}" if organisation else ""
        raise click.ClickException(f"No questionnaire {slug!r}{where}.")
    if len(found) > 1:
        raise click.ClickException(
            f"Several organisations have a questionnaire {slug!r}: name one with --organisation."
        )
    return found[0]


@click.command(
    "export",
    help="Export a questionnaire's responses (all published versions) to FILE as CSV or "
    "XLSX, or the data dictionary of their columns. Recorded in the audit log.",
)
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--organisation", help="The organisation's slug; needed when several have SLUG.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="wide", show_default=True)
@click.option("--format", "format_", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--labels", type=click.Choice(LABELS), default="values", show_default=True)
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), default="excel-sv", show_default=True)
@click.option(
    "--include-language",
    is_flag=True,
    help="Add the language each response was given in (sensitive; recorded in the log).",
)
@click.option("--point", type=int, help="Only this collection point's responses (its id).")
@click.option("--area", help="Only responses from this area's points.")
@click.option("--kind", type=click.Choice([k.value for k in PointKind]))
@click.option("--channel", type=click.Choice([c.value for c in Channel]))
@click.option("--version", "version_", type=int, help="Only this published version.")
@click.option("--from", "from_", type=click.DateTime(["%Y-%m-%d"]), help="First day included.")
@click.option("--to", type=click.DateTime(["%Y-%m-%d"]), help="Last day included.")
@click.option(
    "--language", help="Only responses given in this language (sensitive; recorded in the log)."
)
@with_appcontext
def export(
    slug,
    output,
    organisation,
    layout,
    format_,
    labels,
    dialect,
    include_language,
    point,
    area,
    kind,
    channel,
    version_,
    from_,
    to,
    language,
):
    questionnaire = find_questionnaire(slug, organisation)
    args = {
        "point": point,
        "area": area,
        "kind": kind,
        "channel": channel,
        "version": version_,
        "from_": from_.date() if from_ else None,
        "to": to.date() if to else None,
        "language": language,
    }
    try:
        filters = resolve_filters(questionnaire, args)
    except FilterError as exc:
        raise click.ClickException(str(exc)) from None
    options = ExportOptions(layout, labels, dialect, include_language)
    plan = export_plan(questionnaire, include_language)
    yes_no = yes_no_words(plan.languages)
    responses = Counted(fetch_rows(responses_query(questionnaire, filters)))
    # Written next to the target and moved in place: a failed export leaves no half file.
    partial = output.with_name(f".{output.name}.partial")
    try:
        if format_ == "xlsx":
            rows = table_rows(Cells(plan, options, yes_no), responses, "wide")
            dictionary = (dictionary_header(plan), dictionary_rows(plan, yes_no))
            write_xlsx(str(partial), plan.names, rows, dictionary)
        else:
            if format_ == "dictionary":
                head, rows = dictionary_header(plan), dictionary_rows(plan, yes_no)
            else:
                cells = Cells(plan, options, yes_no, DIALECTS[dialect])
                head, rows = header(cells, layout), table_rows(cells, responses, layout)
            written = format_ == "csv"
            with partial.open("wb") as file:
                for chunk in csv_chunks(head, rows, DIALECTS[dialect], written):
                    file.write(chunk)
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Could not write {output}: {exc.strerror}.") from None
    except TooManyRows as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from None
    record(
        None,
        "results.exported",
        slug,
        options.describe(format_, filters),
        organisation_id=questionnaire.organisation_id,
    )
    db.session.commit()
    if format_ == "dictionary":
        click.echo(f"Wrote the data dictionary of {slug} to {output}.")
    else:
        what = f"{layout}, {dialect}" if format_ == "csv" else "xlsx"
        count = f"{responses.count} response{'' if responses.count == 1 else 's'}"
        click.echo(f"Exported {count} of {slug} to {output} ({what}).")
