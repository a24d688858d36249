"""The questionnaire editor's pages: create, edit as questions or as text, preview, publish."""

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from surveyservice.extensions import db
from surveyservice.questionnaires.models import QuestionnaireVersion

from .conftest import csrf_token_from, make_definition


@pytest.fixture
def signed_in(client, auth, coordinator):
    auth.login(coordinator.email)
    return client


class _FormReader(HTMLParser):
    def __init__(self, form_index: int):
        super().__init__(convert_charrefs=True)
        self.wanted, self.seen, self.inside = form_index, -1, False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_value: str | None = None
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.seen += 1
            self.inside = self.seen == self.wanted
        if not self.inside:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select, self.select_value = a.get("name"), None
        elif tag == "option" and self.select is not None:
            if self.select_value is None or "selected" in a:
                self.select_value = a.get("value", "")
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            if self.inside:
                self.fields.append((self.select, self.select_value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data


def form_of(html: str, index: int = 1) -> MultiDict:
    """A form's fields as a browser sends them (index 0 is the sign-out form)."""
    reader = _FormReader(index)
    reader.feed(html)
    return MultiDict(reader.fields)


def fill(data: MultiDict, values: dict) -> None:
    for key, value in values.items():
        data[key] = value


def versions():
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)
    ).scalars()
    return [(v.status.value, v.number, v.content_hash, v.definition) for v in rows]


def draft_definition():
    drafts = [v for v in versions() if v[0] == "draft"]
    return drafts[0][3] if drafts else None


def post_editor(client, data, action="save"):
    data = MultiDict(data)
    data["action"] = action
    return client.post("/questionnaires/sample/edit", data=data)


# --- creating -----------------------------------------------------------------------


def test_coordinator_creates_a_questionnaire_and_lands_in_its_draft(signed_in):
    page = signed_in.get("/new-questionnaire").get_data(as_text=True)
    data = form_of(page)
    fill(data, {"slug": "torget", "title": "Trygghet på torget", "languages": "sv, en, ar"})
    response = signed_in.post("/new-questionnaire", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/questionnaires/torget/edit"
    [(status, number, _, definition)] = versions()
    assert (status, number) == ("draft", None)
    assert definition["languages"] == ["sv", "en", "ar"]
    assert definition["default_language"] == "sv"
    assert definition["questions"][0]["label"] == "Ny fråga"
    editor = signed_in.get("/questionnaires/torget/edit").get_data(as_text=True)
    assert "Frågeformuläret är skapat" in editor


def test_creating_shows_each_problem_beside_its_field(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/new-questionnaire").get_data(as_text=True))
    fill(data, {"slug": "Bad Slug", "title": "", "languages": "sv, xx-!", "default_language": "en"})
    response = signed_in.post("/new-questionnaire", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # default_language is checked against the languages once they are right.
    for field in ("slug", "title", "languages"):
        assert f'id="e-{field}"' in page, field
        assert f'aria-describedby="h-{field} e-{field}" aria-invalid="true"' in page
    fill(data, {"slug": "sample", "title": "Igen", "languages": "sv", "default_language": "sv"})
    taken = signed_in.post("/new-questionnaire", data=data)
    assert taken.status_code == 422
    assert "Det finns redan ett frågeformulär med den identifieraren." in taken.get_data(
        as_text=True
    )
    assert len(versions()) == 1


def test_staff_cannot_open_the_editor(client, auth, staff, make_questionnaire, org):
    make_questionnaire(org)
    auth.login(staff.email)
    for url in (
        "/new-questionnaire",
        "/questionnaires/sample/edit",
        "/questionnaires/sample/edit/text",
        "/questionnaires/sample/publish",
        "/questionnaires/sample/preview",
    ):
        assert client.get(url).status_code == 403, url
    page = client.get("/questionnaires/sample").get_data(as_text=True)
    assert "/questionnaires/sample/edit" not in page


# --- the structured editor ------------------------------------------------------------


def test_saving_the_question_form_unchanged_changes_nothing(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    assert post_editor(signed_in, data).status_code == 302
    published, draft = versions()
    assert draft[2] == published[2]  # the same content: only the form went round


def test_question_form_edits_texts_options_range_and_condition(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    data["q0-label-en"] = "How safe do you feel <here>?"
    data["q0-onew-value"] = "dont_know"
    data["q0-onew-label-sv"] = "Vet ej"
    data["q0-onew-label-en"] = "Don't know"
    data["q1-if-op"] = "in"
    data["q1-if-value"] = "unsafe, dont_know"
    data["q1-help-sv"] = "Skriv inga namn."
    data["q1-help-en"] = "Write no names."
    data["q2-max"] = "7"
    data.pop("q0-required")
    assert post_editor(signed_in, data).status_code == 302
    first, second, third = draft_definition()["questions"]
    assert first["label"]["en"] == "How safe do you feel <here>?"
    assert first["required"] is False
    assert first["options"][-1] == {
        "value": "dont_know",
        "label": {"sv": "Vet ej", "en": "Don't know"},
    }
    assert second["show_if"] == [{"question": "safe_now", "in": ["unsafe", "dont_know"]}]
    assert second["help"] == {"sv": "Skriv inga namn.", "en": "Write no names."}
    assert (third["min"], third["max"], third["label"]) == (1, 7, "1–5")
    page = signed_in.get("/questionnaires/sample/edit").get_data(as_text=True)
    assert "How safe do you feel &lt;here&gt;?" in page
    assert "<here>" not in page


def test_buttons_add_move_and_remove_questions_before_saving(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    added = post_editor(signed_in, data, "add")
    assert added.status_code == 200
    page = added.get_data(as_text=True)
    assert "Fråga 4 är tillagd." in page
    assert 'id="f-q3-label-sv" name="q3-label-sv" value="" lang="sv" dir="ltr" autofocus' in page
    data = form_of(page)
    fill(
        data, {"q3-label-sv": "Bor du här?", "q3-label-en": "Do you live here?", "q3-type": "yesno"}
    )
    moved = post_editor(signed_in, data, "up-3")
    page = moved.get_data(as_text=True)
    assert "Frågan är flyttad upp till plats 3." in page
    assert 'id="b-up-2" autofocus' in page
    data = form_of(page)
    page = post_editor(signed_in, data, "remove-0").get_data(as_text=True)
    assert draft_definition() is None  # nothing is stored before Save
    assert post_editor(signed_in, form_of(page)).status_code == 422  # why_unsafe lost its target
    data = form_of(page)
    data["q0-if-question"] = ""
    assert post_editor(signed_in, data).status_code == 302
    ids = [q["id"] for q in draft_definition()["questions"]]
    assert ids == ["why_unsafe", "question_4", "rating"]


def problem_beside(page: str, error_id: str, message: str) -> None:
    block = re.search(rf'<div class="error" id="{error_id}">(.*?)</div>', page, re.S)
    assert block and message in block.group(1), error_id
    assert f'{error_id}" aria-invalid="true"' in page


def test_question_form_shows_every_problem_beside_its_field(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    data["q2-min"] = "lots"
    data["q1-id"] = "Why Unsafe"
    response = post_editor(signed_in, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problem_beside(page, "e-questions-2-min", "Expected a number.")
    problem_beside(page, "e-questions-1-id", "Use lower-case letters")
    assert "Inget är sparat: rätta 2 problem" in page
    assert '<a href="#q-2">Fråga 3</a>: Expected a number.' in page
    # What was typed is kept, to be corrected.
    assert 'value="lots"' in page and 'value="Why Unsafe"' in page

    # Checks across fields come once the shape is right.
    data = form_of(page)
    fill(data, {"q2-min": "1", "q1-id": "why_unsafe", "q0-label-en": "", "q0-o1-value": "safe"})
    page = post_editor(signed_in, data).get_data(as_text=True)
    problem_beside(page, "e-questions-0-label", "The &#39;en&#39; text is missing.")
    problem_beside(page, "e-questions-0-options-1-value", "&#39;safe&#39; is used twice.")
    assert draft_definition() is None


def test_question_form_keeps_what_it_does_not_show(signed_in, make_questionnaire, org):
    make_questionnaire(
        org,
        questions=[
            {
                "id": "where",
                "type": "location",
                "label": "Var?",
                "places": [{"value": "torg", "label": "Torget"}],
            },
            {
                "id": "note",
                "type": "text",
                "label": "Annat",
                "max_length": 80,
                "show_if": [
                    {"question": "where", "answered": True},
                    {"question": "where", "answered": True},
                ],
            },
        ],
    )
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    data["q1-label-sv"] = "Något annat"
    data["q1-label-en"] = "Something else"
    assert post_editor(signed_in, data).status_code == 302
    where, note = draft_definition()["questions"]
    assert where["places"] == [{"value": "torg", "label": "Torget"}]
    assert note["max_length"] == 80 and len(note["show_if"]) == 2


def test_a_save_over_someone_elses_newer_draft_is_refused(
    signed_in, make_questionnaire, org, api_as, coordinator
):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    api_as(coordinator).put(
        "/api/v1/questionnaires/sample/draft", json=make_definition(title="Deras")
    )
    data["title-sv"] = "Min"
    response = post_editor(signed_in, data)
    assert response.status_code == 409
    assert draft_definition()["title"] == "Deras"


# --- the definition text -------------------------------------------------------------


def test_text_editor_saves_yaml_as_the_draft(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    page = signed_in.get("/questionnaires/sample/edit/text").get_data(as_text=True)
    data = form_of(page)
    assert data["definition"].startswith("slug: sample\n")
    data["definition"] = data["definition"].replace("1–5", "Ett till fem")
    response = signed_in.post("/questionnaires/sample/edit/text", data=data)
    assert response.status_code == 302
    assert draft_definition()["questions"][2]["label"] == "Ett till fem"


def test_text_editor_shows_each_problem_with_its_line_and_path(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit/text").get_data(as_text=True))
    lines = data["definition"].split("\n")
    n = next(i for i, line in enumerate(lines) if "value: unsafe" in line)
    lines[n] = lines[n].replace("unsafe", "safe")
    data["definition"] = "\n".join(lines)
    response = signed_in.post("/questionnaires/sample/edit/text", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        f'data-line="{n + 1}">Rad {n + 1}</a> · <code>questions[0].options[1].value</code>' in page
    )
    assert "Inget är sparat: texten har 2 problem" in page  # the value, and the condition on it

    data["definition"] = "slug: sample\ntitle: [unclosed\n"
    page = signed_in.post("/questionnaires/sample/edit/text", data=data).get_data(as_text=True)
    assert 'data-line="3">Rad 3</a>' in page
    assert "is not valid YAML at line 3" in page
    assert draft_definition() is None


# --- the preview ----------------------------------------------------------------------


def test_preview_shows_the_saved_draft_in_each_language(
    signed_in, make_questionnaire, org, api_as, coordinator
):
    make_questionnaire(
        org,
        languages=["sv", "en", "ar"],
        title="T",
        questions=[
            {"id": "q", "type": "yesno", "label": {"sv": "Fråga", "en": "Question", "ar": "قديم"}},
        ],
    )
    draft = make_definition(
        languages=["sv", "en", "ar"],
        title="T",
        questions=[
            {"id": "q", "type": "yesno", "label": {"sv": "Utkast", "en": "Draft", "ar": "مسودة"}},
        ],
    )
    api_as(coordinator).put("/api/v1/questionnaires/sample/draft", json=draft)
    response = signed_in.get("/questionnaires/sample/preview?language=ar")
    page = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "مسودة" in page and "قديم" not in page
    assert 'href="?language=sv"' in page  # its own language links stay in the preview
    # It can be framed by the editor, and takes no answers: it sends back to itself.
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert 'method="get" action="/questionnaires/sample/preview"' in page
    assert "/f/" not in page
    sent = signed_in.get("/questionnaires/sample/preview?language=sv&version=0&q=true")
    assert "Förhandsvisning: inget skickades." in sent.get_data(as_text=True)
    editor = signed_in.get("/questionnaires/sample/edit").get_data(as_text=True)
    assert 'title="Förhandsvisning av formuläret"' in editor
    assert 'href="/questionnaires/sample/preview?language=ar&amp;v=' in editor


def test_other_pages_still_refuse_framing(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    response = signed_in.get("/questionnaires/sample/edit")
    assert response.headers["X-Frame-Options"] == "DENY"


# --- publishing -------------------------------------------------------------------------


def breaking_draft():
    draft = make_definition()
    draft["questions"][0]["options"][1]["value"] = "not_safe"
    draft["questions"][1]["show_if"]["equals"] = "not_safe"
    draft["questions"][2]["max"] = 7
    return draft


def test_publish_page_warns_of_breaking_changes_and_needs_confirmation(
    signed_in, make_questionnaire, org, api_as, coordinator
):
    make_questionnaire(org)
    api_as(coordinator).put("/api/v1/questionnaires/sample/draft", json=breaking_draft())
    page = signed_in.get("/questionnaires/sample/publish").get_data(as_text=True)
    assert "Ändringarna bryter jämförelsen med tidigare svar" in page
    assert "Fråga safe_now: svarsvärdena unsafe tas bort eller byter namn." in page
    assert "Fråga rating: intervallet ändras från 1–5 till 1–7." in page
    data = form_of(page)
    refused = signed_in.post("/questionnaires/sample/publish", data=data)
    assert refused.status_code == 422
    assert 'id="e-understood"' in refused.get_data(as_text=True)
    assert [v[1] for v in versions()] == [1, None]
    data["understood"] = "yes"
    published = signed_in.post("/questionnaires/sample/publish", data=data)
    assert published.status_code == 302
    assert [v[1] for v in versions()] == [1, 2]
    assert "Version 2 är publicerad." in signed_in.get("/questionnaires/sample").get_data(
        as_text=True
    )


def test_publishing_a_draft_changed_since_the_review_is_refused(
    signed_in, make_questionnaire, org, api_as, coordinator
):
    make_questionnaire(org)
    api = api_as(coordinator)
    api.put("/api/v1/questionnaires/sample/draft", json=make_definition(title="Först"))
    data = form_of(signed_in.get("/questionnaires/sample/publish").get_data(as_text=True))
    api.put("/api/v1/questionnaires/sample/draft", json=make_definition(title="Sedan"))
    assert signed_in.post("/questionnaires/sample/publish", data=data).status_code == 409
    assert [v[1] for v in versions()] == [1, None]


def test_discarding_the_draft_needs_the_box_ticked(
    signed_in, make_questionnaire, org, api_as, coordinator
):
    make_questionnaire(org)
    api_as(coordinator).put("/api/v1/questionnaires/sample/draft", json=make_definition(title="X"))
    page = signed_in.get("/questionnaires/sample/publish").get_data(as_text=True)
    data = form_of(page, 2)
    assert signed_in.post("/questionnaires/sample/draft/discard", data=data).status_code == 422
    assert len(versions()) == 2
    data["confirm"] = "yes"
    assert signed_in.post("/questionnaires/sample/draft/discard", data=data).status_code == 302
    assert len(versions()) == 1


# --- a published version never changes, whatever route is tried ---------------------------

CHANGED = make_definition(title={"sv": "Ändrad", "en": "Changed"})


def page_writes(client):
    """Every page route that writes, each sent a change, also aimed at version 1."""
    edit = form_of(client.get("/questionnaires/sample/edit").get_data(as_text=True))
    edit["title-sv"] = "Ändrad"
    edit["version"] = "1"
    text = form_of(client.get("/questionnaires/sample/edit/text").get_data(as_text=True))
    text["definition"] = text["definition"].replace("Trygghet", "Ändrad")
    token = edit["csrf_token"]
    new = {"csrf_token": token, "slug": "sample", "title": "X", "languages": "sv"}
    new["default_language"] = "sv"
    calls = [("/new-questionnaire", new)]
    for action in ("save", "add", "up-1", "down-0", "remove-2", "add-option-0"):
        calls.append(
            (f"/questionnaires/sample/edit?version=1&action={action}", {**edit, "action": action})
        )
    calls += [
        ("/questionnaires/sample/edit/text?version=1", text),
        ("/questionnaires/sample/publish?version=1", {"csrf_token": token, "understood": "yes"}),
        ("/questionnaires/sample/draft/discard?version=1", {"csrf_token": token, "confirm": "yes"}),
    ]
    return calls


def published_rows():
    return [v for v in versions() if v[0] == "published"]


def test_no_page_or_api_route_changes_a_published_version(
    signed_in, api_as, coordinator, make_questionnaire, org
):
    make_questionnaire(org)
    before = published_rows()
    api = api_as(coordinator)
    for url, data in page_writes(signed_in):
        response = signed_in.post(url, data=MultiDict(data))
        assert response.status_code < 500, url
        assert published_rows() == before, url
    # The pages made a draft at most; publishing it (as the API's own route) makes version 2,
    # and version 1 is still what it was.
    for method, url, body in [
        ("POST", "/api/v1/questionnaires", CHANGED),
        ("PUT", "/api/v1/questionnaires/sample/draft", CHANGED),
        ("PUT", "/api/v1/questionnaires/sample/versions/1", CHANGED),
        ("PATCH", "/api/v1/questionnaires/sample/versions/1", CHANGED),
        ("DELETE", "/api/v1/questionnaires/sample/versions/1", None),
        ("POST", "/api/v1/questionnaires/sample/versions/1", CHANGED),
        ("DELETE", "/api/v1/questionnaires/sample/draft", None),
        ("PUT", "/api/v1/questionnaires/sample/draft", CHANGED),
        ("POST", "/api/v1/questionnaires/sample/draft/publish", None),
    ]:
        response = api.open(method, url, json=body) if body else api.open(method, url)
        assert response.status_code < 500, url
        assert published_rows()[0] == before[0], (method, url)
    assert [v[1] for v in published_rows()] == [1, 2]


def test_the_pages_only_ever_write_the_draft(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    assert "Det finns inget utkast: det här är version 1" in signed_in.get(
        "/questionnaires/sample/edit"
    ).get_data(as_text=True)
    data["title-sv"] = "Ändrad"
    assert post_editor(signed_in, data).status_code == 302
    [published, draft] = versions()
    assert published[3]["title"]["sv"] == "Trygghet"
    assert (draft[0], draft[3]["title"]["sv"]) == ("draft", "Ändrad")


# --- another organisation ---------------------------------------------------------------

PAGE_ROUTES = [
    ("GET", "/questionnaires/sample/edit"),
    ("POST", "/questionnaires/sample/edit"),
    ("GET", "/questionnaires/sample/edit/text"),
    ("POST", "/questionnaires/sample/edit/text"),
    ("GET", "/questionnaires/sample/publish"),
    ("POST", "/questionnaires/sample/publish"),
    ("POST", "/questionnaires/sample/draft/discard"),
    ("GET", "/questionnaires/sample/preview"),
]


def test_another_organisations_coordinator_gets_404_and_changes_nothing(
    client, auth, coordinator, other_coordinator, make_questionnaire, org, api_as
):
    make_questionnaire(org)
    api_as(coordinator).put("/api/v1/questionnaires/sample/draft", json=CHANGED)
    before = versions()
    auth.login(other_coordinator.email)
    token = csrf_token_from(client.get("/questionnaires").get_data(as_text=True))
    body = {
        "csrf_token": token,
        "definition": "slug: sample",
        "confirm": "yes",
        "understood": "yes",
    }
    for method, url in PAGE_ROUTES:
        response = client.open(url, method=method, data=body if method == "POST" else None)
        assert response.status_code == 404, (method, url)
    assert versions() == before
    # The same routes work for the owner, so the 404s above are the check, not a typo.
    auth.logout()
    auth.login(coordinator.email)
    for method, url in PAGE_ROUTES:
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_every_editor_text_has_a_swedish_translation():
    from pathlib import Path

    from surveyservice.questionnaires.editor_views import OPERATOR_NAMES, TYPE_NAMES

    from .test_translations import catalogue

    root = Path(__file__).resolve().parents[1] / "surveyservice"
    used = set(TYPE_NAMES.values()) | set(OPERATOR_NAMES.values())
    for name in ("editor_views.py", "editor_form.py"):
        source = (root / "questionnaires" / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'\b_t\(\s*"((?:[^"\\]|\\.)+)"', source))
        used |= set(re.findall(r'Outcome\([^"]*"[^"]*",\s*"([^"]+)"', source))
    swedish = catalogue("sv")
    assert len(used) > 30
    assert sorted(t for t in used if t not in swedish or not swedish[t].string) == []


def test_preview_of_unsaved_changes_stores_nothing(signed_in, make_questionnaire, org):
    make_questionnaire(org)
    before = versions()
    data = form_of(signed_in.get("/questionnaires/sample/edit").get_data(as_text=True))
    data["q0-label-en"] = "Unsaved wording"
    response = signed_in.post("/questionnaires/sample/preview?language=en", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Unsaved wording" in page
    assert "This is a preview of changes not saved yet" in page
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    text = form_of(signed_in.get("/questionnaires/sample/edit/text").get_data(as_text=True))
    text["definition"] = text["definition"].replace("Safety", "Typed, not saved")
    page = signed_in.post("/questionnaires/sample/preview?language=en", data=text)
    assert "Typed, not saved" in page.get_data(as_text=True)
    text["definition"] = "slug: sample\n"
    invalid = signed_in.post("/questionnaires/sample/preview", data=text)
    assert invalid.status_code == 422
    assert "De osparade ändringarna kan inte visas" in invalid.get_data(as_text=True)
    assert versions() == before


def test_a_draft_equal_to_the_latest_version_offers_no_publishing(
    signed_in, make_questionnaire, org, api_as, coordinator
):
    make_questionnaire(org)
    api_as(coordinator).put("/api/v1/questionnaires/sample/draft", json=make_definition())
    page = signed_in.get("/questionnaires/sample/publish").get_data(as_text=True)
    assert "Utkastet är detsamma som version 1: det finns inget att publicera." in page
    assert "Publicera som version 2" not in page
    token = csrf_token_from(page)
    base = versions()[1][2]
    refused = signed_in.post(
        "/questionnaires/sample/publish", data={"csrf_token": token, "base": base}
    )
    assert refused.status_code == 409
    assert "nothing to publish" in refused.get_data(as_text=True)
    assert [v[1] for v in versions()] == [1, None]


def test_the_editors_record_each_change_in_the_audit_log(signed_in, make_questionnaire, org):
    from surveyservice.audit.models import AuditEntry

    def logged():
        db.session.expire_all()
        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.subject, AuditEntry.details).order_by(
                AuditEntry.id
            )
        )
        return [tuple(row) for row in rows]

    data = form_of(signed_in.get("/new-questionnaire").get_data(as_text=True))
    fill(data, {"slug": "torget", "title": "Trygghet på torget", "languages": "sv"})
    signed_in.post("/new-questionnaire", data=data)
    make_questionnaire(org)
    text = form_of(signed_in.get("/questionnaires/sample/edit/text").get_data(as_text=True))
    text["definition"] = text["definition"].replace("1–5", "Ett till fem")
    signed_in.post("/questionnaires/sample/edit/text", data=text)
    # A save the validator refuses records nothing.
    text = form_of(signed_in.get("/questionnaires/sample/edit/text").get_data(as_text=True))
    text["definition"] = "slug: sample\nquestions: 3\n"
    assert signed_in.post("/questionnaires/sample/edit/text", data=text).status_code == 422
    post_editor(signed_in, form_of(signed_in.get("/questionnaires/sample/edit").get_data(True)))
    publish = form_of(signed_in.get("/questionnaires/sample/publish").get_data(as_text=True))
    signed_in.post("/questionnaires/sample/publish", data=publish)
    assert logged() == [
        ("questionnaire.created", "torget", None),
        ("questionnaire.draft_saved", "sample", None),
        ("questionnaire.draft_saved", "sample", None),
        ("questionnaire.published", "sample", {"version": 2}),
    ]
