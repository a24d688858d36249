"""The resident form at /f/<token>, served as HTML that works without script."""

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from surveyservice.collection.models import Response
from surveyservice.database import utcnow
from surveyservice.extensions import db

FORMS = Path(__file__).resolve().parents[1] / "forms"


@pytest.fixture
def sanden(runner, org, make_point):
    """An open collection point serving the shipped Sanden questionnaire."""
    runner.invoke(args=["forms", "sync", str(FORMS)])
    from surveyservice.questionnaires.versions import find_questionnaire

    return make_point(find_questionnaire(org.id, "sanden-event"))


def rows():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def test_form_is_the_same_for_everyone_and_sets_no_cookie(client, sanden):
    first = client.get(f"/f/{sanden.token}")
    second = client.get(
        f"/f/{sanden.token}", headers={"User-Agent": "other", "Accept-Language": "en"}
    )
    assert first.status_code == 200
    assert first.data == second.data
    assert "Set-Cookie" not in first.headers
    assert "Set-Cookie" not in client.get(f"/f/{sanden.token}?lang=en").headers
    # A cache may keep one copy for everyone: the page depends on no cookie.
    assert "Cookie" not in first.headers.get("Vary", "")


def test_a_signed_in_staff_member_gets_the_same_form(client, auth, staff, sanden):
    anonymous = client.get(f"/f/{sanden.token}").data
    auth.login(staff.email)
    signed_in = client.get(f"/f/{sanden.token}")
    assert signed_in.data == anonymous
    # Its refreshed session cookie must never be kept by a cache for others.
    if "Set-Cookie" in signed_in.headers:
        assert "Cookie" in signed_in.headers["Vary"]


def test_form_renders_labels_fieldsets_and_languages(client, sanden):
    page = client.get(f"/f/{sanden.token}").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in page
    assert "<legend>Hur trygg eller otrygg känner du dig på Sanden just nu?" in page
    assert '<label for="f-comment">' in page
    assert 'hreflang="ar"' in page
    arabic = client.get(f"/f/{sanden.token}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "إلى أي مدى تشعر بالأمان أو عدم الأمان في ساندن الآن؟" in arabic
    assert "(مطلوب)" in arabic


def test_form_loads_nothing_from_other_sites(client, sanden):
    page = client.get(f"/f/{sanden.token}").get_data(as_text=True)
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page
    assert (
        "script-src 'self'" in client.get(f"/f/{sanden.token}").headers["Content-Security-Policy"]
    )


def test_plain_post_stores_the_answer_and_shows_thanks(client, sanden):
    response = client.post(
        f"/f/{sanden.token}",
        data={
            "version": "1",
            "language": "sv",
            "safety_now": "fairly_safe",
            "safety_evening": "fairly_unsafe",
            "safer_by": ["lighting", "other"],
            "safer_by_other": "Fler bänkar",
            "comment": "Mejla mig på anna@example.org",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/f/{sanden.token}/thanks?lang=sv"
    (row,) = rows()
    assert row.answers["safety_now"] == "fairly_safe"
    assert row.answers["safer_by"] == ["lighting", "other"]
    assert "anna@example.org" not in row.answers["comment"]
    assert row.channel.value == "resident"
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tack för dina svar!" in thanks


def test_plain_post_drops_answers_that_conditions_hide(client, sanden):
    client.post(
        f"/f/{sanden.token}",
        data={
            "version": "1",
            "language": "sv",
            "safety_now": "very_safe",
            "safety_evening": "very_safe",
            "safer_by": ["lighting"],
            "safer_by_other": "Skrivet i onödan",
        },
    )
    (row,) = rows()
    assert "safer_by_other" not in row.answers


def test_plain_post_with_errors_shows_them_tied_to_fields(client, sanden):
    response = client.post(
        f"/f/{sanden.token}?lang=en",
        data={"version": "1", "language": "en", "safety_evening": "nonsense", "comment": "Hej"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert "Please check 2 answers" in page
    label = "How safe or unsafe do you feel at Sanden right now?"
    assert f'<a href="#q-safety_now">{label}: Please answer this question.</a>' in page
    assert 'aria-describedby="err-safety_now" aria-invalid="true"' in page
    assert 'id="err-safety_evening">Please check this answer.' in page
    # What the person wrote is kept.
    assert ">Hej</textarea>" in page
    assert rows() == []


def test_closed_and_not_yet_open_points_show_a_friendly_page(
    client, sanden, org, make_point, api_as, coordinator
):
    api_as(coordinator).post(f"/api/v1/collection-points/{sanden.id}/close")
    closed = client.get(f"/f/{sanden.token}?lang=en")
    assert closed.status_code == 410
    assert "This questionnaire has closed" in closed.get_data(as_text=True)
    later = make_point(sanden.questionnaire, opens_at=utcnow() + timedelta(days=1))
    waiting = client.get(f"/f/{later.token}")
    assert waiting.status_code == 403
    assert "öppnar" in waiting.get_data(as_text=True)


def test_unknown_token_is_404(client, sanden):
    assert client.get("/f/zzzzzzzzzzzzzzzz").status_code == 404


def test_plain_post_from_a_page_of_an_older_version_is_stored_against_it(
    client, sanden, api_as, coordinator
):
    api = api_as(coordinator)
    definition = api.get("/api/v1/questionnaires/sanden-event/versions/1").json["definition"]
    definition["questions"] = definition["questions"][:3]
    api.put("/api/v1/questionnaires/sanden-event/draft", json=definition)
    assert api.post("/api/v1/questionnaires/sanden-event/draft/publish").json["number"] == 2
    page = client.get(f"/f/{sanden.token}").get_data(as_text=True)
    assert '<input type="hidden" name="version" value="2">' in page
    client.post(
        f"/f/{sanden.token}",
        data={
            "version": "1",
            "language": "sv",
            "safety_now": "very_safe",
            "safety_evening": "very_safe",
            "comment": "Från en gammal sida",
        },
    )
    (row,) = rows()
    assert row.version.number == 1
    assert row.answers["comment"] == "Från en gammal sida"
