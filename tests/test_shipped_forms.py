"""The questionnaires shipped in forms/: valid, trilingual, and shown after a sync."""

from pathlib import Path

import pytest

from surveyservice.questionnaires.definition import (
    iter_questions,
    parse_document,
    validate_definition,
)

FORMS = Path(__file__).resolve().parents[1] / "forms"
SHIPPED = sorted(FORMS.glob("*.yaml"))


def load(path: Path) -> dict:
    return validate_definition(parse_document(path.read_text(encoding="utf-8"), path.name))


def test_both_questionnaires_are_shipped():
    assert {load(p)["slug"] for p in SHIPPED} == {"sanden-event", "torpa-walk"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_questionnaire_speaks_swedish_english_and_arabic(path):
    definition = load(path)
    assert definition["languages"] == ["sv", "en", "ar"]
    assert definition["default_language"] == "sv"
    for question, _group in iter_questions(definition):
        assert set(question["label"]) == {"sv", "en", "ar"}, question["id"]


def test_free_text_questions_warn_against_personal_data():
    for path in SHIPPED:
        for question, _group in iter_questions(load(path)):
            if question["type"] == "longtext" and question["id"] in ("comment", "note"):
                assert "personnummer" in question["help"]["sv"], question["id"]


def test_sync_then_sign_in_shows_both_questionnaires(runner, client, auth, coordinator):
    result = runner.invoke(args=["forms", "sync", str(FORMS)])
    assert result.output.strip() == "Created sanden-event v1; created torpa-walk v1."
    auth.login("coordinator@example.org")
    listing = client.get("/questionnaires").get_data(as_text=True)
    assert "Trygghet på Sanden" in listing
    assert "Trygghetsvandring i Torpa" in listing
    detail = client.get("/questionnaires/sanden-event?lang=en").get_data(as_text=True)
    assert "How safe or unsafe do you feel at Sanden right now?" in detail
    assert "Version 1" in detail
