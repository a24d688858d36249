"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..i18n import translate
from .accounts import authenticate

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never redirect a signed-in user to another host.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("questionnaire_pages.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            # A sign-in lasts a working day, across browser restarts, offline or not.
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        error = translate("Wrong e-mail address or password.", g.lang)
    elif current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("sign_in.html", error=error), 401 if error else 200


@bp.post("/sign-out")
@login_required
def sign_out():
    logout_user()
    return redirect(url_for("accounts.sign_in", signed_out=1))
