"""Sessions that end when they should, and sign-in that slows down guessing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.accounts import throttle
from surveyservice.accounts.models import SignInThrottle, User
from surveyservice.database import utcnow
from surveyservice.extensions import db

from .conftest import PASSWORD, FreshContextClient, csrf_token_from


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def client_with_cookie(app, value: str) -> FreshContextClient:
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def sign_in(client, email, password=PASSWORD, next_url=None):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def test_sign_out_ends_every_copy_of_the_session(app, client, auth, coordinator):
    auth.login(coordinator.email)
    copied = session_cookie(client)
    thief = client_with_cookie(app, copied)
    thief.environ_base["HTTP_USER_AGENT"] = "Another browser"
    assert thief.get("/questionnaires").status_code == 200
    auth.logout()
    assert thief.get("/questionnaires").status_code == 302
    assert thief.get("/api/v1/me").status_code == 401


def test_a_new_password_and_deactivation_end_sessions(app, client, auth, coordinator, runner):
    auth.login(coordinator.email)
    copied = session_cookie(client)
    result = runner.invoke(
        args=["users", "password", coordinator.email, "--password", "a new long password"]
    )
    assert result.exit_code == 0, result.output
    assert "every session" in result.output
    assert client_with_cookie(app, copied).get("/questionnaires").status_code == 302
    assert sign_in(app.test_client(), coordinator.email).status_code == 401
    fresh = app.test_client()
    assert sign_in(fresh, coordinator.email, "a new long password").status_code == 302
    assert fresh.get("/questionnaires").status_code == 200
    result = runner.invoke(args=["users", "deactivate", coordinator.email])
    assert result.exit_code == 0, result.output
    assert fresh.get("/questionnaires").status_code == 302
    assert sign_in(app.test_client(), coordinator.email, "a new long password").status_code == 401
    assert runner.invoke(args=["users", "activate", coordinator.email]).exit_code == 0
    assert sign_in(app.test_client(), coordinator.email, "a new long password").status_code == 302


def test_sign_in_starts_a_fresh_session(client, coordinator):
    before = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    with client.session_transaction() as session:
        session["planted"] = "from before"
    sign_in(client, coordinator.email)
    with client.session_transaction() as session:
        assert "planted" not in session
    after = csrf_token_from(client.get("/questionnaires").get_data(as_text=True))
    assert after != before


def test_the_chosen_language_survives_sign_in(client, coordinator):
    client.get("/sign-in?lang=en")
    sign_in(client, coordinator.email)
    assert "Sign out" in client.get("/questionnaires").get_data(as_text=True)


def test_staff_land_on_collecting_and_coordinators_on_the_start_page(app, staff, coordinator):
    assert sign_in(app.test_client(), staff.email).headers["Location"] == "/staff/"
    assert sign_in(app.test_client(), coordinator.email).headers["Location"] == "/start"
    assert sign_in(app.test_client(), staff.email, next_url="/staff/").headers["Location"] == (
        "/staff/"
    )


def test_repeated_wrong_passwords_are_refused_for_a_while(app, client, coordinator):
    for _ in range(throttle.FREE_TRIES - 1):
        assert sign_in(client, coordinator.email, "wrong password").status_code == 401
    refused = sign_in(client, coordinator.email, "wrong password")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= throttle.FIRST_LOCK.total_seconds()
    assert "Vänta 1 min" in refused.get_data(as_text=True)
    # Even the right password is refused until the wait is over.
    right = sign_in(client, coordinator.email)
    assert right.status_code == 429
    assert client.get("/questionnaires").status_code == 302
    # Each further failure doubles the wait.
    _pass_time(coordinator.email)
    again = sign_in(client, coordinator.email, "wrong password")
    assert again.status_code == 429
    assert int(again.headers["Retry-After"]) > throttle.FIRST_LOCK.total_seconds()
    # After the wait the right password works, and the count starts again.
    _pass_time(coordinator.email)
    assert sign_in(client, coordinator.email).status_code == 302
    db.session.expire_all()
    assert db.session.execute(sa.select(SignInThrottle)).first() is None


def _pass_time(email):
    row = db.session.get(SignInThrottle, throttle._key(email))
    db.session.refresh(row)
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_unknown_addresses_are_throttled_alike(client, coordinator):
    for _ in range(throttle.FREE_TRIES - 1):
        assert sign_in(client, "nobody@example.org", "wrong password").status_code == 401
    assert sign_in(client, "nobody@example.org", "wrong password").status_code == 429
    # Another address is not affected.
    assert sign_in(client, coordinator.email).status_code == 302


def test_failures_long_ago_are_forgotten(client, coordinator):
    for _ in range(throttle.FREE_TRIES - 1):
        sign_in(client, coordinator.email, "wrong password")
    row = db.session.get(SignInThrottle, throttle._key(coordinator.email))
    row.last_failure_at = utcnow() - throttle.FORGET_AFTER - timedelta(minutes=1)
    db.session.commit()
    assert sign_in(client, coordinator.email, "wrong password").status_code == 401


@pytest.mark.parametrize(
    ("failures", "seconds"), [(1, 0), (4, 0), (5, 30), (6, 60), (8, 240), (12, 900), (60, 900)]
)
def test_lock_grows_then_stops_growing(failures, seconds):
    assert throttle.lock_for(failures).total_seconds() == seconds


def test_the_session_names_its_generation(client, auth, coordinator):
    auth.login(coordinator.email)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{coordinator.id}.0"
    auth.logout()
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).session_generation == 1


def test_the_session_keeps_nothing_of_the_clients_address_or_browser(client, coordinator):
    client.environ_base.update(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Tablet/1.0")
    sign_in(client, coordinator.email)
    with client.session_transaction() as session:
        assert set(session) <= {"_user_id", "_fresh", "csrf_token", "lang", "_permanent"}
    # A tablet that moves to another network stays signed in.
    client.environ_base.update(REMOTE_ADDR="198.51.100.4")
    assert client.get("/questionnaires").status_code == 200


def test_guesses_sent_at_once_are_all_counted_before_any_is_checked(app, coordinator):
    import threading

    from surveyservice.accounts import accounts

    checked = []
    real = accounts.check_password_hash
    email = coordinator.email  # read here: the threads have no database session

    def counting(stored, given):
        checked.append(given)
        return real(stored, given)

    accounts.check_password_hash = counting
    statuses = []
    try:

        def guess():
            statuses.append(sign_in(app.test_client(), email, "wrong guess").status_code)

        threads = [threading.Thread(target=guess) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        accounts.check_password_hash = real
    # However the twelve interleave, no more than the free tries reach the password check.
    assert len(checked) <= throttle.FREE_TRIES
    assert sorted(set(statuses)) == [401, 429] or set(statuses) == {429}
    db.session.expire_all()
    row = db.session.get(SignInThrottle, throttle._key(coordinator.email))
    assert row.failures == len(checked)


def test_a_new_password_opens_an_address_locked_by_guessing(app, client, coordinator, runner):
    for _ in range(throttle.FREE_TRIES):
        sign_in(client, coordinator.email, "wrong password")
    assert sign_in(client, coordinator.email).status_code == 429
    result = runner.invoke(
        args=["users", "password", coordinator.email, "--password", "a new long password"]
    )
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), coordinator.email, "a new long password").status_code == 302
