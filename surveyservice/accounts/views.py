"""Sign-in and sign-out, one's own account, and the page a one-time link opens."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..audit.log import record
from ..database import utcnow
from ..extensions import db
from ..i18n import N_, translate
from ..text import one_line_problem, parse_whole_number
from . import throttle
from .accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    authenticate,
    end_sessions,
    find_token,
    new_token,
    revoke_token,
    set_password,
    tokens_of,
)
from .links import LinkState, check_link, use_link
from .models import Role, User

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    # Only a path on this site: never redirect a signed-in user to another host.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return None


def _landing() -> str:
    """Where a user goes after signing in: staff came to collect answers."""
    if current_user.has_role(Role.COORDINATOR):
        return url_for("workspace.start")
    return url_for("staff.index")


def _too_many(seconds: int):
    minutes = max(1, -(-seconds // 60))
    error = translate(
        "Too many wrong passwords for this address. Wait {minutes} min and try again.",
        g.lang,
        minutes=minutes,
    )
    return render_template("sign_in.html", error=error), 429, {"Retry-After": str(seconds)}


def _fresh_session() -> None:
    """Start the session afresh, keeping only the language chosen for these pages."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def _sign_in_session(user: User) -> None:
    """Sign the user in, in a session that starts afresh."""
    # Nothing from before the sign-in (a CSRF token, say) carries over.
    _fresh_session()
    # A sign-in lasts a working day, across browser restarts, offline or not.
    session.permanent = True
    login_user(user)
    # Flask-Login keeps a hash of the client's address and browser for a check
    # this service does not make: nothing derived from an address is kept.
    session.pop("_id", None)


def _(message: str, **values) -> str:
    return translate(message, g.lang, **values)


def _no_store(html: str, status: int = 200):
    """A page that holds a secret (a token, a one-time link): no cache may keep a copy."""
    return html, status, {"Cache-Control": "no-store"}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")
        now = utcnow()
        if wait := throttle.reserve_try(email, now):
            # Refused without looking at the password: guessing on gains nothing.
            return _too_many(wait)
        user = authenticate(email, request.form.get("password", ""))
        if user is not None:
            throttle.forget(email)
            _sign_in_session(user)
            user.last_signed_in_at = now
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _landing())
        if wait := throttle.wait_after_wrong(email, now):
            return _too_many(wait)
        error = translate("Wrong e-mail address or password.", g.lang)
    elif current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or _landing())
    return render_template("sign_in.html", error=error), 401 if error else 200


@bp.post("/sign-out")
@login_required
def sign_out():
    # Every copy of this user's session cookie ends here, not only this browser's.
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    _fresh_session()
    return redirect(url_for("accounts.sign_in", signed_out=1))


# --- one's own account ---------------------------------------------------------

MAX_TOKEN_NAME = 100


def _account_page(status: int = 200, **context):
    return (
        render_template("accounts/own.html", tokens=tokens_of(current_user), **context),
        status,
    )


@bp.get("/account")
@login_required
def own_account():
    return _account_page(changed=request.args.get("changed") == "1")


def _new_password_problems(form) -> dict[str, str]:
    """The problems of a new password typed twice, by field."""
    new, again = form.get("new_password", ""), form.get("new_password_again", "")
    if len(new) < MIN_PASSWORD_LENGTH:
        return {
            "new_password": _(
                "The password must have at least {count} characters.", count=MIN_PASSWORD_LENGTH
            )
        }
    if new != again:
        return {"new_password_again": _("The two passwords differ. Type the same one twice.")}
    return {}


@bp.post("/account/password")
@login_required
def change_own_password():
    user = current_user._get_current_object()
    if problems := _new_password_problems(request.form):
        return _account_page(422, problems=problems)
    now = utcnow()
    # The current password is guessed at like a sign-in: the same throttle.
    if wait := throttle.reserve_try(user.email, now):
        return _too_many_for_account(wait)
    if authenticate(user.email, request.form.get("current_password", "")) is None:
        if wait := throttle.wait_after_wrong(user.email, now):
            return _too_many_for_account(wait)
        return _account_page(
            422, problems={"current_password": _("That is not your current password.")}
        )
    set_password(user, request.form["new_password"])
    record(user, "user.password_set", user.email)
    # Every other session of theirs has ended; this one goes on, as a new session.
    _sign_in_session(user)
    db.session.commit()
    return redirect(url_for(".own_account", changed=1))


def _too_many_for_account(seconds: int):
    minutes = max(1, -(-seconds // 60))
    problem = _(
        "Too many wrong passwords for this address. Wait {minutes} min and try again.",
        minutes=minutes,
    )
    page, _status = _account_page(problems={"current_password": problem})
    return page, 429, {"Retry-After": str(seconds)}


def token_name_problem(name: str) -> str | None:
    if not name.strip():
        return _("Give the token a name, such as the program that will use it.")
    if len(name) > MAX_TOKEN_NAME:
        return _("A token's name has at most {count} characters.", count=MAX_TOKEN_NAME)
    if one_line_problem(name):
        return _("A token's name is one line.")
    return None


@bp.post("/account/tokens")
@login_required
def create_own_token():
    name = request.form.get("name", "")
    if problem := token_name_problem(name):
        return _account_page(422, problems={"name": problem}, token_name=name)
    token, row = new_token(current_user, name.strip())
    record(
        current_user, "token.created", current_user.email, {"name": row.name, "prefix": row.prefix}
    )
    db.session.commit()
    return _no_store(
        render_template(
            "accounts/own.html", tokens=tokens_of(current_user), new_token=token, new_row=row
        )
    )


@bp.post("/account/tokens/<token_id>/revoke")
@login_required
def revoke_own_token(token_id):
    number = parse_whole_number(token_id)
    token = find_token(current_user, number) if number is not None else None
    if token is None:
        abort(404)
    record(
        current_user,
        "token.revoked",
        current_user.email,
        {"name": token.name, "prefix": token.prefix},
    )
    revoke_token(token)
    db.session.commit()
    return redirect(url_for(".own_account"))


# --- the page a one-time link opens ---------------------------------------------

LINK_PROBLEMS = {
    LinkState.USED: N_("This link has been used already: it works only once."),
    LinkState.EXPIRED: N_("This link has expired."),
    LinkState.UNKNOWN: N_(
        "This link does not work: it may have been replaced by a newer one, or copied incompletely."
    ),
}


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password_by_link(token):
    """Works without signing in: the link is the key. Only its hash is stored."""
    now = utcnow()
    check = check_link(token, now)
    if check.state != LinkState.VALID:
        problem = translate(LINK_PROBLEMS[check.state], g.lang)
        return _no_store(
            render_template("accounts/set_password.html", problem=problem),
            404 if check.state == LinkState.UNKNOWN else 410,
        )
    problems = {}
    if request.method == "POST":
        problems = _new_password_problems(request.form)
        if not problems:
            try:
                user = use_link(token, request.form["new_password"], now)
            except AccountError:
                # Used a moment ago, in another tab or by someone else.
                db.session.rollback()
                problem = translate(LINK_PROBLEMS[LinkState.USED], g.lang)
                return _no_store(
                    render_template("accounts/set_password.html", problem=problem), 410
                )
            record(user, "user.password_set", user.email)
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            _fresh_session()
            return redirect(url_for(".sign_in", password_set=1))
    return _no_store(
        render_template(
            "accounts/set_password.html", email=check.link.user.email, problems=problems
        ),
        422 if problems else 200,
    )
