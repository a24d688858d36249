"""Who is asking, and may they: the one place where sign-in, tokens, roles and CSRF are checked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_smorest import abort

from ..errors import is_api_request
from ..extensions import csrf, db, login_manager
from ..text import parse_whole_number
from .accounts import user_for_token
from .models import Role, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def bearer_token() -> str | None:
    auth = request.authorization
    if auth is not None and auth.type == "bearer":
        return auth.token or ""
    return None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a page marked ``g.same_for_everyone`` (one that
    reads no session, though Flask-Login looks at it for every template) does not say
    it varies by cookie."""

    def should_set_cookie(self, app, session):
        # A page a shared cache may keep (``g.shared_cache``: the public area pages)
        # carries no cookie at all, not even a signed-in visitor's refreshed session,
        # which a cache would otherwise hand to everyone.
        if g.get("shared_cache"):
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app, session, response):
        super().save_session(app, session, response)
        # A response that sets a cookie (a signed-in session refreshed) keeps its Vary.
        if g.get("same_for_everyone") and "Set-Cookie" not in response.headers:
            # Set by hand: HeaderSet.discard() misses a header written in capitals.
            kept = [value for value in response.vary if value.lower() != "cookie"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
            else:
                response.headers.pop("Vary", None)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    # No binding of a session to the client's address and browser: it would put a hash
    # of the address in the cookie, and sign staff out whenever a tablet changes
    # network. Sessions end from the server instead (the session generation).
    login_manager.session_protection = None
    csrf.init_app(app)

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # A request with a bearer token is that token's, whatever cookie comes along.
        if bearer_token() is not None:
            return None
        user_id, _, generation = session_id.partition(".")
        user_id, generation = parse_whole_number(user_id), parse_whole_number(generation)
        if user_id is None or generation is None:
            return None
        user = db.session.get(User, user_id)
        # A session from before a sign-out, a new password or a deactivation has
        # an older generation: it is over, whoever holds the cookie.
        if user is None or not user.active or user.session_generation != generation:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(_request) -> User | None:
        token = bearer_token()
        return user_for_token(token) if token is not None else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            abort(
                401,
                message="Sign in first: send 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))

    @app.before_request
    def protect_against_csrf():
        # A bearer token cannot be sent by another site's page, a session cookie can.
        if request.method in SAFE_METHODS or bearer_token() is not None:
            return
        # No such page (404/405 follows), or an API write with no credentials at all
        # (the view answers 401): there is no session for another site to ride on.
        if request.endpoint is None:
            return
        if is_api_request() and not current_user.is_authenticated:
            return
        view = current_app.view_functions.get(request.endpoint or "")
        # A MethodView's methods carry the mark, not the view function.
        handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
        if getattr(handler, "csrf_exempt", False):
            return
        csrf.protect()


def require_role(role: Role) -> Callable:
    """Let the view run only for a signed-in, active user with at least this role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403, message=f"This needs the {role.value} role.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def staff_refusal(organisation_id: int) -> int | None:
    """None when the request comes from a staff member (or above) of the organisation;
    else the status that says why: 401 (sign in, perhaps again) or 403 (not theirs).

    On the public endpoints a session cookie alone proves nothing another site could
    not send, so it also needs the CSRF header; a bearer token needs none.
    """
    if not current_user.is_authenticated:
        return 401
    if not current_user.has_role(Role.STAFF) or current_user.organisation_id != organisation_id:
        return 403
    if bearer_token() is None:
        csrf.protect()
    return None


def protect_session_write() -> None:
    """Check the CSRF header when a write rides on a session cookie rather than a token.

    For a request that stores several things: call it before storing any of them.
    """
    if current_user.is_authenticated and bearer_token() is None:
        csrf.protect()


def public(view: Callable) -> Callable:
    """Mark a view that anonymous residents post to: no session, so no CSRF token."""
    view.csrf_exempt = True
    return view
