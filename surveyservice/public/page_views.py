from flask import Blueprint

from . import models  # noqa: F401  (the tables, for the app and its migrations)

bp = Blueprint("public_pages", __name__)
