"""Rules that mutation testing (`make mutation`) found no test holding, each through the API.

Every refusal is checked by the exact message an API client gets beside the answer,
and every edge by what is stored.
"""

from collections import OrderedDict
from datetime import timedelta

import pytest

from surveyservice.collection import ratelimit
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.privacy import person_names
from surveyservice.privacy.coarsening import coarsen_position
from surveyservice.questionnaires import versions
from surveyservice.questionnaires.definition import canonical_json, content_hash
from surveyservice.questionnaires.versions import publish_draft, save_draft

from .conftest import make_definition
from .test_rules_pinned import at, body, post, question, staff_answer, stored_rows


def options(*values):
    return [{"value": v, "label": v} for v in values]


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


@pytest.fixture
def every_kind_point(org, make_questionnaire, make_point):
    questions = [
        question("worries", "multi", options=options("dark", "traffic")),
        question("people", "number", min=1, max=100),
        question("count", "number"),
        question("place", "text"),
        question("story", "longtext"),
        question("when", "date"),
        question("where", "location", places=options("brygga", "torget")),
    ]
    return make_point(make_questionnaire(org, questions=questions))


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"worries": "dark"}, "Expected a list of option values."),
        ({"worries": [1]}, "Expected a list of option values."),
        (
            {"worries": ["a1", "a2", "a3", "a4", "a5", "a6"]},
            "Not options of this question: a1, a2, a3, a4, a5.",
        ),
        ({"worries": ["dark", "dark"]}, "An option is chosen twice."),
        ({"people": "5"}, "Expected a number."),
        ({"count": 10**15 + 1}, "Expected a number of a sensible size."),
        ({"count": -(10**15) - 1}, "Expected a number of a sensible size."),
        ({"place": 5}, "Expected a text."),
        ({"story": "Vid\rbryggan"}, "The text contains control characters."),
        ({"place": "Vid\nbryggan"}, "A short answer is one line, without tabs or line breaks."),
        ({"when": "1899-12-31"}, "The date is out of range."),
        ({"when": "2101-01-01"}, "The date is out of range."),
        (
            {"where": 5},
            'Expected {"place": ...} or {"lat": ..., "lon": ...}, with "accuracy" and '
            '"source" if known.',
        ),
        (
            {"where": {}},
            'Expected {"place": ...} or {"lat": ..., "lon": ...}, with "accuracy" and '
            '"source" if known.',
        ),
        ({"where": {"place": "parken"}}, "Expected a place among: brygga, torget."),
        ({"where": {"lon": 12.32}}, "A position needs lat and lon as numbers."),
        *(
            (
                {"where": position},
                "A position needs lat from -90 to 90 and lon from -180 to 180.",
            )
            for position in (
                {"lat": -90.5, "lon": 0},
                {"lat": 90.5, "lon": 0},
                {"lat": 0, "lon": -180.5},
                {"lat": 0, "lon": 180.5},
            )
        ),
    ],
)
def test_each_wrong_answer_gets_its_own_message_and_nothing_is_stored(
    client, every_kind_point, answers, message
):
    response = post(client, every_kind_point, body(answers=answers))
    assert response.status_code == 422
    (qid,) = answers
    assert response.json["errors"]["json"] == {f"answers.{qid}": [message]}
    assert stored_rows() == []


@pytest.mark.parametrize(
    "answers",
    [
        {"people": 100, "count": 10**15, "when": "1900-01-01"},
        {"count": -(10**15), "when": "2100-12-31"},
    ],
)
def test_answers_at_the_edges_are_stored_as_given(client, every_kind_point, answers):
    assert post(client, every_kind_point, body(answers=answers)).status_code == 201
    (row,) = stored_rows()
    assert row.answers == answers


@pytest.mark.parametrize(("lat", "lon"), [(-90, -180), (90, 180), (-90, 180), (90, -180)], ids=str)
def test_positions_at_the_poles_and_the_date_line_are_stored_coarsened(
    client, every_kind_point, lat, lon
):
    response = post(client, every_kind_point, body(answers={"where": {"lat": lat, "lon": lon}}))
    assert response.status_code == 201
    (row,) = stored_rows()
    coarse_lat, coarse_lon = coarsen_position(lat, lon)
    assert row.answers == {"where": {"lat": coarse_lat, "lon": coarse_lon}}


# --- questionnaire files ------------------------------------------------------------


def test_forms_sync_names_where_and_why_each_file_cannot_be_read(app, runner, org, tmp_path):
    (tmp_path / "a.yaml").write_text("slug: [unclosed\n")
    # Valid YAML, but not JSON: a .json file is read as JSON.
    (tmp_path / "b.json").write_text('{"slug": "beta",}')
    (tmp_path / "c.yaml").write_text("[" * 3000 + "]" * 3000)
    result = runner.invoke(args=["forms", "sync", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "a.yaml: a.yaml is not valid YAML at line 2, column 1: "
        "expected ',' or ']', but got '<stream end>'."
    ) in lines
    assert (
        "b.json: b.json could not be read: "
        "Expecting property name enclosed in double quotes: line 1 column 17 (char 16)"
    ) in lines
    assert "c.yaml: c.yaml is nested too deeply." in lines


# --- personal data in free text ----------------------------------------------------


@pytest.fixture
def fresh_name_lookup():
    """Words are looked up once per process; look them up again, as a new worker would."""
    person_names._flags.cache_clear()
    yield
    person_names._flags.cache_clear()


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        # First names before a first name and surname go with them, if they look like one.
        ("Jag såg Lars Erik Johansson", "Jag såg [namn]"),
        ("Jag såg lars Erik Johansson", "Jag såg lars [namn]"),
        ("Jag såg Lars, Erik Johansson", "Jag såg Lars, [namn]"),
        # Two people side by side are two names; a surname after one goes with it.
        ("Kalle Nilsson Erik Johansson", "[namn] [namn]"),
        ("Kalle Andersson Lind", "[namn]"),
        ("Jag såg Kalle Andersson lind igår", "Jag såg [namn] lind igår"),
        # After a word that introduces a name: the name, and the names right after it.
        ("Hon heter Eva lind", "Hon heter [namn] lind"),
        ("Hon heter eva Lind", "Hon heter [namn]"),
        ("Hon heter Eva Stockholm", "Hon heter [namn] Stockholm"),
        ("She is named Eva, Lind", "She is named [namn], Lind"),
        ("Han heter Erik وعلي سرق", "Han heter [namn] وعلي سرق"),
        ("اسمه كريم وأحمد سرق", "اسمه [namn] وأحمد سرق"),
        # Only a listed name after "heter", and no lower-case word even after "jag heter".
        ("Hunden heter Fido", "Hunden heter Fido"),
        ("Jag heter x", "Jag heter x"),
        ("Jag heter Fido", "Jag heter [namn]"),
        # The last letter of the Arabic block still makes an Arabic word.
        ("Jag heter ۿ", "Jag heter [namn]"),
        # Arabic names are looked up without the hamza that some write on alef.
        ("اسمه محمد أحمد", "اسمه [namn]"),
        ("أحمد محمد علي", "[namn]"),
    ],
)
def test_names_in_free_text_are_masked_where_they_are_names(
    client, point, fresh_name_lookup, written, stored
):
    assert stored_free_text(client, point, written) == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        # A bare "at" counts where the part before it has a dot, an underscore or a digit.
        ("Skriv till anna_s at firma dot se", "Skriv till [e-post]"),
        ("Skriv till anna2 at firma dot se", "Skriv till [e-post]"),
        ("Skriv till anna dot svensson at firma dot se", "Skriv till [e-post]"),
        ("Skriv till anna at firma dot se", "Skriv till anna at firma dot se"),
        ("Fråga Xander at firma dot se", "Fråga Xander at firma dot se"),
        # An address around a phone number is one address.
        ("Mejla 0701234567 (at) gmail punkt com", "Mejla [e-post]"),
        # A disguised address is looked for within 100 characters of its "at".
        ("Mejla " + "x" * 150 + "(at)gmail.com", "Mejla " + "x" * 50 + "[e-post]"),
        ("Mejla anna(at)" + "x" * 120 + ".com", "Mejla anna(at)" + "x" * 120 + ".com"),
        # The last day of a month, and of a coordination number's days (day + 60).
        ("Nr 850331-1234", "Nr [personnummer]"),
        ("Nr 850391-1234", "Nr [personnummer]"),
        ("Nr 85 03 31 - 1234", "Nr [personnummer]"),
        ("Nr 85 03 91 - 1234", "Nr [personnummer]"),
        # A number shaped like both whose check digit holds is a personnummer.
        ("Ring 0505150052", "Ring [personnummer]"),
    ],
)
def test_addresses_and_numbers_in_free_text_are_masked_at_their_edges(
    client, point, written, stored
):
    assert stored_free_text(client, point, written) == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        # Right after an address, another one: its first character is no longer read as
        # the end of the first address's domain.
        ("Mejla anna@telia.se/bertil@gmail.com", "Mejla [e-post][e-post]"),
        # A plate before a number reads as the start of a longer number, unless that
        # number is a phone number or a personnummer.
        ("Bilen ABC123/070-123 45 67", "Bilen [registreringsnummer]/[telefonnummer]"),
        ("Bilen ABC 123 0701234567", "Bilen [registreringsnummer] [telefonnummer]"),
        ("Bilen ABC 123 . 19811218-9876", "Bilen [registreringsnummer] . [personnummer]"),
        ("Kort 4111 1111 1111 1111,070-123 45 67", "Kort [kortnummer],[telefonnummer]"),
        ("Bilen ABC 123 45 står där", "Bilen ABC 123 45 står där"),
        # A name introduced by a word glued to a number.
        ("Ring 0701234567heter Kalle", "Ring [telefonnummer]heter [namn]"),
        # A name joined by a hyphen, as the parts of a double name are.
        ("Bil ABC 12D-Kalle Andersson", "Bil [registreringsnummer]-[namn]"),
        ("Anna Svensson-SE45 5000 0000 0583 9825 7466", "[namn]-[kontonummer]"),
        # Three addresses: the second runs on into what was read as the third.
        ("Mejla anna@telia.se/bertil@gmail.com/cesar@x.se", "Mejla [e-post][e-post]"),
        # Only the edges of what is masked are read again, not the edges inside it.
        ("Ring ABC 12D.0701234567@x.se", "Ring ABC [e-post]"),
        # What is read again is cut after 64 characters: what the cut leaves of
        # "ABC 123 45" is no plate.
        (
            "Ring 070-123 45 67x" + "y" * 55 + " ABC 123 45 meter bort",
            "Ring [telefonnummer]x" + "y" * 55 + " ABC 123 45 meter bort",
        ),
    ],
)
def test_data_written_against_other_data_is_read_as_if_that_were_masked(
    client, point, written, stored
):
    assert stored_free_text(client, point, written) == stored


def stored_free_text(client, point, written):
    answers = {"safe_now": "unsafe", "why_unsafe": written}
    assert post(client, point, body(answers=answers)).status_code == 201
    (row,) = stored_rows()
    return row.answers["why_unsafe"]


# --- what a refused submission says -------------------------------------------------


def test_an_unknown_version_says_the_point_does_not_take_it(client, point):
    response = post(client, point, body(version=2))
    assert response.status_code == 422
    assert response.json["message"] == "This collection point does not take that version."


def test_an_unknown_language_says_so(client, point):
    response = post(client, point, body(language="ar"))
    assert response.status_code == 422
    assert response.json["message"] == "The questionnaire is not in that language."


def test_a_device_clock_up_to_five_minutes_fast_is_taken_and_more_is_refused(
    api_as, staff, point, monkeypatch
):
    now = utcnow().replace(microsecond=0)
    at(monkeypatch, now)
    api = api_as(staff)
    assert staff_answer(api, point, now + timedelta(minutes=5)).status_code == 201
    refused = staff_answer(api, point, now + timedelta(minutes=5, microseconds=1))
    assert refused.status_code == 422
    assert (
        refused.json["message"] == "The answer's time is in the future: check the device's clock."
    )
    assert refused.json["errors"]["json"] == {"recorded_at": ["In the future."]}
    assert len(stored_rows()) == 1


def test_a_full_point_says_to_retry_shortly(app, client, point, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMISSION_RATE_LIMIT", 1)
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_900_000_000.0)
    assert post(client, point, body()).status_code == 201
    refused = post(client, point, body())
    assert refused.status_code == 429
    assert refused.json["message"] == (
        "Too many answers arrive at this collection point right now; retry shortly."
    )


def test_a_worker_that_has_not_seen_the_version_reads_it_from_the_database(
    client, point, monkeypatch
):
    # A new worker process starts with no definitions kept in memory.
    monkeypatch.setattr(versions, "_DEFINITIONS", OrderedDict())
    assert post(client, point, body()).status_code == 201
    (row,) = stored_rows()
    assert row.answers == {"safe_now": "safe"}


# --- answers that depend on other answers, and questions the form cannot take -------


def test_a_wrong_answer_does_not_also_report_its_follow_up_as_hidden(
    client, org, make_questionnaire, make_point
):
    follow_up = question(
        "follow_up", "text", show_if={"question": "seen", "answered": True}, required=True
    )
    seen = question("seen", "single", options=options("yes", "no"))
    point = make_point(make_questionnaire(org, questions=[seen, follow_up]))
    response = post(client, point, body(answers={"seen": "perhaps", "follow_up": "Vid bryggan"}))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"answers.seen": ["Expected one of: yes, no."]}
    assert stored_rows() == []


def test_an_empty_text_is_no_answer_to_a_required_question(client, point):
    response = post(client, point, body(answers={"safe_now": ""}))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"answers.safe_now": ["An answer is required."]}


def test_a_named_place_for_a_question_without_places_is_refused(
    client, org, make_questionnaire, make_point
):
    point = make_point(make_questionnaire(org, questions=[question("spot", "location")]))
    response = post(client, point, body(answers={"spot": {"place": "torget"}}))
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["answers.spot"]
    assert stored_rows() == []


def test_a_resident_cannot_answer_a_photo_question(client, point):
    questionnaire = point.questionnaire
    save_draft(questionnaire, make_definition(questions=[question("pic", "photo")]))
    publish_draft(questionnaire)
    db.session.commit()
    response = post(client, point, body(version=2, answers={"pic": "bild.jpg"}))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "answers.pic": ["Photos are taken by staff only; leave this out."]
    }


# --- what a refused definition says ---------------------------------------------------


def test_a_definition_of_too_many_values_is_refused_with_one_problem(api_as, coordinator):
    # Valid in every part, but 100 questions of 100 options are more than 50,000 values.
    questions = [
        question(f"q{n}", "single", options=options(*(f"o{m}" for m in range(100))))
        for n in range(100)
    ]
    response = api_as(coordinator).post(
        "/api/v1/questionnaires", json=make_definition(questions=questions)
    )
    assert response.status_code == 422
    assert response.json["message"] == (
        "The definition has 1 problem: (document): The document has more than 50000 values."
    )
    assert response.json["errors"]["json"] == {
        "_schema": ["The document has more than 50000 values."]
    }


def test_a_language_listed_twice_is_refused(api_as, coordinator):
    response = api_as(coordinator).post(
        "/api/v1/questionnaires", json=make_definition(languages=["sv", "en", "sv"])
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"languages": ["A language is listed twice."]}


def test_a_title_in_other_languages_than_the_questionnaires_is_refused(api_as, coordinator):
    response = api_as(coordinator).post(
        "/api/v1/questionnaires", json=make_definition(title={"de": "Sicherheit"})
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "title.de": ["'de' is not one of the questionnaire's languages."],
        "title": ["The 'sv' text is missing.", "The 'en' text is missing."],
    }


def test_a_description_needs_a_text_in_every_language(api_as, coordinator):
    response = api_as(coordinator).post(
        "/api/v1/questionnaires", json=make_definition(description={"sv": "Om trygghet"})
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"description": ["The 'en' text is missing."]}


def test_the_fingerprint_of_a_definition_stays_the_same_across_releases():
    # Fingerprints are stored with each version, and `flask forms sync` compares a file's
    # with the stored one: a change of the canonical form would publish every form anew.
    assert canonical_json({"b": "å", "a": [1, 2]}) == '{"a":[1,2],"b":"å"}'
    assert content_hash(make_definition()) == (
        "eb7673f17d49b40b92ae170bf398d01e93c015ff29a25e8bacec3a99be6fcf5a"
    )


# --- the rules of a definition, as a coordinator sending one meets them ---------------

YES = {"question": "seen", "equals": "yes"}
SEEN = question("seen", "single", options=[{"value": "yes", "label": "Ja"}])
TWO_OPTIONS = [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]


@pytest.mark.parametrize(
    ("questions", "problems"),
    [
        (
            [question("a", "single", options=[{"value": "x", "label": "X"}] * 2)],
            {"questions[0].options[1].value": ["'x' is used twice."]},
        ),
        (
            [question("a", "location", places=[{"value": "x", "label": "X"}] * 2)],
            {"questions[0].places[1].value": ["'x' is used twice."]},
        ),
        (
            [
                question(
                    "a",
                    "single",
                    options=[{"value": "x", "label": {"sv": "X", "en": "X", "de": "X"}}],
                )
            ],
            {
                "questions[0].options[0].label.de": [
                    "'de' is not one of the questionnaire's languages."
                ]
            },
        ),
        (
            [question("a", "yesno", help={"sv": "Hjälp"})],
            {"questions[0].help": ["The 'en' text is missing."]},
        ),
        (
            [
                question(
                    "a", "scale", min=1, max=5, min_label={"sv": "Lite"}, max_label={"en": "Much"}
                )
            ],
            {
                "questions[0].min_label": ["The 'en' text is missing."],
                "questions[0].max_label": ["The 'sv' text is missing."],
            },
        ),
        (
            [question("a", "single")],
            {"questions[0].options": ["A single question needs options."]},
        ),
        (
            [question("a", "multi", max_choices=2)],
            {"questions[0].options": ["A multi question needs options."]},
        ),
        (
            [question("a", "multi", options=TWO_OPTIONS, max_choices=3)],
            {"questions[0].max_choices": ["It is larger than the number of options."]},
        ),
        (
            [question("n", "number", min=5, max=4)],
            {"questions[0].max": ["It must not be smaller than min."]},
        ),
        (
            [question("n", "number", max=1e12 + 1)],
            {"questions[0].max": ["The number is too large."]},
        ),
        (
            [question("g", "group")],
            {"questions[0].questions": ["A group needs questions."]},
        ),
        (
            [question("s", "scale")],
            {
                "questions[0].min": ["A scale question needs min and max."],
                "questions[0].max": ["A scale question needs min and max."],
            },
        ),
        (
            [question("s", "scale", min=1.5, max=5)],
            {"questions[0].min": ["A scale runs between whole numbers."]},
        ),
        (
            [question("s", "scale", min=3, max=3)],
            {"questions[0].max": ["It must be larger than min."]},
        ),
        (
            [question("s", "scale", min=0, max=11)],
            {"questions[0].max": ["A scale has at most 11 points."]},
        ),
        (
            [question("a", "yesno", show_if={"question": "a", "answered": True})],
            {"questions[0].show_if[0].question": ["A question cannot depend on itself."]},
        ),
        (
            [question("a", "yesno"), question("a", "yesno")],
            {"questions[1].id": ["The id 'a' is used twice (also at questions[0])."]},
        ),
        (
            [SEEN, question("b", "text", show_if=[YES] * 21)],
            {"questions[1].show_if": ["Expected a condition, or a list of 1 to 20 conditions."]},
        ),
        (
            [SEEN, question("b", "text", show_if="seen")],
            {"questions[1].show_if": ["Expected a condition, or a list of 1 to 20 conditions."]},
        ),
        (
            [SEEN, question("b", "text", show_if=["seen", YES, 5])],
            {
                "questions[1].show_if[0]": ["Expected a condition."],
                "questions[1].show_if[2]": ["Expected a condition."],
            },
        ),
        (
            [SEEN, question("b", "text", show_if=[YES, {"question": "seen"}])],
            {
                "questions[1].show_if[1]": [
                    "Give exactly one of equals, not_equals, in or answered."
                ]
            },
        ),
        (
            [SEEN, question("b", "text", show_if={"question": "seen", "equals": ["yes"]})],
            {"questions[1].show_if.equals": ["Expected an option value, a number or true/false."]},
        ),
    ],
    ids=[
        "option-twice",
        "place-twice",
        "option-label-language",
        "help-language",
        "scale-label-languages",
        "single-without-options",
        "multi-without-options",
        "more-choices-than-options",
        "number-min-above-max",
        "number-too-large",
        "group-without-questions",
        "scale-without-bounds",
        "scale-of-fractions",
        "scale-of-one-point",
        "scale-of-12-points",
        "depends-on-itself",
        "id-twice",
        "21-conditions",
        "condition-as-text",
        "conditions-not-objects",
        "condition-without-operator",
        "condition-value-a-list",
    ],
)
def test_each_broken_rule_of_a_definition_is_named_where_it_is(
    api_as, coordinator, questions, problems
):
    api = api_as(coordinator)
    response = api.post("/api/v1/questionnaires", json=make_definition(questions=questions))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == problems
    assert api.get("/api/v1/questionnaires").json == []


@pytest.mark.parametrize(
    "questions",
    [
        [SEEN, question("b", "text", show_if=[YES] * 20)],
        [question("n", "number"), question("b", "text", show_if={"question": "n", "equals": 2.5})],
        [question("a", "multi", options=TWO_OPTIONS, max_choices=2)],
        [question("n", "number", min=-1e12, max=1e12), question("m", "number", min=5, max=5)],
        [question("s", "scale", min=0, max=10)],
    ],
    ids=[
        "twenty-conditions",
        "a-fraction",
        "as-many-choices-as-options",
        "numbers-at-their-limits",
        "scale-of-11-points",
    ],
)
def test_a_definition_at_the_edges_of_its_rules_is_taken(api_as, coordinator, questions):
    response = api_as(coordinator).post(
        "/api/v1/questionnaires", json=make_definition(questions=questions)
    )
    assert response.status_code == 201, response.json
