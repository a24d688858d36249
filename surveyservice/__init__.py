"""Surveyservice: anonymous survey and dialogue data collection for community safety."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .database import configure_sqlite
from .extensions import api, db, migrate
from .openapi import SchemaMetaPlugin

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; settings come from the environment, then from ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    settings = config_module.from_environment(os.environ, app.instance_path)
    settings.update(config or {})
    app.config.update(settings)
    os.makedirs(app.instance_path, exist_ok=True)

    if app.config["PROXY_COUNT"]:
        # Trust the proxy for scheme and host only: the client's address is never wanted.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    api.init_app(
        app,
        spec_kwargs={
            "info": {
                "description": "Anonymous survey and dialogue data collection. Errors have "
                "the shape {code, status, message, errors}; 'errors' names each "
                "field that is wrong by its path, such as questions[3].label. Any request "
                "may be refused for its size (413 body, 414 address, 431 headers); text with "
                "control characters or lone surrogates is refused anywhere (422; 404 in "
                "the path)."
            },
            "security": [{"bearerAuth": []}],
            "extra_plugins": [SchemaMetaPlugin()],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API token"}
    )

    from . import (
        clean_input,
        cli,
        compression,
        i18n,
        request_limits,
        security_headers,
        static_versions,
    )
    from .accounts import admin_views as account_admin_views
    from .accounts import auth
    from .accounts import cli as accounts_cli
    from .accounts import views as accounts_views
    from .accounts.api import blp as account_api
    from .apidocs import bp as apidocs_bp
    from .areas import views as areas_views
    from .areas.api import blp as areas_api
    from .audit import views as audit_views
    from .collection import offline as collection_offline
    from .collection import preview as collection_preview
    from .collection import ratelimit
    from .collection import staff as collection_staff
    from .collection import submissions as collection_submissions
    from .collection import views as collection_views
    from .collection.api import blp as collection_api
    from .collection.api import collect_blp
    from .health import bp as health_bp
    from .public import page_views as public_page_views
    from .public import promise_views, wall_views
    from .questionnaires import cli as questionnaires_cli
    from .questionnaires import editor_views as questionnaire_editor
    from .questionnaires import views as questionnaires_views
    from .questionnaires.api import blp as questionnaires_api
    from .results import views as results_views
    from .results.api import blp as results_api
    from .results.exports import cli as results_cli
    from .results.exports.api import blp as exports_api
    from .walks import area_map_views, photos_views
    from .walks import cli as walks_cli
    from .walks import recording as walk_recording
    from .walks import views as walk_views
    from .walks.api import blp as observations_api
    from .walks.api import exports_blp as observation_exports_api
    from .walks.photos_api import blp as photos_api
    from .workspace import navigation
    from .workspace import views as workspace_views

    request_limits.init_app(app)
    clean_input.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    security_headers.init_app(app)
    static_versions.init_app(app)
    compression.init_app(app)
    ratelimit.init_app(app)
    # A walk's response also stores its observations and claims its photos.
    collection_submissions.also_store(walk_recording.record_walk)
    # The resident's thank-you and the poster link to the area's published page.
    collection_views.follow_up_page(public_page_views.follow_up_for_point)
    navigation.init_app(app)
    for blueprint in (
        account_api,
        questionnaires_api,
        collection_api,
        collect_blp,
        areas_api,
        results_api,
        exports_api,
        observations_api,
        observation_exports_api,
        photos_api,
    ):
        api.register_blueprint(blueprint)
    for blueprint in (
        health_bp,
        apidocs_bp,
        accounts_views.bp,
        questionnaires_views.bp,
        collection_views.bp,
        collection_offline.bp,
        collection_staff.bp,
        questionnaire_editor.bp,
        collection_preview.bp,
        account_admin_views.bp,
        audit_views.bp,
        workspace_views.bp,
        areas_views.bp,
        results_views.bp,
        photos_views.bp,
        area_map_views.bp,
        walk_views.bp,
        promise_views.bp,
        public_page_views.bp,
        wall_views.bp,
    ):
        app.register_blueprint(blueprint)
    app.cli.add_command(accounts_cli.users)
    app.cli.add_command(accounts_cli.orgs)
    app.cli.add_command(questionnaires_cli.forms)
    app.cli.add_command(results_cli.export)
    app.cli.add_command(walks_cli.photos)
    cli.init_app(app)
    return app
