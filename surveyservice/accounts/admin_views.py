"""Admins' pages for the organisation's accounts: add users, change roles, deactivate
and reactivate, hand over one-time links to set a password, revoke API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit.log import record
from ..database import utcnow
from ..extensions import db
from ..i18n import translate
from ..text import parse_whole_number
from .accounts import (
    EMAIL_RE,
    MIN_PASSWORD_LENGTH,
    AccountError,
    change_role,
    create_user,
    find_token,
    find_user,
    has_password,
    normalise_email,
    revoke_token,
    set_active,
    tokens_of,
    users_of,
)
from .auth import require_role
from .links import LINK_LIFETIME, make_link, pending_link
from .models import Role, User

bp = Blueprint("account_admin", __name__)

ROLE_LABELS = {Role.STAFF: "Staff", Role.COORDINATOR: "Coordinator", Role.ADMIN: "Admin"}


def _(message: str, **values) -> str:
    return translate(message, g.lang, **values)


def get_user_or_404(user_id: str) -> User:
    """A user of the signed-in admin's organisation; anyone else's is a 404."""
    number = parse_whole_number(user_id)
    user = db.session.get(User, number) if number is not None else None
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


@bp.app_context_processor
def role_labels():
    return {"ROLE_LABELS": ROLE_LABELS, "MIN_PASSWORD_LENGTH": MIN_PASSWORD_LENGTH}


@bp.get("/accounts")
@require_role(Role.ADMIN)
def index():
    return render_template("accounts/index.html", users=users_of(current_user.organisation_id))


def _absolute(path: str) -> str:
    """The address as the person receiving it reaches the service (PUBLIC_BASE_URL)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base.rstrip('/')}{path}" if base else f"{request.host_url.rstrip('/')}{path}"


def _link_page(user: User, token: str, new_user: bool):
    response = render_template(
        "accounts/link.html",
        user=user,
        link=_absolute(url_for("accounts.set_password_by_link", token=token)),
        days=LINK_LIFETIME.days,
        new_user=new_user,
    )
    # The link is shown once: no cache may keep a copy.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/accounts/new", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def add_user():
    problems: dict[str, str] = {}
    if request.method == "POST":
        email = normalise_email(request.form.get("email", ""))
        role = request.form.get("role", "")
        if not EMAIL_RE.match(email) or len(email) > 254:
            problems["email"] = _("Type an e-mail address, such as name@example.org.")
        elif find_user(email) is not None:
            problems["email"] = _("There is already a user with this e-mail address.")
        if role not in {r.value for r in Role}:
            problems["role"] = _("Choose a role.")
        if not problems:
            user = create_user(current_user.organisation, email, None, role)
            token = make_link(user, utcnow())
            record(current_user, "user.created", user.email, {"role": user.role.value})
            record(current_user, "user.password_link_made", user.email)
            db.session.commit()
            return _link_page(user, token, new_user=True)
    status = 422 if problems else 200
    return render_template("accounts/new.html", problems=problems), status


@bp.get("/accounts/<user_id>")
@require_role(Role.ADMIN)
def detail(user_id):
    user = get_user_or_404(user_id)
    return _detail_page(user)


def _detail_page(user: User, problem: str | None = None, status: int = 200):
    return render_template(
        "accounts/detail.html",
        user=user,
        tokens=tokens_of(user),
        has_password=has_password(user),
        link=pending_link(user, utcnow()),
        problem=problem,
        done=request.args.get("done"),
    ), status


def _refused(user: User, exc: AccountError):
    db.session.rollback()
    return _detail_page(user, _(str(exc)), 409)


@bp.post("/accounts/<user_id>/role")
@require_role(Role.ADMIN)
def set_role(user_id):
    user = get_user_or_404(user_id)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        return _detail_page(user, _("Choose a role."), 422)
    before = user.role
    if role == before.value:
        return redirect(url_for(".detail", user_id=user.id))
    try:
        change_role(user, role)
    except AccountError as exc:
        return _refused(user, exc)
    record(
        current_user,
        "user.role_changed",
        user.email,
        {"from": before.value, "to": user.role.value},
    )
    db.session.commit()
    return _after_change(user, "role")


def _after_change(user: User, done: str):
    # An admin who took away their own admin role cannot see this page any more.
    if not current_user.is_authenticated or not current_user.has_role(Role.ADMIN):
        return redirect(url_for("questionnaire_pages.home"))
    return redirect(url_for(".detail", user_id=user.id, done=done))


@bp.post("/accounts/<user_id>/deactivate")
@require_role(Role.ADMIN)
def deactivate(user_id):
    user = get_user_or_404(user_id)
    if user.active:
        try:
            set_active(user, False)
        except AccountError as exc:
            return _refused(user, exc)
        record(current_user, "user.deactivated", user.email)
        db.session.commit()
    return _after_change(user, "deactivated")


@bp.post("/accounts/<user_id>/reactivate")
@require_role(Role.ADMIN)
def reactivate(user_id):
    user = get_user_or_404(user_id)
    if not user.active:
        set_active(user, True)
        record(current_user, "user.reactivated", user.email)
        db.session.commit()
    return _after_change(user, "reactivated")


@bp.post("/accounts/<user_id>/password-link")
@require_role(Role.ADMIN)
def password_link(user_id):
    user = get_user_or_404(user_id)
    try:
        token = make_link(user, utcnow())
    except AccountError as exc:
        return _refused(user, exc)
    record(current_user, "user.password_link_made", user.email)
    db.session.commit()
    return _link_page(user, token, new_user=False)


@bp.post("/accounts/<user_id>/tokens/<token_id>/revoke")
@require_role(Role.ADMIN)
def revoke(user_id, token_id):
    user = get_user_or_404(user_id)
    number = parse_whole_number(token_id)
    token = find_token(user, number) if number is not None else None
    if token is None:
        abort(404)
    record(current_user, "token.revoked", user.email, {"name": token.name, "prefix": token.prefix})
    revoke_token(token)
    db.session.commit()
    return redirect(url_for(".detail", user_id=user.id, done="token"))
