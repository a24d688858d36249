"""The navigation bar of the signed-in pages, built from one list.

A feature adds its page with one line in NAVIGATION: the endpoint, the label (English,
translated on the page) and the least role that sees it. An item whose endpoint is
not registered, or that the user's role does not reach, is left out.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from ..accounts.models import Role


class NavItem(NamedTuple):
    endpoint: str
    label: str
    role: Role
    # Endpoints of the pages under this one (a point's page under the list), or whole
    # blueprints named with a final dot: the item is marked as where the user is.
    section: tuple[str, ...] = ()


NAVIGATION: list[NavItem] = [
    NavItem("workspace.start", "Start", Role.COORDINATOR),
    NavItem(
        "workspace.points",
        "Collection points",
        Role.COORDINATOR,
        (
            "workspace.new_point",
            "workspace.point",
            "workspace.edit_point",
            "workspace.close_point_page",
        ),
    ),
    NavItem(
        "questionnaire_pages.index",
        "Questionnaires",
        Role.STAFF,
        ("questionnaire_pages.detail", "questionnaire_editor.", "collection_preview."),
    ),
    NavItem("results_pages.index", "Results", Role.COORDINATOR, ("results_pages.",)),
    NavItem("walk_pages.index", "Safety walks", Role.STAFF, ("walk_pages.",)),
    NavItem("public_pages.index", "Public pages", Role.COORDINATOR, ("public_pages.", "walls.")),
    NavItem("promises.index", "Citizen promises", Role.COORDINATOR, ("promises.",)),
    NavItem("staff.index", "Collect answers", Role.STAFF),
    NavItem("staff.import_queue", "Upload saved answers", Role.COORDINATOR),
    NavItem("areas_pages.index", "Areas", Role.COORDINATOR, ("areas_pages.", "area_maps.")),
    NavItem("account_admin.index", "Accounts", Role.ADMIN, ("account_admin.",)),
    NavItem("audit.index", "Audit log", Role.ADMIN),
    NavItem("accounts.own_account", "My account", Role.STAFF),
    NavItem("apidocs.docs", "API", Role.STAFF),
]


class Link(NamedTuple):
    url: str
    label: str
    current: str | None  # the aria-current value: "page", "true" (a page under it), None


def _within(endpoint: str, section: tuple[str, ...]) -> bool:
    return any(
        endpoint.startswith(name) if name.endswith(".") else endpoint == name for name in section
    )


def navigation_links() -> list[Link]:
    """The items the signed-in user sees, with the current one marked."""
    if not current_user.is_authenticated:
        return []
    links = []
    for item in NAVIGATION:
        if item.endpoint not in current_app.view_functions or not current_user.has_role(item.role):
            continue
        current = None
        if request.endpoint == item.endpoint:
            current = "page"
        elif _within(request.endpoint or "", item.section):
            current = "true"
        links.append(Link(url_for(item.endpoint), item.label, current))
    return links


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_links"] = navigation_links
