"""The coordinators' pages of the citizen promises: the list by period, a promise's page
with its progress notes, and the forms to write, change and remove them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..areas.areas import list_areas
from ..database import utcnow
from ..extensions import db
from ..local_time import to_local
from . import models  # noqa: F401  (the tables, for the app and its migrations)
from .models import Promise, PromiseNote
from .promise_form import (
    Form,
    note_form,
    promise_form,
    read_note_form,
    read_promise_form,
)
from .promises import (
    FIRST_YEAR,
    LANGUAGE_LABELS,
    LANGUAGES,
    LAST_YEAR,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
    STATUS_NAMES,
    PromiseError,
    add_note,
    by_period,
    checked_promise,
    create_promise,
    find_note,
    find_promise,
    list_promises,
    remove_note,
    remove_promise,
    text_in,
    update_promise,
)

bp = Blueprint("promises", __name__)


def get_promise_or_404(promise_id: int) -> Promise:
    """The signed-in user's organisation's promise; another organisation's is a 404.
    A change locks it until it is committed."""
    locked = request.method == "POST"
    promise = find_promise(current_user.organisation_id, promise_id, for_update=locked)
    if promise is None:
        abort(404)
    return promise


def get_note_or_404(promise: Promise, note_id: int) -> PromiseNote:
    note = find_note(promise, note_id)
    if note is None:
        abort(404)
    return note


def _today() -> date:
    """Today in the organisation's time zone: a note written late in the evening is
    dated as the coordinator sees the day."""
    return to_local(utcnow(), current_user.organisation.time_zone).date()


def _context() -> dict:
    return {
        "status_names": STATUS_NAMES,
        "text_in": text_in,
        "languages": LANGUAGES,
        "language_labels": LANGUAGE_LABELS,
        "max_text": MAX_TEXT_LENGTH,
        "max_note": MAX_NOTE_LENGTH,
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
    }


@bp.get("/promises")
@require_role(Role.COORDINATOR)
def index():
    promises = list_promises(current_user.organisation_id)
    return render_template(
        "promises/index.html",
        periods=by_period(promises),
        done=request.args.get("done"),
        **_context(),
    )


def _form_page(form: Form, promise: Promise | None = None, status: int = 200):
    return (
        render_template(
            "promises/form.html",
            form=form,
            promise=promise,
            areas=list_areas(current_user.organisation_id),
            is_admin=current_user.has_role(Role.ADMIN),
            **_context(),
        ),
        status,
    )


def _checked(form: Form, fields: dict) -> bool:
    """Whether the promise can be stored: the domain's problems join the form's, so
    that every problem shows at once. Nothing is written here."""
    try:
        checked_promise(current_user.organisation_id, fields)
    except PromiseError as exc:
        form.merge(exc.problems)
    return not form.problems


@bp.route("/promises/new", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def new():
    if request.method == "GET":
        return _form_page(promise_form(None, _today().year))
    form, fields = read_promise_form(request.form)
    if not _checked(form, fields):
        db.session.rollback()
        return _form_page(form, status=422)
    promise = create_promise(current_user.organisation_id, current_user, fields)
    db.session.commit()
    return redirect(url_for(".detail", promise_id=promise.id, done="created"), 303)


def _detail_page(promise: Promise, note: Form | None = None, status: int = 200):
    return (
        render_template(
            "promises/detail.html",
            promise=promise,
            note_form=note or note_form(_today()),
            today=_today(),
            done=request.args.get("done"),
            **_context(),
        ),
        status,
    )


@bp.get("/promises/<int:promise_id>")
@require_role(Role.COORDINATOR)
def detail(promise_id):
    return _detail_page(get_promise_or_404(promise_id))


@bp.route("/promises/<int:promise_id>/edit", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def edit(promise_id):
    promise = get_promise_or_404(promise_id)
    if request.method == "GET":
        return _form_page(promise_form(promise, _today().year), promise)
    form, fields = read_promise_form(request.form)
    if not _checked(form, fields):
        db.session.rollback()
        return _form_page(form, promise, 422)
    changed = update_promise(promise, current_user, fields)
    db.session.commit()
    done = "changed" if changed else "unchanged"
    return redirect(url_for(".detail", promise_id=promise.id, done=done), 303)


@bp.route("/promises/<int:promise_id>/remove", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def remove(promise_id):
    promise = get_promise_or_404(promise_id)
    if request.method == "POST":
        remove_promise(promise, current_user)
        db.session.commit()
        return redirect(url_for(".index", done="removed"), 303)
    return render_template("promises/remove.html", promise=promise, **_context())


@bp.post("/promises/<int:promise_id>/notes")
@require_role(Role.COORDINATOR)
def new_note(promise_id):
    promise = get_promise_or_404(promise_id)
    form, noted_on, texts = read_note_form(request.form)
    try:
        add_note(promise, current_user, noted_on, texts, _today())
    except PromiseError as exc:
        form.merge(exc.problems)
    if form.problems:
        db.session.rollback()
        return _detail_page(promise, form, 422)
    db.session.commit()
    url = url_for(".detail", promise_id=promise.id, done="note_added", _anchor="notes")
    return redirect(url, 303)


@bp.route("/promises/<int:promise_id>/notes/<int:note_id>/remove", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def remove_note_page(promise_id, note_id):
    promise = get_promise_or_404(promise_id)
    note = get_note_or_404(promise, note_id)
    if request.method == "POST":
        remove_note(note, current_user)
        db.session.commit()
        url = url_for(".detail", promise_id=promise.id, done="note_removed", _anchor="notes")
        return redirect(url, 303)
    return render_template("promises/remove_note.html", promise=promise, note=note, **_context())
