"""Admins manage their organisation's accounts in the browser; everyone manages their own
password and API tokens; a one-time link sets a password once."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.accounts import links
from surveyservice.accounts.accounts import AccountError, authenticate, change_role, set_active
from surveyservice.accounts.models import ApiToken, PasswordLink, Role, User
from surveyservice.audit.models import AuditEntry
from surveyservice.database import utcnow
from surveyservice.extensions import db

from .conftest import PASSWORD, csrf_token_from, make_user

NEW_PASSWORD = "a brand new password"


def post(client, page_url, url, data):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def link_from(html: str) -> str:
    return re.search(r'value="(http://localhost/set-password/[^"]+)"', html).group(1)


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def add_user(client, email="new@example.org", role="staff"):
    return post(client, "/accounts/new", "/accounts/new", {"email": email, "role": role})


# --- the domain rules --------------------------------------------------------


def test_the_last_active_admin_keeps_the_role_and_stays_active(app, admin):
    with pytest.raises(AccountError, match="needs an active admin"):
        change_role(admin, Role.COORDINATOR)
    with pytest.raises(AccountError, match="needs an active admin"):
        set_active(admin, False)
    db.session.rollback()
    second = make_user(admin.organisation, Role.ADMIN, "second@example.org")
    change_role(admin, Role.COORDINATOR)
    db.session.commit()
    with pytest.raises(AccountError, match="needs an active admin"):
        set_active(second, False)


def test_a_deactivated_admin_does_not_count(app, admin):
    other = make_user(admin.organisation, Role.ADMIN, "second@example.org")
    set_active(other, False)
    db.session.commit()
    with pytest.raises(AccountError):
        change_role(admin, Role.STAFF)


def test_an_admin_of_another_organisation_does_not_count(app, admin, other_org):
    make_user(other_org, Role.ADMIN, "admin@trollhattan.example.org")
    with pytest.raises(AccountError):
        set_active(admin, False)


def test_a_link_works_once(app, staff):
    now = utcnow()
    token = links.make_link(staff, now)
    db.session.commit()
    assert links.check_link(token, now).state == links.LinkState.VALID
    links.use_link(token, NEW_PASSWORD, now)
    db.session.commit()
    assert authenticate(staff.email, NEW_PASSWORD) is not None
    assert links.check_link(token, now).state == links.LinkState.USED
    with pytest.raises(AccountError):
        links.use_link(token, "yet another password", now)


def test_a_link_expires_after_seven_days(app, staff):
    made = utcnow()
    token = links.make_link(staff, made)
    db.session.commit()
    almost = made + timedelta(days=7) - timedelta(seconds=1)
    assert links.check_link(token, almost).state == links.LinkState.VALID
    assert links.check_link(token, made + timedelta(days=7)).state == links.LinkState.EXPIRED
    with pytest.raises(AccountError):
        links.use_link(token, NEW_PASSWORD, made + timedelta(days=7))


def test_a_new_link_voids_the_older_one_and_only_its_hash_is_kept(app, staff):
    now = utcnow()
    first = links.make_link(staff, now)
    second = links.make_link(staff, now)
    db.session.commit()
    assert links.check_link(first, now).state == links.LinkState.UNKNOWN
    assert links.check_link(second, now).state == links.LinkState.VALID
    stored = db.session.execute(sa.select(PasswordLink.token_hash)).scalars().all()
    assert len(stored) == 1 and second not in stored[0]


def test_a_short_password_leaves_the_link_working(app, staff):
    now = utcnow()
    token = links.make_link(staff, now)
    with pytest.raises(AccountError, match="at least 10"):
        links.use_link(token, "short", now)
    assert links.check_link(token, now).state == links.LinkState.VALID


def test_deactivation_voids_links(app, staff):
    now = utcnow()
    token = links.make_link(staff, now)
    set_active(staff, False)
    set_active(staff, True)
    db.session.commit()
    assert links.check_link(token, now).state == links.LinkState.UNKNOWN


# --- the admin's pages -------------------------------------------------------


def test_admin_adds_a_user_who_sets_a_password_with_the_link(app, client, auth, admin):
    auth.login(admin.email)
    response = add_user(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    link = link_from(response.get_data(as_text=True))
    user = db.session.execute(sa.select(User).filter_by(email="new@example.org")).scalar_one()
    assert user.role == Role.STAFF and authenticate("new@example.org", "") is None
    auth.logout()

    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200 and "new@example.org" in page.get_data(as_text=True)
    path = link.removeprefix("http://localhost")
    short = post(client, path, path, {"new_password": "short", "new_password_again": "short"})
    assert short.status_code == 422
    assert 'id="new_password-problem"' in short.get_data(as_text=True)
    differ = post(
        client, path, path, {"new_password": NEW_PASSWORD, "new_password_again": "x" * 12}
    )
    assert 'id="new_password_again-problem"' in differ.get_data(as_text=True)
    done = post(
        client, path, path, {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    )
    assert done.status_code == 302 and "password_set=1" in done.headers["Location"]
    assert auth.login("new@example.org", NEW_PASSWORD).status_code == 302

    again = client.get(path)
    assert again.status_code == 410
    assert "har redan använts" in again.get_data(as_text=True) or "redan använd" in again.get_data(
        as_text=True
    )
    assert actions() == ["user.created", "user.password_link_made", "user.password_set"]


@pytest.mark.parametrize("token", ["nonsense", "x" * 43, "%C2%B2" * 10])
def test_an_unknown_link_gets_a_clear_page(client, token):
    response = client.get(f"/set-password/{token}?lang=en")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    assert client.post(f"/set-password/{token}", data={}).status_code in (400, 404)


def test_an_expired_link_gets_a_clear_page(client, staff):
    token = links.make_link(staff, utcnow() - timedelta(days=8))
    db.session.commit()
    response = client.get(f"/set-password/{token}?lang=en")
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [
        ("not an address", "staff", "email"),
        ("staff@example.org", "staff", "email"),
        ("ok@example.org", "boss", "role"),
        ("ok@example.org", "", "role"),
    ],
)
def test_add_user_names_the_problem_beside_the_field(
    client, auth, admin, staff, email, role, field
):
    auth.login(admin.email)
    response = add_user(client, email, role)
    assert response.status_code == 422
    assert f'id="{field}-problem"' in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 2


def test_admin_changes_a_role_but_not_away_from_the_last_admin(client, auth, admin, staff):
    auth.login(admin.email)
    page = f"/accounts/{staff.id}"
    assert post(client, page, f"{page}/role", {"role": "coordinator"}).status_code == 302
    db.session.expire_all()
    assert staff.role == Role.COORDINATOR
    own = f"/accounts/{admin.id}"
    refused = post(client, own + "?lang=en", f"{own}/role", {"role": "staff"})
    assert refused.status_code == 409
    assert "needs an active admin" in refused.get_data(as_text=True)
    assert post(client, own, f"{own}/deactivate", {}).status_code == 409
    db.session.expire_all()
    assert admin.role == Role.ADMIN and admin.active
    assert post(client, page, f"{page}/role", {"role": "emperor"}).status_code == 422
    assert actions() == ["user.role_changed"]


def test_deactivation_refuses_the_users_session_and_token_at_once(
    client, auth, app, admin, staff, api_as
):
    api = api_as(staff)
    other = app.test_client()
    other_auth_page = other.get("/sign-in")
    other.post(
        "/sign-in",
        data={
            "email": staff.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_from(other_auth_page.get_data(as_text=True)),
        },
    )
    assert other.get("/staff/").status_code == 200
    auth.login(admin.email)
    page = f"/accounts/{staff.id}"
    assert post(client, page, f"{page}/deactivate", {}).status_code == 302
    assert other.get("/staff/").status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert post(client, page, f"{page}/reactivate", {}).status_code == 302
    assert api.get("/api/v1/me").status_code == 200
    # The session stays ended: reactivation does not bring it back.
    assert other.get("/staff/").status_code == 302
    assert actions() == ["user.deactivated", "user.reactivated"]


def test_admin_makes_a_new_link_and_the_old_one_stops(client, auth, admin, staff):
    auth.login(admin.email)
    page = f"/accounts/{staff.id}"
    first = link_from(post(client, page, f"{page}/password-link", {}).get_data(as_text=True))
    second = link_from(post(client, page, f"{page}/password-link", {}).get_data(as_text=True))
    assert client.get(first.removeprefix("http://localhost")).status_code == 404
    assert client.get(second.removeprefix("http://localhost")).status_code == 200


def test_admin_sees_and_revokes_a_users_tokens(client, auth, admin, staff, api_as):
    api = api_as(staff)
    auth.login(admin.email)
    page = f"/accounts/{staff.id}"
    html = client.get(page).get_data(as_text=True)
    assert api.token[:10] in html and api.token not in html
    token_id = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    assert post(client, page, f"{page}/tokens/{token_id}/revoke", {}).status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert post(client, page, f"{page}/tokens/{token_id}/revoke", {}).status_code == 404
    assert actions() == ["token.revoked"]


def test_only_admins_reach_the_account_pages(client, auth, coordinator, staff):
    for user in (coordinator, staff):
        auth.login(user.email)
        for url in ("/accounts", "/accounts/new", f"/accounts/{staff.id}"):
            assert client.get(url).status_code == 403
        auth.logout()


def test_accounts_list_shows_role_state_and_last_sign_in(client, auth, admin, staff):
    auth.login(staff.email)
    auth.logout()
    auth.login(admin.email)
    html = client.get("/accounts?lang=en").get_data(as_text=True)
    assert "staff@example.org" in html and "Staff" in html and "Active" in html
    # Signed in just now, shown in the organisation's time zone (Europe/Stockholm).
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d CES?T", html)


def test_hostile_addresses_and_names_are_escaped(client, auth, admin):
    auth.login(admin.email)
    response = add_user(client, "<script>x</script>@example.org", "staff")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>x" not in html and "&lt;script&gt;" in html


# --- one's own account -------------------------------------------------------


def change_password(client, current, new=NEW_PASSWORD, again=None):
    return post(
        client,
        "/account",
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def test_changing_ones_password_ends_the_other_sessions_only(app, client, auth, staff):
    other = app.test_client()
    page = other.get("/sign-in").get_data(as_text=True)
    other.post(
        "/sign-in",
        data={"email": staff.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
    )
    auth.login(staff.email)
    assert change_password(client, PASSWORD).status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    db.session.expire_all()
    assert authenticate(staff.email, NEW_PASSWORD) is not None
    assert actions() == ["user.password_set"]


def test_changing_ones_password_needs_the_current_one_and_is_throttled(client, auth, staff):
    auth.login(staff.email)
    wrong = change_password(client, "not my password")
    assert wrong.status_code == 422 and 'id="current_password-problem"' in wrong.get_data(
        as_text=True
    )
    assert change_password(client, PASSWORD, again="something else").status_code == 422
    for _ in range(4):
        change_password(client, "not my password")
    locked = change_password(client, PASSWORD)
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    db.session.expire_all()
    assert authenticate(staff.email, PASSWORD) is not None
    assert actions() == []


def test_own_tokens_are_shown_once_and_revoked(client, auth, staff, coordinator, api_as):
    others = api_as(coordinator)
    auth.login(staff.email)
    made = post(client, "/account", "/account/tokens", {"name": "<b>export</b>"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    token = re.search(
        r'id="new-token" class="secret" type="text" readonly value="([^"]+)"', html
    ).group(1)
    assert "<b>export" not in html
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/account").get_data(as_text=True)
    row = db.session.execute(sa.select(ApiToken).filter_by(user_id=staff.id)).scalar_one()
    theirs = db.session.execute(sa.select(ApiToken).filter_by(user_id=coordinator.id)).scalar_one()
    assert post(client, "/account", f"/account/tokens/{theirs.id}/revoke", {}).status_code == 404
    assert others.get("/api/v1/me").status_code == 200
    assert post(client, "/account", f"/account/tokens/{row.id}/revoke", {}).status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert actions() == ["token.created", "token.revoked"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "two\nlines"])
def test_a_token_needs_a_one_line_name(client, auth, staff, name):
    auth.login(staff.email)
    response = post(client, "/account", "/account/tokens", {"name": name})
    assert response.status_code == 422
    assert 'id="token-name-problem"' in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar() == 0


def test_the_link_uses_the_public_address(app, client, auth, admin, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://trygg.example.se/")
    auth.login(admin.email)
    html = add_user(client).get_data(as_text=True)
    assert re.search(r'value="https://trygg\.example\.se/set-password/[A-Za-z0-9_-]{43}"', html)
