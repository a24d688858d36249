"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..database import utcnow
from ..extensions import db
from ..i18n import translate
from . import throttle
from .accounts import authenticate, end_sessions
from .models import Role

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
            # Nothing from before the sign-in (a CSRF token, say) carries over.
            _fresh_session()
            # A sign-in lasts a working day, across browser restarts, offline or not.
            session.permanent = True
            login_user(user)
            # Flask-Login keeps a hash of the client's address and browser for a check
            # this service does not make: nothing derived from an address is kept.
            session.pop("_id", None)
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
