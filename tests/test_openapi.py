"""The OpenAPI document is valid OpenAPI 3 and describes every /api/v1 route."""

from openapi_spec_validator import validate

NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs"}


def test_openapi_document_is_valid_and_complete(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule not in NOT_OPERATIONS:
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


def test_error_shape_and_bearer_auth_are_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert {"code", "status", "message", "errors"} <= set(error)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    create = spec["paths"]["/api/v1/questionnaires"]["post"]
    assert "422" in create["responses"]
    assert "409" in create["responses"]


def test_readable_docs_list_every_operation(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").json
    for path, item in spec["paths"].items():
        for method in set(item) - {"parameters"}:
            assert f"{method.upper()} {path}" in page
