"""Sign-in, sessions, API tokens, roles and CSRF."""

import sqlalchemy as sa

from surveyservice.accounts.accounts import authenticate
from surveyservice.accounts.models import ApiToken, User
from surveyservice.extensions import db

from .conftest import PASSWORD, csrf_token_from


def test_password_is_stored_only_as_a_hash(app, coordinator):
    stored = db.session.execute(sa.select(User.password_hash)).scalar_one()
    assert PASSWORD not in stored
    assert stored.startswith("scrypt:")
    assert authenticate("Coordinator@Example.org ", PASSWORD).email == "coordinator@example.org"
    assert authenticate("coordinator@example.org", "wrong password") is None
    assert authenticate("nobody@example.org", PASSWORD) is None


def test_coordinator_signs_in_with_the_form_to_the_start_page_and_sees_the_questionnaires(
    client, auth, org, coordinator, make_questionnaire
):
    make_questionnaire(org, title={"sv": "Trygghet på Sanden", "en": "Safety at Sanden"})
    response = auth.login("coordinator@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/start"
    page = client.get("/questionnaires").get_data(as_text=True)
    assert "Enkäter för Vänersborg och Polisen" in page
    assert "Trygghet på Sanden" in page
    assert "Safety at Sanden" in client.get("/questionnaires?lang=en").get_data(as_text=True)


def test_wrong_password_shows_an_error_and_no_session(client, auth, coordinator):
    response = auth.login("coordinator@example.org", "not the password")
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert client.get("/questionnaires").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, auth, coordinator):
    response = auth.login("coordinator@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; production turns it on


def test_sign_in_without_csrf_token_is_refused(client, coordinator):
    response = client.post(
        "/sign-in", data={"email": "coordinator@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/questionnaires").status_code == 302


def test_sign_out_needs_the_csrf_token(client, auth, coordinator):
    auth.login("coordinator@example.org")
    assert client.post("/sign-out").status_code == 400
    assert client.get("/questionnaires").status_code == 200
    auth.logout()
    assert client.get("/questionnaires").status_code == 302


def test_next_only_redirects_within_the_site(client, coordinator):
    page = client.get("/sign-in")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/sign-in?next=//evil.example/x",
        data={"email": "coordinator@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/start"


def test_session_cookie_on_the_api_needs_a_csrf_header(client, auth, coordinator):
    from .conftest import make_definition

    auth.login("coordinator@example.org")
    assert client.get("/api/v1/me").json["email"] == "coordinator@example.org"
    refused = client.post("/api/v1/questionnaires", json=make_definition())
    assert refused.status_code == 400
    assert refused.json["message"] == "The CSRF token is missing."
    token = csrf_token_from(client.get("/questionnaires").get_data(as_text=True))
    accepted = client.post(
        "/api/v1/questionnaires", json=make_definition(), headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_api_token_is_stored_only_as_a_hash(app, api_as, coordinator):
    api = api_as(coordinator)
    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert api.token not in (row.token_hash, row.prefix)
    assert api.token.startswith(row.prefix)
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json == {
        "email": "coordinator@example.org",
        "role": "coordinator",
        "organisation": {"slug": "vanersborg", "name": "Vänersborg och Polisen"},
    }


def test_missing_or_wrong_token_is_401_json(client, coordinator):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json["code"] == 401
    wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer ss_not-a-token"})
    assert wrong.status_code == 401


def test_deactivated_user_loses_token_and_session(app, client, auth, api_as, coordinator):
    api = api_as(coordinator)
    auth.login("coordinator@example.org")
    db.session.execute(sa.update(User).values(active=False))
    db.session.commit()
    assert api.get("/api/v1/me").status_code == 401
    assert client.get("/questionnaires").status_code == 302
    assert authenticate("coordinator@example.org", PASSWORD) is None


def test_pages_speak_swedish_by_default_and_english_on_request(client):
    swedish = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in swedish
    assert "Logga in" in swedish
    english = client.get("/sign-in?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english
    assert "Sign in" in english
    assert '<html lang="en"' in client.get("/sign-in").get_data(as_text=True)


def test_sign_in_over_https_works_with_what_the_browser_sends(client, coordinator):
    https = {"base_url": "https://trygg.example.se"}
    page = client.get("/sign-in", **https)
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = csrf_token_from(page.get_data(as_text=True))
    form = {"email": "coordinator@example.org", "password": PASSWORD, "csrf_token": token}
    # Under a same-origin policy the browser sends the page's own address as Referer.
    signed_in = client.post(
        "/sign-in", data=form, headers={"Referer": "https://trygg.example.se/sign-in"}, **https
    )
    assert signed_in.status_code == 302
    # Flask-WTF refuses an HTTPS form post without a Referer: the reason not to send none.
    refused = client.post("/sign-in", data=form, **https)
    assert refused.status_code == 400


def test_a_bearer_header_ignores_the_session(client, auth, coordinator):
    auth.login("coordinator@example.org")
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer ss_wrong"})
    assert response.status_code == 401
