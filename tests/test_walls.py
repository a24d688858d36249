"""Results walls: the coordinators make, change and remove them; the public wall and its
summary show the point's figures under every suppression rule, and move on only when
at least k new answers have arrived (docs/walls.md)."""

import itertools
import json
import re
import threading
import uuid

import pytest
import sqlalchemy as sa

from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.public import walls
from surveyservice.public.models import Wall
from surveyservice.results.settings import thresholds_for

from .conftest import csrf_token_from

QUESTIONS = [
    {
        "id": "safe_now",
        "type": "single",
        "label": {"sv": "Hur trygg känner du dig?", "en": "How safe do you feel?"},
        "options": [
            {"value": "safe", "label": {"sv": "Trygg", "en": "Safe"}},
            {"value": "unsafe", "label": {"sv": "Otrygg", "en": "Unsafe"}},
        ],
    },
    {"id": "why", "type": "longtext", "label": {"sv": "Varför?", "en": "Why?"}},
    {"id": "lit", "type": "yesno", "label": {"sv": "Är det upplyst?", "en": "Is it lit?"}},
    {"id": "age", "type": "number", "label": {"sv": "Ålder", "en": "Age"}},
    {"id": "rating", "type": "scale", "label": {"sv": "Betyg", "en": "Rating"}, "min": 1, "max": 3},
]


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org, questions=QUESTIONS))


def send(app, point, count: int, answers: dict) -> None:
    client = app.test_client()
    for _ in range(count):
        response = client.post(
            f"/api/v1/collect/{point.token}/responses",
            json={"id": str(uuid.uuid4()), "version": 1, "language": "sv", "answers": answers},
        )
        assert response.status_code == 201, response.json


@pytest.fixture
def wall(point, coordinator):
    made = walls.create_wall(point, ["safe_now"], coordinator)
    db.session.commit()
    return made


def summary(client, wall, lang="sv"):
    response = client.get(f"/w/{wall.token}/summary.json?lang={lang}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def signed_in(client, auth, user):
    auth.login(user.email)
    return client


def form_token(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


# --- which questions -------------------------------------------------------------------


def test_only_choice_questions_can_be_chosen(point, coordinator):
    definition = point.served_version.definition
    assert [q["id"] for q in walls.choice_questions(definition)] == ["safe_now", "lit", "rating"]
    for wrong, message in [
        (["why"], "Only choice, yes/no and scale questions"),
        (["age"], "Only choice, yes/no and scale questions"),
        (["nope"], "The questionnaire has no question nope."),
        ([], "Choose one or two questions."),
        (["safe_now", "lit", "rating"], "Choose at most two questions"),
    ]:
        with pytest.raises(walls.WallError, match=re.escape(message)):
            walls.check_questions(point, wrong)
    # In the questionnaire's order, each once.
    assert walls.check_questions(point, ["rating", "safe_now", "rating"]) == ["safe_now", "rating"]


def test_coordinator_makes_changes_and_removes_a_wall_and_each_is_audited(
    client, auth, coordinator, point
):
    signed_in(client, auth, coordinator)
    page = client.get(f"/walls/new?point={point.id}").get_data(as_text=True)
    # Only the choice questions are offered.
    assert 'value="safe_now"' in page and 'value="lit"' in page and 'value="rating"' in page
    assert 'value="why"' not in page and 'value="age"' not in page
    token = csrf_token_from(page)
    made = client.post(
        "/walls/new",
        data={"csrf_token": token, "point": point.id, "questions": ["lit", "safe_now"]},
    )
    assert made.status_code == 303
    wall = db.session.execute(sa.select(Wall)).scalar_one()
    assert wall.question_ids == ["safe_now", "lit"]
    assert len(wall.token) >= 22 and wall.token not in (point.token,)
    listing = client.get("/walls").get_data(as_text=True)
    assert f"/w/{wall.token}?lang=sv" in listing and f"/w/{wall.token}?lang=en" in listing
    assert "Hur trygg känner du dig?" in listing

    changed = client.post(
        f"/walls/{wall.id}/edit", data={"csrf_token": token, "questions": ["rating"]}
    )
    assert changed.status_code == 303
    db.session.expire_all()
    assert db.session.get(Wall, wall.id).question_ids == ["rating"]

    assert client.get(f"/walls/{wall.id}/remove").status_code == 200
    assert client.post(f"/walls/{wall.id}/remove", data={"csrf_token": token}).status_code == 303
    assert db.session.execute(sa.select(Wall)).scalar_one_or_none() is None
    actions = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.details).order_by(AuditEntry.id)
    ).all()
    logged = [(a, d) for a, d in actions if a.startswith("wall.")]
    assert [a for a, _ in logged] == ["wall.created", "wall.changed", "wall.removed"]
    assert logged[1][1] == {"point": point.id, "questions": ["rating"]}
    # The wall's address is gone.
    assert client.get(f"/w/{wall.token}").status_code == 404


def test_a_free_text_question_is_a_field_error_and_stores_nothing(client, auth, coordinator, point):
    signed_in(client, auth, coordinator)
    token = form_token(client, f"/walls/new?point={point.id}")
    for chosen, message in [
        (["why"], "Bara flervals-, ja/nej- och skalfrågor kan visas på en vägg; why är ingen"),
        ([], "Välj en eller två frågor."),
        (["safe_now", "lit", "rating"], "Välj högst två frågor"),
        (["x" * 5000], "Enkäten har ingen fråga"),
    ]:
        response = client.post(
            "/walls/new", data={"csrf_token": token, "point": point.id, "questions": chosen}
        )
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'class="field-problem" id="problem-questions"' in page
        assert message in page.replace("&#39;", "'")
        assert 'aria-invalid="true"' in page
    assert db.session.execute(sa.select(sa.func.count()).select_from(Wall)).scalar() == 0
    # A point that is not a number, or not there, is a 404, not a 500.
    for bad in ("abc", "99999999999999", "0", str(point.id + 50)):
        assert (
            client.post("/walls/new", data={"csrf_token": token, "point": bad}).status_code == 404
        )


def test_a_point_number_not_written_in_0_9_is_a_404(client, auth, coordinator, point):
    signed_in(client, auth, coordinator)
    token = form_token(client, f"/walls/new?point={point.id}")
    # "²" and "١" pass str.isdigit(); int() refuses the first and reads the second as 1.
    for bad in ("²", "١", "-1", "99999999999999999999", f"{point.id}²", " 1"):
        assert client.get("/walls/new", query_string={"point": bad}).status_code == 404, bad
        posted = client.post(
            "/walls/new", data={"csrf_token": token, "point": bad, "questions": ["safe_now"]}
        )
        assert posted.status_code == 404, bad
    assert db.session.execute(sa.select(sa.func.count()).select_from(Wall)).scalar() == 0
    # No point at all: the list, whose picker chooses one.
    assert client.get("/walls/new").status_code == 302


def test_staff_may_not_make_walls(client, auth, staff, point):
    signed_in(client, auth, staff)
    assert client.get("/walls").status_code == 403
    assert client.get(f"/walls/new?point={point.id}").status_code == 403


def test_the_points_page_links_to_making_a_wall(client, auth, coordinator, point):
    signed_in(client, auth, coordinator)
    page = client.get(f"/collection-points/{point.id}").get_data(as_text=True)
    assert f'href="/walls/new?point={point.id}"' in page


# --- the stepping rule -------------------------------------------------------------------


def test_figures_move_on_only_after_k_new_answers(app, client, org, wall, point):
    k = thresholds_for(org).k
    assert k == 5
    assert summary(client, wall)["state"] == "waiting"
    send(app, point, 4, {"safe_now": "safe"})
    waiting = summary(client, wall)
    assert waiting["state"] == "waiting" and waiting["total"] is None
    assert waiting["questions"][0]["rows"] == []
    send(app, point, 3, {"safe_now": "safe"})
    send(app, point, 5, {"safe_now": "unsafe"})
    first = summary(client, wall)
    assert first["state"] == "shown"
    assert first["total"] == "12 svar"
    rows = {r["label"]: r for r in first["questions"][0]["rows"]}
    assert rows["Trygg"]["count"] == 7 and rows["Otrygg"]["count"] == 5
    assert rows["Trygg"]["figure"] == "7 · 58\xa0%" and rows["Trygg"]["width"] == 58
    db.session.expire_all()
    assert db.session.get(Wall, wall.id).shown_count == 12

    # k - 1 new answers: every screen gets the same state.
    send(app, point, k - 1, {"safe_now": "unsafe"})
    again = summary(client, wall)
    assert again == first
    assert summary(app.test_client(), wall) == first
    # The k-th: the figures move on, all of them at once.
    send(app, point, 1, {"safe_now": "unsafe"})
    moved = summary(client, wall)
    assert moved["total"] == "17 svar"
    rows = {r["label"]: r for r in moved["questions"][0]["rows"]}
    assert rows["Otrygg"]["count"] == 10 and rows["Trygg"]["count"] == 7


def test_the_step_is_a_conditional_update_that_only_one_worker_wins(app, wall, point, org):
    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 5, {"safe_now": "unsafe"})
    thresholds = thresholds_for(org)
    # Two workers read the point at count 0 and both find a step due.
    assert walls.step_due(point, walls.responses_at(point.id), thresholds.k)
    first = walls.figures(wall, thresholds, "Europe/Stockholm")
    assert walls.step(point, 0, 11, {wall.id: first}, wall.created_at) is True
    other = {**first, "total": 999}
    assert walls.step(point, 0, 11, {wall.id: other}, wall.created_at) is False
    db.session.expire_all()
    kept = db.session.get(Wall, wall.id)
    assert kept.shown_count == 11 and kept.shown["total"] == 11
    assert kept.point.walls_shown_count == 11


def test_a_change_of_questions_waits_for_k_more_answers(app, client, coordinator, wall, point):
    send(app, point, 6, {"safe_now": "safe", "lit": True})
    send(app, point, 6, {"safe_now": "unsafe", "lit": False})
    assert summary(client, wall)["state"] == "shown"
    walls.change_wall(wall, ["safe_now", "lit"], coordinator)
    db.session.commit()
    send(app, point, 1, {"safe_now": "safe", "lit": True})
    # One answer after a change cannot be read off the new question's first figures.
    after = summary(client, wall)
    assert after["state"] == "waiting"
    assert all(q["rows"] == [] for q in after["questions"])
    send(app, point, 4, {"safe_now": "safe", "lit": True})
    shown = summary(client, wall)
    assert shown["state"] == "shown"
    assert [q["label"] for q in shown["questions"]] == [
        "Hur trygg känner du dig?",
        "Är det upplyst?",
    ]
    lit = {r["label"]: r["count"] for r in shown["questions"][1]["rows"]}
    assert lit == {"Ja": 11, "Nej": 6}


def test_figures_kept_for_other_questions_are_never_shown(app, client, wall, point):
    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "unsafe"})
    summary(client, wall)
    # A worker that stepped with the old questions while a coordinator changed them.
    db.session.execute(sa.update(Wall).values(question_ids=["lit"]))
    db.session.commit()
    assert summary(client, wall)["state"] == "waiting"


def _total(client, wall) -> str | None:
    return summary(client, wall)["total"]


def test_walls_of_one_point_step_together(app, client, coordinator, wall, point):
    send(app, point, 10, {"safe_now": "safe", "lit": True})
    assert _total(client, wall) == "10 svar"
    send(app, point, 1, {"safe_now": "unsafe", "lit": False})
    # A second screen made now must not show 11 beside the first's 10: the difference
    # would be the latest person's answer.
    second = walls.create_wall(point, ["safe_now"], coordinator)
    db.session.commit()
    assert summary(client, second)["state"] == "waiting"
    assert _total(client, wall) == "10 svar"
    send(app, point, 3, {"safe_now": "safe", "lit": True})
    assert summary(client, second)["state"] == "waiting"
    assert _total(client, wall) == "10 svar"
    # The k-th new answer since the first's figures: both move on, to the same count.
    send(app, point, 1, {"safe_now": "safe", "lit": True})
    assert _total(client, second) == "15 svar"
    assert _total(client, wall) == "15 svar"
    db.session.expire_all()
    kept = db.session.execute(sa.select(Wall.shown_count)).scalars().all()
    assert kept == [15, 15]


def test_a_wall_made_again_after_removal_waits_for_the_next_step(
    app, client, coordinator, wall, point
):
    send(app, point, 10, {"safe_now": "safe"})
    assert _total(client, wall) == "10 svar"
    walls.remove_wall(wall, coordinator)
    db.session.commit()
    send(app, point, 1, {"safe_now": "unsafe"})
    again = walls.create_wall(point, ["safe_now"], coordinator)
    db.session.commit()
    # Not 11: someone who saw the removed wall at 10 would read the 11th answer off it.
    assert summary(client, again)["state"] == "waiting"
    send(app, point, 4, {"safe_now": "unsafe"})
    assert _total(client, again) == "15 svar"


def test_every_shown_state_of_a_points_walls_is_the_same_or_k_apart(
    app, client, coordinator, wall, point, org
):
    k = thresholds_for(org).k
    seen: set[int] = set()
    screens = [wall]

    def look():
        shown = {}
        for screen in screens:
            state = summary(client, screen)
            if state["state"] == "shown":
                shown[screen.id] = int(state["total"].split()[0])
        # At any moment every wall with figures shows the same count.
        assert len(set(shown.values())) <= 1, shown
        seen.update(shown.values())

    answers = [{"safe_now": "safe", "lit": True}, {"safe_now": "unsafe", "lit": False}]
    for round_ in range(24):
        send(app, point, 1 + round_ % 3, answers[round_ % 2])
        look()
        if round_ % 5 == 1:
            screens.append(walls.create_wall(point, ["safe_now", "lit"], coordinator))
        elif round_ % 5 == 3 and len(screens) > 1:
            walls.remove_wall(screens.pop(0), coordinator)
        elif round_ % 7 == 4:
            changed = screens[-1]
            questions = ["lit"] if changed.question_ids != ["lit"] else ["safe_now"]
            walls.change_wall(changed, questions, coordinator)
        db.session.commit()
        look()
    counts = sorted(seen)
    assert len(counts) >= 4
    assert all(b - a >= k for a, b in itertools.pairwise(counts)), counts


def test_a_step_moves_every_wall_of_the_point_in_one_update(app, coordinator, wall, point, org):
    second = walls.create_wall(point, ["lit"], coordinator)
    db.session.commit()
    send(app, point, 6, {"safe_now": "safe", "lit": True})
    thresholds = thresholds_for(org)
    shown = {w.id: walls.figures(w, thresholds, "Europe/Stockholm") for w in (wall, second)}
    assert walls.step(point, 0, 6, shown, wall.created_at) is True
    # A second worker that read the same old count changes nothing on any wall.
    assert (
        walls.step(point, 0, 7, {w: {**f, "total": 7} for w, f in shown.items()}, wall.created_at)
        is False
    )
    db.session.expire_all()
    kept = db.session.execute(sa.select(Wall).order_by(Wall.id)).scalars().all()
    assert [(w.shown_count, w.shown["total"]) for w in kept] == [(6, 6), (6, 6)]
    assert kept[1].shown["question_ids"] == ["lit"]


def test_workers_asking_at_once_step_the_points_walls_once(
    app, coordinator, wall, point, monkeypatch
):
    second = walls.create_wall(point, ["lit"], coordinator)
    db.session.commit()
    tokens = [wall.token, second.token]
    send(app, point, 7, {"safe_now": "safe", "lit": True})
    stepped = []
    real_step = walls.step

    def counted_step(*args, **kwargs):
        won = real_step(*args, **kwargs)
        stepped.append(won)
        return won

    monkeypatch.setattr(walls, "step", counted_step)
    ready = threading.Barrier(6)
    totals = []

    def screen(index):
        client = app.test_client()
        ready.wait()
        totals.append(client.get(f"/w/{tokens[index % 2]}/summary.json?lang=sv").json["total"])

    threads = [threading.Thread(target=screen, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # However many workers saw the step due, one made it, for both walls alike.
    assert stepped.count(True) == 1
    assert totals == ["7 svar"] * 6
    db.session.expire_all()
    assert db.session.execute(sa.select(Wall.shown_count)).scalars().all() == [7, 7]


# --- suppression ----------------------------------------------------------------------


def _numbers(value) -> list:
    """Every number anywhere in the JSON (the bars' widths included)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def test_a_suppressed_cell_is_never_a_number_in_the_summary(app, client, wall, point):
    send(app, point, 9, {"safe_now": "safe"})
    send(app, point, 2, {"safe_now": "unsafe"})
    shown = summary(client, wall)
    assert shown["state"] == "shown"
    rows = shown["questions"][0]["rows"]
    assert rows and all(r["count"] is None and r["width"] is None for r in rows)
    assert {r["figure"] for r in rows} == {"färre än 5 svar"}
    # Neither 9 nor 2 appears anywhere, as a number or written in a text.
    assert 2 not in _numbers(shown) and 9 not in _numbers(shown)
    texts = json.dumps(shown, ensure_ascii=False)
    assert not re.search(r"\b[29]\b", re.sub(r'"(layout|version)":"[^"]*"', "", texts))


def test_a_withheld_view_shows_no_figures(app, client, wall, point, make_point, coordinator):
    # Another point of the questionnaire with 2 answers: the point's view beside the
    # unfiltered one would give those away, so the whole view is withheld.
    other = make_point(point.questionnaire, name="Torpadagen", area="Torpa")
    send(app, other, 2, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "unsafe"})
    shown = summary(client, wall)
    assert shown["state"] == "withheld"
    assert shown["total"] is None
    assert shown["questions"][0]["rows"] == []
    assert _numbers(shown) == []
    assert "så få svar" in shown["message"]


def test_below_the_threshold_the_page_has_no_figures(app, client, wall, point):
    send(app, point, 4, {"safe_now": "safe"})
    page = client.get(f"/w/{wall.token}").get_data(as_text=True)
    assert "Väntar på fler svar" in page and "minst 5" in page
    assert '<li class="row' not in page
    assert "4 svar" not in page


# --- the public wall ------------------------------------------------------------------


def test_the_wall_shows_the_code_the_address_and_the_title_in_each_language(
    app, client, wall, point
):
    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "unsafe"})
    page = client.get(f"/w/{wall.token}").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in page
    assert '<svg class="qr" role="img"' in page
    assert f"localhost/f/<wbr>{point.token}" in page
    assert '<h1 id="wall-title">Trygghet</h1>' in page
    assert 'Trygg</span><span class="row-figure">6 · 50\xa0%' in page
    assert 'role="status" aria-live="polite"' in page
    assert '<meta http-equiv="refresh" content="30">' in page
    assert "style=" not in page and "<script>" not in page
    english = client.get(f"/w/{wall.token}?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english and "Safe</span>" in english
    # A language the questionnaire does not speak: its default language.
    assert '<html lang="sv"' in client.get(f"/w/{wall.token}?lang=ar").get_data(as_text=True)
    assert summary(client, wall, "en")["questions"][0]["label"] == "How safe do you feel?"


def test_the_wall_in_arabic_reads_right_to_left(
    app, client, org, coordinator, make_questionnaire, make_point
):
    arabic = make_questionnaire(
        org,
        slug="arabic",
        title={"sv": "Trygghet", "en": "Safety", "ar": "الأمان"},
        languages=["sv", "en", "ar"],
        questions=[
            {
                "id": "lit",
                "type": "yesno",
                "label": {"sv": "Upplyst?", "en": "Lit?", "ar": "هل المكان مضاء؟"},
            }
        ],
    )
    point = make_point(arabic)
    made = walls.create_wall(point, ["lit"], coordinator)
    db.session.commit()
    page = client.get(f"/w/{made.token}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "هل المكان مضاء؟" in page and "الأمان" in page


def test_the_summary_is_cacheable_sets_no_cookie_and_answers_304(
    app, client, auth, coordinator, wall, point
):
    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "unsafe"})
    first = client.get(f"/w/{wall.token}/summary.json?lang=sv")
    assert first.headers["Cache-Control"] == "public, max-age=2"
    assert first.headers["Content-Type"] == "application/json"
    assert "Set-Cookie" not in first.headers
    assert "cookie" not in first.headers.get("Vary", "").lower()
    etag = first.headers["ETag"]
    again = client.get(f"/w/{wall.token}/summary.json?lang=sv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # A compressed copy has its own ETag, and revalidates too.
    packed = client.get(
        f"/w/{wall.token}/summary.json?lang=sv", headers={"Accept-Encoding": "gzip"}
    )
    if packed.headers.get("Content-Encoding") == "gzip":
        revalidated = client.get(
            f"/w/{wall.token}/summary.json?lang=sv",
            headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
        )
        assert revalidated.status_code == 304
    # After a step the ETag changes.
    send(app, point, 5, {"safe_now": "safe"})
    moved = client.get(f"/w/{wall.token}/summary.json?lang=sv", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    page = client.get(f"/w/{wall.token}")
    assert "Set-Cookie" not in page.headers and page.headers["Cache-Control"] == "public, no-cache"
    # A signed-in coordinator's session cookie is refreshed with the answer: their
    # copy is private, so that no shared cache keeps it.
    signed_in(client, auth, coordinator)
    for url in (f"/w/{wall.token}", f"/w/{wall.token}/summary.json"):
        response = client.get(url)
        assert response.headers["Cache-Control"].startswith("private"), url


def test_a_removed_or_unknown_wall_says_so(app, client, coordinator, wall):
    token = wall.token
    walls.remove_wall(wall, coordinator)
    db.session.commit()
    for bad in (token, "x", "a" * 40, ".."):
        response = client.get(f"/w/{bad}/summary.json?lang=en")
        assert response.status_code == 404
        assert response.json == {
            "state": "removed",
            "message": "This results wall has been removed.",
        }
        assert "Set-Cookie" not in response.headers
    page = client.get(f"/w/{token}")
    assert page.status_code == 404
    assert "Den här resultatväggen har tagits bort" in page.get_data(as_text=True) or (
        "This results wall has been removed." in page.get_data(as_text=True)
    )


def test_a_closed_point_keeps_its_figures_and_shows_no_code(app, client, coordinator, wall, point):
    from surveyservice.collection.points import close_point
    from surveyservice.database import utcnow

    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "unsafe"})
    before = summary(client, wall)
    close_point(point, utcnow())
    db.session.commit()
    after = summary(client, wall)
    # The page reloads itself (its layout changed) and shows the last figures.
    assert after["layout"] != before["layout"]
    assert after["questions"] == before["questions"]
    page = client.get(f"/w/{wall.token}").get_data(as_text=True)
    assert 'class="qr"' not in page
    assert "6 · 50\xa0%" in page


def test_the_summary_names_the_static_version_the_page_has(app, client, wall):
    page = client.get(f"/w/{wall.token}").get_data(as_text=True)
    version = summary(client, wall)["version"]
    assert f'data-version="{version}"' in page
    assert re.fullmatch(r"[0-9a-f]{16}-[0-9a-f]{16}", version)


def test_a_question_the_new_version_drops_keeps_its_label_and_figures(
    app, client, coordinator, wall, point
):
    from surveyservice.questionnaires.versions import publish_draft, save_draft

    from .conftest import make_definition

    send(app, point, 6, {"safe_now": "safe"})
    send(app, point, 6, {"safe_now": "unsafe"})
    assert summary(client, wall)["state"] == "shown"
    # Version 2 drops the question: the results still count its answers, and the wall
    # names it as it was asked.
    questionnaire = point.questionnaire
    save_draft(questionnaire, make_definition(questions=QUESTIONS[1:]))
    publish_draft(questionnaire)
    db.session.commit()
    send(app, point, 5, {"lit": True})
    question = summary(client, wall)["questions"][0]
    assert question["label"] == "Hur trygg känner du dig?"
    assert {r["label"]: r["count"] for r in question["rows"]}["Trygg"] == 6
