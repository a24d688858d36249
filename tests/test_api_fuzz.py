"""The OpenAPI document says what the server does.

schemathesis reads the document and sends generated requests, valid and invalid,
to every operation, calling the app directly; every check it has judges each
answer (no server error, status, content type, headers and body as documented,
invalid data refused, valid data taken, authentication enforced). Each operation
is one test on a fresh database that holds a published questionnaire, an open
collection point and a coordinator's token, so that requests also reach real rows.
The examples are bounded and derandomised: the run is the same every time and
takes about a minute and a half on either database.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from marshmallow import ValidationError
from schemathesis import GenerationMode

from surveyservice.accounts.accounts import issue_token
from surveyservice.collection.schemas import PointChangeSchema, PointSchema, SubmissionSchema
from surveyservice.extensions import db
from surveyservice.questionnaires.definition import DefinitionSchema
from surveyservice.results.schemas import ResultsQuerySchema

from .conftest import make_app


class _DefinitionShape(DefinitionSchema):
    """The definition's shape alone, without the checks across its fields."""

    def consistent(self, data, **kwargs):
        pass


# Operations whose valid bodies can still be refused (422) for rules the document
# states in words, not as JSON Schema: a definition's consistency, references to
# rows (a questionnaire's slug, a published version) and answers that must fit the
# questions of the version answered. The body must still have the shape the
# server's own schema takes: that is checked below, so the document stays exact.
RULES_IN_WORDS = {
    ("POST", "/api/v1/questionnaires"): _DefinitionShape,
    ("PUT", "/api/v1/questionnaires/{slug}/draft"): _DefinitionShape,
    ("POST", "/api/v1/collection-points"): PointSchema,
    ("PATCH", "/api/v1/collection-points/{point_id}"): lambda: PointChangeSchema(partial=True),
    ("POST", "/api/v1/collect/{token}/responses"): SubmissionSchema,
    # Filters that must name the organisation's points, areas, versions and languages.
    ("GET", "/api/v1/questionnaires/{slug}/results"): ResultsQuerySchema,
}

config = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-method": method,
                "include-path": path,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "410", "422"]
                    }
                },
            }
            for method, path in RULES_IN_WORDS
        ]
    }
)

# The document depends on no data: read it once, from an app of its own.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", make_app("sqlite://"), config=config
)

# The token of the test running now: each test makes its own database and user.
_current = {}


@schema.auth(refresh_interval=None, retry_on=[])
class BearerToken:
    def get(self, case, context):
        return _current.get("token")

    def set(self, case, token, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@schemathesis.check
def valid_bodies_refused_only_for_rules_in_words(ctx, response, case):
    """A 422 to a body (or query) the document calls valid must come from a rule said in
    words."""
    shape = RULES_IN_WORDS.get((case.method.upper(), case.path))
    if shape is None or response.status_code != 422:
        return None
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return None
    try:
        shape().load(case.query if case.method.upper() == "GET" else case.body)
    except ValidationError as exc:
        raise AssertionError(
            f"The document takes a body the server's schema refuses: {exc.messages}"
        ) from None
    return None


class FreshContext:
    """The app, running each request in an app context of its own, as a server does:
    the test's own context would let one request's signed-in user leak into the next."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app(environ, start_response)


@pytest.fixture
def token(app, org, coordinator, make_questionnaire, make_point):
    """A coordinator's token, with a published questionnaire and an open point to reach."""
    make_point(make_questionnaire(org))
    token = issue_token(coordinator, "fuzz")
    db.session.commit()
    _current["token"] = token
    yield token
    _current.clear()


# A questionnaire's definition is a large document with many patterns: generating one
# takes about a second, so its two operations get fewer examples than the rest.
DEFINITIONS = {"POST /api/v1/questionnaires", "PUT /api/v1/questionnaires/{slug}/draft"}


def _takes_a_definition(ctx) -> bool:
    return f"{ctx.operation.method.upper()} {ctx.operation.path}" in DEFINITIONS


def _takes_no_definition(ctx) -> bool:
    return not _takes_a_definition(ctx)


EXAMPLE_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": list(HealthCheck),
}


@schema.exclude(_takes_a_definition).parametrize()
@settings(max_examples=50, **EXAMPLE_SETTINGS)
def test_every_answer_is_the_one_the_document_gives(case, app, token):
    case.call_and_validate(app=FreshContext(app))


@schema.exclude(_takes_no_definition).parametrize()
@settings(max_examples=25, **EXAMPLE_SETTINGS)
def test_every_answer_to_a_definition_is_the_one_the_document_gives(case, app, token):
    case.call_and_validate(app=FreshContext(app))
