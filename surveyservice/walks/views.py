"""The coordinators' walk pages: the walks and areas with their observations counted by
status, an area's or a walk's observations on the area's map and in a list, one
observation with its follow-up and the history of its changes, and the admins' names
for the statuses.

Staff see the pages, follow-up and history included (they walked, and want to know
what came of it); coordinators and admins change the follow-up (docs/walks.md, "The
walk pages")."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_login import current_user
from sqlalchemy import select

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..areas.areas import find_area, list_areas
from ..areas.models import Area
from ..collection.models import CollectionPoint
from ..collection.points import find_point
from ..extensions import db
from ..i18n import N_, STAFF_LANGUAGES, gettext, translate
from ..text import one_line_problem
from .area_maps import map_config
from .filter_form import FILTER_NAMES, read_filters
from .follow_up_form import PROBLEMS, FollowUpForm, read_follow_up
from .map_style import (
    NO_CATEGORY_COLOUR,
    NO_SEVERITY_RADIUS,
    OTHER_COLOUR,
    LegendEntry,
    category_colours,
    colour_of,
    severity_radii,
)
from .models import Observation, Photo
from .observations import (
    MAX_STATUS_NAME_LENGTH,
    RESPONSIBLE_NAMES,
    STATUS_NAMES,
    STATUSES,
    FollowUpError,
    ObservationFilters,
    category_values,
    entry_answers,
    general_answers,
    get_observation_or_404,
    group_definition,
    history,
    list_observations,
    photo_ids,
    set_status_names,
    severity_value,
    status_labels,
    update_follow_up,
)
from .overview import walks_by_area
from .reading import Vocabulary, place_label, position_source, read_answers, read_walk_answers

bp = Blueprint("walk_pages", __name__)

FIELD_LABELS = {
    "status": N_("Status"),
    "responsible": N_("Responsible"),
    "public_note": N_("Public note"),
    "internal_note": N_("Internal note"),
    "public": N_("On the area's public page"),
}
NOTES = ("public_note", "internal_note")
STATUS_NAME_PROBLEMS = {
    "line": N_("Write the name on one line, without control characters."),
    "long": N_("Write at most {limit} characters."),
}


def get_point_or_404(point_id: int) -> CollectionPoint:
    """The signed-in user's organisation's point; another organisation's is a 404."""
    point = find_point(current_user.organisation_id, point_id)
    if point is None:
        abort(404)
    return point


def get_area_or_404(area_id: int) -> Area:
    """The signed-in user's organisation's area; another organisation's is a 404."""
    area = find_area(current_user.organisation_id, area_id)
    if area is None:
        abort(404)
    return area


def _statuses() -> list[tuple[str, str]]:
    """Each status with the organisation's name for it in the page's language."""
    return list(status_labels(current_user.organisation, g.lang).items())


def _vocabulary(points: list[CollectionPoint], observations: list[Observation]) -> Vocabulary:
    """The categories and severities of the walks' questionnaires: the newest published
    version's order first, so that a category keeps its colour whatever the filters,
    then what only older versions had."""
    vocabulary = Vocabulary()
    groups = {o.question_id for o in observations}
    questionnaires = {p.questionnaire_id: p.questionnaire for p in points}
    questionnaires.update({o.questionnaire_id: o.point.questionnaire for o in observations})
    for questionnaire in questionnaires.values():
        for version in reversed(questionnaire.published):
            for question in version.definition.get("questions", ()):
                if question.get("type") == "group" and (
                    question["id"] in groups or question.get("category")
                ):
                    vocabulary.add(version.definition, question["id"], g.lang)
    return vocabulary


def _rows(observations: list[Observation], vocabulary: Vocabulary):
    """What the list and the map show of each observation, and the legend's colours
    and sizes."""
    colours = category_colours(list(vocabulary.categories))
    radii = severity_radii(list(vocabulary.severities))
    names = dict(_statuses())
    rows = []
    for observation in observations:
        definition = observation.response.version.definition
        categories = category_values(observation, definition)
        severity = severity_value(observation, definition)
        severity = None if severity is None else str(severity)
        place = place_label(definition, observation.question_id, observation.place, g.lang)
        rows.append(
            {
                "observation": observation,
                "place": place,
                # What the list, the map and the page call it: the named place, else
                # the stop's number on its walk.
                "title": place or gettext("Stop {number}", number=observation.entry),
                "categories": [vocabulary.categories.get(c, c) for c in categories],
                "colour": colour_of(categories, colours),
                "severity": vocabulary.severities.get(severity, severity) if severity else "",
                "radius": radii.get(severity, NO_SEVERITY_RADIUS)
                if severity
                else NO_SEVERITY_RADIUS,
                "status": names.get(observation.status, observation.status),
                "url": url_for(".observation", observation_id=observation.id),
            }
        )
    legend = {
        "categories": [
            LegendEntry(value, label, colour=colours[value])
            for value, label in vocabulary.categories.items()
            if colours[value] != OTHER_COLOUR
        ],
        "others": [
            label
            for value, label in vocabulary.categories.items()
            if colours[value] == OTHER_COLOUR
        ],
        "sizes": [
            LegendEntry(value, label, radius=radii[value])
            for value, label in vocabulary.severities.items()
        ],
        "uncategorised": any(not row["categories"] for row in rows),
    }
    return rows, legend


def _map_points(rows: list[dict]) -> list[dict]:
    """The points for area-map.js: those observations that have a position."""
    points = []
    for row in rows:
        observation = row["observation"]
        if observation.lat is None or observation.lon is None:
            continue
        label = row["title"]
        if row["categories"]:
            label = f"{label}: {', '.join(row['categories'])}"
        points.append(
            {
                "lat": observation.lat,
                "lon": observation.lon,
                "colour": row["colour"],
                "radius": row["radius"],
                "label": f"{label} ({row['status']})",
                "href": row["url"],
            }
        )
    return points


def _area_map(area: Area) -> dict | None:
    """The area's map settings (its image for signed-in staff, the tiles), or None when
    there is neither an image nor a tile server."""
    return map_config(area, current_user.organisation)


def _map_page_url(area: Area) -> str | None:
    """Where a coordinator adds the area's map, when the service has that page."""
    if "area_maps.page" not in current_app.view_functions:
        return None
    return url_for("area_maps.page", area_id=area.id)


def _map_page(*, title: str, area: Area, point: CollectionPoint | None):
    org_id = current_user.organisation_id
    walks = [walk for entry in walks_by_area(org_id, [area]) for walk in entry.walks]
    scope = ObservationFilters(point=point.id) if point else ObservationFilters(area=area.id)
    everything = list_observations(org_id, scope)
    points = [point] if point else [walk.point for walk in walks]
    vocabulary = _vocabulary(points, everything)
    form = read_filters(
        request.args,
        categories=set(vocabulary.categories),
        severities=set(vocabulary.severities),
        walks={walk.point.id for walk in walks},
        point=point.id if point else None,
        area=None if point else area.id,
    )
    shown = list_observations(org_id, form.filters) if form.filters else []
    # Newest first: the walk that just came in is what a coordinator looks for.
    shown.reverse()
    rows, legend = _rows(shown, vocabulary)
    config = _area_map(area)
    here = url_for(".point", point_id=point.id) if point else url_for(".area", area_id=area.id)
    return render_template(
        "walks/map.html",
        title=title,
        area=area,
        point=point,
        walks=walks,
        form=form,
        filter_names=FILTER_NAMES,
        vocabulary=vocabulary,
        statuses=_statuses(),
        rows=rows,
        total=len(everything),
        legend=legend,
        no_category_colour=NO_CATEGORY_COLOUR,
        other_colour=OTHER_COLOUR,
        map_config=config,
        map_points=_map_points(rows) if config else [],
        unplaced=sum(1 for row in rows if row["observation"].lat is None),
        here=here,
        map_page_url=_map_page_url(area),
        is_coordinator=current_user.has_role(Role.COORDINATOR),
    ), (422 if form.problems else 200)


# --- the walks and areas ------------------------------------------------------


@bp.get("/walks/")
@require_role(Role.STAFF)
def index():
    org_id = current_user.organisation_id
    return render_template(
        "walks/index.html",
        areas=walks_by_area(org_id, list_areas(org_id)),
        statuses=_statuses(),
        is_admin=current_user.has_role(Role.ADMIN),
    )


@bp.get("/walks/areas/<int:area_id>")
@require_role(Role.STAFF)
def area(area_id):
    found = get_area_or_404(area_id)
    return _map_page(title=found.name, area=found, point=None)


@bp.get("/walks/points/<int:point_id>")
@require_role(Role.STAFF)
def point(point_id):
    found = get_point_or_404(point_id)
    return _map_page(title=found.name_in(g.lang), area=found.area, point=found)


# --- one observation ----------------------------------------------------------


def _photos(observation: Observation, definition: dict) -> list[Photo]:
    """The photos the entry names, in its order; deleted ones too, so that the page can
    say so."""
    named = photo_ids(observation, definition)
    if not named:
        return []
    found = {
        photo.id: photo
        for photo in db.session.execute(
            select(Photo).where(
                Photo.id.in_(named),
                Photo.organisation_id == observation.organisation_id,
                Photo.response_id == observation.response_id,
            )
        ).scalars()
    }
    return [found[photo_id] for photo_id in named if photo_id in found]


def _field_order(name: str) -> tuple[int, str]:
    """A change's fields in the form's order; any other after them."""
    order = list(FIELD_LABELS)
    return (order.index(name) if name in order else len(order), name)


def _shown_problems(form: FollowUpForm) -> dict[str, tuple[str, dict]]:
    """The form's problems with their numbers written for the page's language."""
    return {
        name: (
            template,
            {
                key: format_decimal(value) if isinstance(value, int) else value
                for key, value in values.items()
            },
        )
        for name, (template, values) in form.problems.items()
    }


def _observation_page(observation: Observation, form: FollowUpForm, status: int = 200):
    definition = observation.response.version.definition
    group = group_definition(observation, definition)
    entry = entry_answers(observation)
    point = observation.point
    rows, _legend = _rows([observation], _vocabulary([point], [observation]))
    config = _area_map(point.area)
    return render_template(
        "walks/observation.html",
        observation=observation,
        point=point,
        area=point.area,
        row=rows[0],
        answers=read_answers(definition, observation.question_id, entry, g.lang),
        walk_answers=read_walk_answers(
            definition, general_answers(observation, definition), g.lang
        ),
        source=position_source(entry, group),
        photos=_photos(observation, definition),
        map_config=config if observation.lat is not None else None,
        map_points=_map_points(rows),
        has_map=config is not None,
        form=form,
        problems=_shown_problems(form),
        statuses=_statuses(),
        status_names=dict(_statuses()),
        responsible=list(RESPONSIBLE_NAMES.items()),
        responsible_labels=RESPONSIBLE_NAMES,
        field_labels=FIELD_LABELS,
        notes=NOTES,
        changes=list(reversed(history(observation))),
        history_order=lambda changes: sorted(changes, key=_field_order),
        can_edit=current_user.has_role(Role.COORDINATOR),
        done=request.args.get("done"),
    ), status


@bp.get("/walks/observations/<int:observation_id>")
@require_role(Role.STAFF)
def observation(observation_id):
    found = get_observation_or_404(observation_id)
    return _observation_page(found, FollowUpForm.for_observation(found))


@bp.post("/walks/observations/<int:observation_id>")
@require_role(Role.COORDINATOR)
def follow_up(observation_id):
    found = get_observation_or_404(observation_id, for_update=True)
    form = read_follow_up(request.form)
    form.check_against(found)
    if not form.problems:
        try:
            changes = update_follow_up(found, current_user, **form.changes())
        except FollowUpError as exc:
            # The page's own checks come first; this is what they did not foresee.
            db.session.rollback()
            for name, problems in exc.problems.items():
                form.problems[name] = (problems[0].template, problems[0].values)
        else:
            db.session.commit()
            return redirect(
                url_for(
                    ".observation",
                    observation_id=found.id,
                    done="saved" if changes else "unchanged",
                    _anchor="follow-up-title",
                ),
                303,
            )
    conflict = any(
        problem[0] == PROBLEMS["changed_meanwhile"] for problem in form.problems.values()
    )
    return _observation_page(found, form, 409 if conflict else 422)


# --- the statuses' names --------------------------------------------------------


def _read_status_names(form_data) -> tuple[dict, dict]:
    """The names as typed, by (status, language), and the problems by the same key."""
    values, problems = {}, {}
    for status in STATUSES:
        for language in STAFF_LANGUAGES:
            typed = form_data.get(f"{status}-{language}", "")
            values[(status, language)] = typed.strip()
            if one_line_problem(typed):
                problems[(status, language)] = STATUS_NAME_PROBLEMS["line"]
            elif len(typed.strip()) > MAX_STATUS_NAME_LENGTH:
                problems[(status, language)] = STATUS_NAME_PROBLEMS["long"]
    return values, problems


@bp.route("/walks/status-names", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def status_names():
    org = current_user.organisation
    stored = org.status_names or {}
    values = {
        (status, language): (stored.get(status) or {}).get(language, "")
        for status in STATUSES
        for language in STAFF_LANGUAGES
    }
    problems: dict = {}
    if request.method == "POST":
        values, problems = _read_status_names(request.form)
        if not problems:
            names: dict[str, dict[str, str]] = {}
            for (status, language), name in values.items():
                names.setdefault(status, {})[language] = name
            try:
                set_status_names(org, names, current_user)
            except FollowUpError as exc:
                db.session.rollback()
                for key, found in exc.problems.items():
                    status, _, language = key.partition(".")
                    problems[(status, language)] = found[0].template
            else:
                db.session.commit()
                return redirect(url_for(".status_names", done="saved"), 303)
    return render_template(
        "walks/status_names.html",
        statuses=STATUSES,
        languages=STAFF_LANGUAGES,
        values=values,
        problems=problems,
        defaults=STATUS_NAMES,
        limit=MAX_STATUS_NAME_LENGTH,
        translate=translate,
        done=request.args.get("done"),
    ), (422 if problems else 200)
