"""GET /healthz: 200 only when the database answers, for load balancers and readiness
probes. GET /livez: 200 whenever the process serves, with no work at all, for liveness
probes and as the ceiling the submission benchmark compares with."""

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "not answering"}, 503
    return {"status": "ok"}


@bp.get("/livez")
def livez():
    return {"status": "ok"}
