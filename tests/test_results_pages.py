"""The results pages: what they show of a summary, their filters, the comparison, the
figures as CSV, and who may see them. The figures are summaries built by hand here,
so that each thing the page must do with one (a bar, a suppressed cell, a withheld
view) is checked on its own; tests/browser/test_results_pages.py runs real answers
through the whole chain."""

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from surveyservice.accounts.models import Role
from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.results import summary as summary_module
from surveyservice.results.filters import Filters
from surveyservice.results.summary import (
    EDGE_DAYS_TOO_SMALL,
    OTHER_VERSIONS_TOO_SMALL,
    SELECTION_TOO_SMALL,
    Cell,
    DayCount,
    QuestionSummary,
    Summary,
    Thresholds,
)

from .conftest import csrf_token_from, make_user

SV = {"sv": "Trygg", "en": "Safe"}
UNSAFE = {"sv": "Otrygg", "en": "Unsafe"}


def built_summary(filters: Filters, **overrides) -> Summary:
    values = {
        "slug": "sample",
        "title": {"sv": "Trygghet", "en": "Safety"},
        "languages": ["sv", "en"],
        "filters": filters,
        "thresholds": Thresholds(5, 10),
        "total": 40,
        "days": [
            DayCount(date(2026, 6, 1), 30),
            DayCount(date(2026, 6, 2), 0),
            DayCount(date(2026, 6, 3), None),
            DayCount(date(2026, 6, 4), None),
        ],
        "questions": [
            QuestionSummary(
                id="safe_now",
                type="single",
                label={"sv": "Hur trygg känner du dig?", "en": "How safe do you feel?"},
                versions=[1],
                total=40,
                cells=[
                    Cell("safe", SV, 30, 0.75),
                    Cell("unsafe", UNSAFE, None, None),
                    Cell(None, {}, None, None),
                ],
            ),
            QuestionSummary(
                id="why_unsafe",
                type="longtext",
                label={"sv": "Varför?", "en": "Why?"},
                versions=[1],
                total=40,
                cells=[],
                texts=["Mörkt vid bryggan", "För lite folk"],
            ),
            QuestionSummary(
                id="rating",
                type="scale",
                label="1–5",
                versions=[1],
                total=40,
                cells=[Cell(str(n), {}, 8, 0.2) for n in range(1, 6)],
                median=3.0,
            ),
        ],
    }
    values.update(overrides)
    return Summary(**values)


@pytest.fixture
def summaries(monkeypatch):
    """The summaries the pages ask for: ``summaries.calls`` the filters asked, and
    ``summaries.make`` what is answered (a function of the filters)."""

    class Fake:
        calls: list[Filters] = []
        make = staticmethod(built_summary)

    fake = Fake()
    fake.calls = []

    def summarise(questionnaire, filters, thresholds, time_zone):
        fake.calls.append(filters)
        assert time_zone == questionnaire.organisation.time_zone
        return fake.make(filters)

    monkeypatch.setattr(summary_module, "summarise", summarise, raising=False)
    return fake


@pytest.fixture
def questionnaire(org, make_questionnaire):
    return make_questionnaire(org)


def signed_in(client, auth, user):
    auth.login(user.email)
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row(html: str, header: str) -> str:
    """The table row whose header cell reads ``header``."""
    match = re.search(rf"<tr[^>]*><th scope=\"row\">{re.escape(header)}</th>(.*?)</tr>", html, re.S)
    assert match, header
    return match.group(1)


def test_results_page_shows_charts_as_tables_with_suppressed_cells_in_words(
    client, auth, coordinator, questionnaire, summaries
):
    html = signed_in(client, auth, coordinator).get("/results/sample").get_data(as_text=True)
    assert summaries.calls == [Filters()]
    assert '<span class="big" data-count="total">40</span>' in html
    # The breakdown is a table with a caption and header cells.
    assert "<caption>Svar från de 40 som fick frågan</caption>" in html
    assert '<th scope="col" class="number">Antal</th>' in html
    safe = row(html, "Trygg")
    assert '<td class="number">30</td>' in safe
    assert "75" in safe and 'class="fill w-75"' in safe and 'aria-hidden="true"' in safe
    # A suppressed cell says so in words, with no number and no bar.
    unsafe = row(html, "Otrygg")
    assert "färre än 5 svar" in unsafe
    assert not re.search(r"\d", text_of(unsafe).replace("5 svar", "")), unsafe
    assert "bar" not in unsafe
    assert "färre än 5 svar" in row(html, "Inget svar")
    assert "<strong>Median:</strong> 3" in html
    # Free text in the order given (already random), never sorted.
    assert html.index("Mörkt vid bryggan") < html.index("För lite folk")
    # Per day: a day with no answers shows 0, a suppressed one says so.
    assert "<caption>Svar per dag</caption>" in html
    assert "färre än 5 svar" in row(html, "4 juni 2026")
    assert ">0</span>" in row(html, "2 juni 2026")
    assert "Version 1" in html


def test_results_page_in_english_and_with_the_organisations_k(
    client, auth, coordinator, questionnaire, summaries
):
    summaries.make = lambda filters: built_summary(filters, thresholds=Thresholds(7, 12))
    html = (
        signed_in(client, auth, coordinator).get("/results/sample?lang=en").get_data(as_text=True)
    )
    assert "fewer than 7 answers" in row(html, "Unsafe")
    assert "How safe do you feel?" in html


def test_a_withheld_view_says_why_and_what_to_do_and_shows_no_figure(
    client, auth, coordinator, questionnaire, summaries
):
    summaries.make = lambda filters: built_summary(
        filters, total=None, withheld=SELECTION_TOO_SMALL, days=[], questions=[]
    )
    response = signed_in(client, auth, coordinator).get("/results/sample?area=Torpa")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert summaries.calls == [Filters(area="Torpa")]
    assert "färre än 5 svar" in text_of(html)
    assert "Vidga datumen eller ta bort ett filter" in text_of(html)
    assert 'data-count="total"' not in html and "<table" not in html


def test_a_withheld_range_asks_to_move_the_dates(
    client, auth, coordinator, questionnaire, summaries
):
    summaries.make = lambda filters: built_summary(
        filters, total=None, withheld=EDGE_DAYS_TOO_SMALL, days=[], questions=[]
    )
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample?from=2026-06-01&to=2026-06-03")
        .get_data(as_text=True)
    )
    assert summaries.calls == [Filters(since=date(2026, 6, 1), until=date(2026, 6, 3))]
    assert "flytta dem till dagar med fler svar" in text_of(html)


def test_a_withheld_question_says_why_and_the_others_show(
    client, auth, coordinator, questionnaire, summaries
):
    def make(filters):
        made = built_summary(filters)
        made.questions[0] = QuestionSummary(
            id="safe_now",
            type="single",
            label=made.questions[0].label,
            versions=[2],
            total=None,
            withheld=OTHER_VERSIONS_TOO_SMALL,
        )
        return made

    summaries.make = make
    html = text_of(
        signed_in(client, auth, coordinator).get("/results/sample").get_data(as_text=True)
    )
    assert "Välj en version i filtren för att se den" in html
    assert "Mörkt vid bryggan" in html


def test_filters_reach_the_summary_and_the_form_keeps_them(
    client, auth, coordinator, org, questionnaire, make_point, summaries
):
    point = make_point(questionnaire)
    signed = signed_in(client, auth, coordinator)
    url = f"/results/sample?point={point.id}&area=sanden&kind=event&language="
    html = signed.get(url).get_data(as_text=True)
    url = "/results/sample?channel=resident&version=1&from=2026-06-01&to=2026-06-30"
    dated = signed.get(url).get_data(as_text=True)
    assert summaries.calls == [
        Filters(point=point.id, area="Sanden", kind="event"),
        Filters(channel="resident", version=1, since=date(2026, 6, 1), until=date(2026, 6, 30)),
    ]
    assert f'<option value="{point.id}" selected>' in html
    assert "<option selected>Sanden</option>" in html
    assert 'name="from" value="2026-06-01"' in dated
    # The language filter stays folded when not chosen, and says why it is sensitive.
    assert '<details class="language-filter">' in html
    assert "kan antyda var någon kommer ifrån" in html
    assert "Visar svar från: Sandenfestivalen, Sanden" in text_of(html)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-01", "from", "Ange ett datum mellan 2000-01-01 och 2100-12-31."),
        ("from=2026-06-30&to=2026-06-01", "from", "Första dagen är efter sista dagen"),
        ("area=Atlantis", "area", "Välj ett område i listan."),
        ("version=9", "version", "Välj en publicerad version i listan."),
        ("language=fi", "language", "Välj ett av enkätens språk i listan."),
        ("point=99999", "point", "Välj en insamlingsplats för den här enkäten i listan."),
        ("kind=party", "kind", "Välj en sorts insamlingsplats i listan."),
    ],
)
def test_a_filter_problem_shows_beside_its_field_and_no_figures(
    client, auth, coordinator, questionnaire, summaries, query, field, message
):
    response = signed_in(client, auth, coordinator).get(f"/results/sample?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert summaries.calls == []
    problem = re.search(rf'<p class="field-problem" id="filter-{field}-problem">([^<]*)</p>', html)
    assert problem and message in problem.group(1)
    assert re.search(rf'id="filter-{field}"[^>]*aria-invalid="true"', html)
    assert f'href="#filter-{field}"' in html  # the summary at the top leads to it
    assert 'data-count="total"' not in html and "Visar alla svar" not in html


def test_the_language_filter_opens_when_chosen(client, auth, coordinator, questionnaire, summaries):
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample?language=en")
        .get_data(as_text=True)
    )
    assert summaries.calls == [Filters(language="en")]
    assert '<details class="language-filter" open>' in html


def test_comparison_puts_two_groups_side_by_side_with_differences_where_both_shown(
    client, auth, coordinator, questionnaire, summaries
):
    def make(filters):
        made = built_summary(filters)
        if filters.area == "Torpa":
            made.total = 20
            made.questions[0].cells = [
                Cell("safe", SV, 10, 0.5),
                Cell("unsafe", UNSAFE, 10, 0.5),
                Cell(None, {}, 0, 0.0),
            ]
        return made

    summaries.make = make
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample/compare?a-area=Sanden&b-area=Torpa")
        .get_data(as_text=True)
    )
    assert summaries.calls == [Filters(area="Sanden"), Filters(area="Torpa")]
    assert 'data-count="a">40<' in html and 'data-count="b">20<' in html
    safe = row(html, "Trygg")
    # 75 % against 50 %: B minus A, in percentage points.
    assert re.search(r'<td class="number">\s*\u221225\s*</td>', safe), safe
    # Suppressed in A: no difference, whatever B shows.
    unsafe = row(html, "Otrygg")
    assert "färre än 5 svar" in unsafe and "50" in unsafe
    assert re.search(r'<td class="number">\s*</td>\s*$', unsafe.strip()), unsafe
    assert "jämförs bara mellan de versioner där den betyder samma sak" in text_of(html)
    assert "<caption>Svar i Sanden (A) och Torpa (B)</caption>" in html


def test_comparison_leaves_out_differences_across_versions_that_mean_different_things(
    client, auth, coordinator, org, make_questionnaire, summaries
):
    from surveyservice.extensions import db
    from surveyservice.questionnaires.versions import publish_definition

    from .conftest import make_definition

    questionnaire = make_questionnaire(org)
    changed = make_definition()
    # The option "safe" is gone: the question no longer means what it meant.
    changed["questions"][0]["options"] = [
        {"value": "very_safe", "label": {"sv": "Mycket trygg", "en": "Very safe"}},
        *changed["questions"][0]["options"][1:],
    ]
    publish_definition(questionnaire, changed)
    db.session.commit()

    def make(filters):
        made = built_summary(filters)
        made.questions[0].versions = [filters.version] if filters.version else [2]
        return made

    summaries.make = make
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample/compare?a-version=1&b-version=2")
        .get_data(as_text=True)
    )
    assert "betyder olika saker (1 mot 2)" in text_of(html)
    assert not re.search(r'<td class="number">\s*[+\u2212]?\d+\s*</td>\s*</tr>', row(html, "Trygg"))
    # The scale question did not change: its difference is there (0 points).
    assert re.search(r'<td class="number">\s*0\s*</td>', row(html, "1"))


def test_comparison_without_a_choice_shows_only_the_form(
    client, auth, coordinator, questionnaire, summaries
):
    html = (
        signed_in(client, auth, coordinator).get("/results/sample/compare").get_data(as_text=True)
    )
    assert summaries.calls == []
    assert "<legend>Grupp A</legend>" in html and 'id="b-filter-area"' in html


def test_figures_as_csv_open_in_swedish_excel_with_suppressed_cells_empty(
    client, auth, coordinator, questionnaire, summaries
):
    response = signed_in(client, auth, coordinator).get("/results/sample/figures.csv?area=Sanden")
    assert summaries.calls == [Filters(area="Sanden")]
    assert response.mimetype == "text/csv"
    assert "sample-area-Sanden-figures.csv" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Fråga-id", "Fråga", "Svar", "Antal", "Andel (%)", "Anmärkning"]
    assert ["", "Svar totalt", "", "40", "", ""] in rows
    assert ["safe_now", "Hur trygg känner du dig?", "Trygg", "30", "75", ""] in rows
    assert ["safe_now", "Hur trygg känner du dig?", "Otrygg", "", "", "färre än 5 svar"] in rows
    assert ["", "Svar per dag", "2026-06-03", "", "", "färre än 5 svar"] in rows
    assert ["rating", "1–5", "Median", "3", "", ""] in rows
    # The free text is not among the figures.
    assert "Mörkt vid bryggan" not in raw.decode("utf-8")


def test_figures_csv_keeps_decimal_commas_and_neutralises_formulas(
    client, auth, coordinator, questionnaire, summaries
):
    def make(filters):
        made = built_summary(filters)
        made.questions[0].cells[0] = Cell("safe", {"sv": "=HYPERLINK(1)"}, 30, 1 / 3)
        made.questions[2].median = 2.5
        return made

    summaries.make = make
    raw = signed_in(client, auth, coordinator).get("/results/sample/figures.csv").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert ["safe_now", "Hur trygg känner du dig?", "'=HYPERLINK(1)", "30", "33,3", ""] in rows
    assert ["rating", "1–5", "Median", "2,5", "", ""] in rows


def test_a_withheld_view_as_csv_has_no_figures(client, auth, coordinator, questionnaire, summaries):
    summaries.make = lambda filters: built_summary(
        filters, total=None, withheld=SELECTION_TOO_SMALL, days=[], questions=[]
    )
    raw = signed_in(client, auth, coordinator).get("/results/sample/figures.csv?area=Torpa")
    rows = list(csv.reader(io.StringIO(raw.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and rows[1][3] == "" and "färre än 5 svar" in rows[1][5]


def test_results_page_links_to_the_comparison_the_csv_and_the_exports(
    client, auth, coordinator, questionnaire, summaries
):
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample?area=Sanden")
        .get_data(as_text=True)
    )
    assert 'href="/results/sample/compare?a-area=Sanden"' in html
    assert 'href="/results/sample/figures.csv?area=Sanden"' in html
    assert 'href="/api/v1/questionnaires/sample/responses.csv?area=Sanden"' in html
    assert 'href="/api/v1/questionnaires/sample/responses.xlsx?area=Sanden"' in html
    assert 'href="/api/v1/questionnaires/sample/dictionary.csv"' in html


def test_results_entry_lists_published_questionnaires_only(
    client, auth, coordinator, org, make_questionnaire
):
    make_questionnaire(org)
    make_questionnaire(
        org, published=False, slug="draft-only", title={"sv": "Utkastet", "en": "The draft"}
    )
    html = signed_in(client, auth, coordinator).get("/results").get_data(as_text=True)
    assert 'href="/results/sample"' in html and "Utkastet" not in html
    assert "Gränser för små grupper" not in html  # an admin's form
    assert client.get("/results/draft-only").status_code == 404


def test_the_points_page_links_to_its_results(client, auth, coordinator, questionnaire, make_point):
    point = make_point(questionnaire)
    html = (
        signed_in(client, auth, coordinator)
        .get(f"/collection-points/{point.id}")
        .get_data(as_text=True)
    )
    assert f'href="/results/sample?point={point.id}"' in html


def test_navigation_shows_results_to_coordinators_not_staff(client, auth, org, coordinator, staff):
    html = signed_in(client, auth, coordinator).get("/results").get_data(as_text=True)
    assert '<a href="/results" aria-current="page">Resultat</a>' in html
    auth.logout()
    html = signed_in(client, auth, staff).get("/questionnaires").get_data(as_text=True)
    assert 'href="/results"' not in html


@pytest.mark.parametrize(
    "url",
    ["/results", "/results/sample", "/results/sample/compare", "/results/sample/figures.csv"],
)
def test_staff_may_not_see_results(client, auth, staff, questionnaire, summaries, url):
    assert signed_in(client, auth, staff).get(url).status_code == 403
    assert summaries.calls == []


def test_signed_out_visitors_are_sent_to_sign_in(client, questionnaire):
    response = client.get("/results/sample")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_only_admins_change_the_thresholds(client, auth, org, coordinator):
    signed_in(client, auth, coordinator)
    token = csrf_token_from(client.get("/results").get_data(as_text=True))
    response = client.post("/results/thresholds", data={"csrf_token": token, "k": "8"})
    assert response.status_code == 403


def test_admin_changes_the_thresholds_and_the_change_is_logged(client, auth, org):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    html = signed_in(client, auth, admin).get("/results").get_data(as_text=True)
    assert 'id="field-k"' in html and 'value="5"' in html and 'value="10"' in html
    token = csrf_token_from(html)
    response = client.post(
        "/results/thresholds", data={"csrf_token": token, "k": "7", "text_k": "12"}
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gränserna för små grupper är sparade." in html
    assert 'value="7"' in html and "färre än 7 personer" in html
    entry = db.session.execute(sa.select(AuditEntry)).scalar_one()
    assert entry.action == "organisation.result_thresholds_changed"
    assert entry.details == {"k": [5, 7], "text_k": [10, 12]}


@pytest.mark.parametrize(
    ("k", "text_k", "field", "message"),
    [
        ("2", "10", "k", "Ange ett heltal från 3 till 100."),
        ("fem", "10", "k", "Ange ett heltal från 3 till 100."),
        ("8", "6", "text_k", "Ange ett heltal från 8 (den första gränsen) till 1000."),
        ("8", "", "text_k", "Ange ett heltal från 8 (den första gränsen) till 1000."),
        ("500", "", "k", "Ange ett heltal från 3 till 100."),
    ],
)
def test_thresholds_out_of_range_are_refused_beside_their_field(
    client, auth, org, k, text_k, field, message
):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    token = csrf_token_from(signed_in(client, auth, admin).get("/results").get_data(as_text=True))
    response = client.post(
        "/results/thresholds", data={"csrf_token": token, "k": k, "text_k": text_k}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="field-problem" id="problem-{field}">{message}</p>' in html
    assert re.search(rf'id="field-{field}"[^>]*aria-invalid="true"', html, re.S)
    assert f'value="{k}"' in html  # what was typed stays
    db.session.expire_all()
    assert (org.result_k, org.result_text_k) == (5, 10)
    assert db.session.execute(sa.select(AuditEntry)).first() is None


def test_too_few_answers_so_far_says_so_without_blaming_filters(
    client, auth, coordinator, questionnaire, summaries
):
    summaries.make = lambda filters: built_summary(
        filters, total=None, withheld=SELECTION_TOO_SMALL, days=[], questions=[]
    )
    html = text_of(
        signed_in(client, auth, coordinator).get("/results/sample").get_data(as_text=True)
    )
    assert "Färre än 5 personer har svarat hittills" in html
    assert "ta bort ett filter" not in html


def test_comparison_links_each_group_to_its_results(
    client, auth, coordinator, questionnaire, summaries
):
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample/compare?a-area=Sanden&b-area=Torpa&b-kind=event")
        .get_data(as_text=True)
    )
    assert '<a href="/results/sample?area=Sanden">Sanden</a>' in html
    assert '<a href="/results/sample?area=Torpa&amp;kind=event">Torpa, Evenemang</a>' in html
    # A table wider than a phone scrolls in a box the keyboard reaches.
    assert 'class="table-scroll" role="region" tabindex="0" aria-labelledby="q-safe_now"' in html


def test_a_view_by_answer_language_is_recorded_in_the_audit_log(
    client, auth, coordinator, questionnaire, summaries
):
    signed_in(client, auth, coordinator).get("/results/sample?area=Sanden")
    assert db.session.execute(sa.select(AuditEntry)).first() is None
    client.get("/results/sample?language=en&area=Sanden")
    client.get("/results/sample/figures.csv?language=sv")
    entries = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [(e.action, e.subject, e.details, e.user_id) for e in entries] == [
        (
            "results.viewed_by_language",
            "sample",
            {"area": "Sanden", "language": "en"},
            coordinator.id,
        ),
        ("results.viewed_by_language", "sample", {"language": "sv"}, coordinator.id),
    ]


def test_comparison_of_this_years_dates_against_last_years(
    client, auth, coordinator, questionnaire, summaries
):
    html = (
        signed_in(client, auth, coordinator)
        .get(
            "/results/sample/compare?a-from=2025-06-01&a-to=2025-08-31"
            "&b-from=2026-06-01&b-to=2026-08-31&b-area=Sanden"
        )
        .get_data(as_text=True)
    )
    assert summaries.calls == [
        Filters(since=date(2025, 6, 1), until=date(2025, 8, 31)),
        Filters(area="Sanden", since=date(2026, 6, 1), until=date(2026, 8, 31)),
    ]
    assert (
        "<caption>Svar i 2025-06-01 – 2025-08-31 (A) och Sanden, 2026-06-01 – 2026-08-31 (B)"
        in html
    )
    assert 'name="b-to" value="2026-08-31"' in html


def test_a_problem_in_one_group_is_named_with_its_group(
    client, auth, coordinator, questionnaire, summaries
):
    response = signed_in(client, auth, coordinator).get(
        "/results/sample/compare?a-area=Sanden&b-to=2026-02-30"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and summaries.calls == []
    assert '<a href="#b-filter-to">Grupp B: Ange ett datum' in html
    assert re.search(r'id="b-filter-to"[^>]*aria-invalid="true"', html)


def test_a_questionnaire_nobody_answered_says_so_with_real_figures(
    client, auth, coordinator, questionnaire
):
    html = text_of(
        signed_in(client, auth, coordinator).get("/results/sample").get_data(as_text=True)
    )
    assert "0 svar" in html and "Ingen har svarat än." in html
    assert "Svar fråga för fråga" not in html


def test_the_pages_show_exactly_the_figures_the_api_gives(
    client, auth, api_as, coordinator, questionnaire, make_point
):
    """Real answers: every count on the page and in its CSV is the API's, and a figure
    the API suppresses (null) is suppressed on both."""
    import uuid

    point = make_point(questionnaire)
    for answers, times in (
        ({"safe_now": "safe", "rating": 4}, 7),
        ({"safe_now": "unsafe", "why_unsafe": "Mörkt", "rating": 2}, 6),
        ({"safe_now": "safe", "rating": 5}, 3),
    ):
        for _ in range(times):
            body = {"id": str(uuid.uuid4()), "version": 1, "language": "sv", "answers": answers}
            assert (
                client.post(f"/api/v1/collect/{point.token}/responses", json=body).status_code
                == 201
            )
    api = api_as(coordinator).get("/api/v1/questionnaires/sample/results").json
    signed_in(client, auth, coordinator)
    html = client.get("/results/sample").get_data(as_text=True)
    raw = client.get("/results/sample/figures.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert f'data-count="total">{api["total"]}<' in html
    assert ["", "Svar totalt", "", str(api["total"]), "", ""] in rows
    checked = suppressed = 0
    for question in api["questions"]:
        if question["id"] != "rating":
            continue
        for cell in question["cells"]:
            label = cell["value"] or "Inget svar"
            line = next(r for r in rows if r[0] == "rating" and r[2] == label)
            shown = row(html, label)
            if cell["count"] is None:
                suppressed += 1
                assert line[3] == "" and line[5] == "färre än 5 svar"
                assert "färre än 5 svar" in shown and not re.search(
                    r"\d", text_of(shown).replace("5 svar", "")
                )
            else:
                checked += 1
                assert line[3] == str(cell["count"])
                assert f'<td class="number">{cell["count"]}</td>' in shown
    # Three fives, and nobody chose 1 or 3: suppressed, with enough others to hide them.
    assert suppressed >= 4 and checked >= 1


def test_the_export_links_download_with_the_signed_in_session(
    client, auth, coordinator, staff, questionnaire, make_point
):
    """The exports are API routes; a coordinator's browser session (no token) is enough."""
    import uuid

    point = make_point(questionnaire)
    body = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "safe"},
    }
    assert client.post(f"/api/v1/collect/{point.token}/responses", json=body).status_code == 201
    html = (
        signed_in(client, auth, coordinator)
        .get("/results/sample?area=Sanden")
        .get_data(as_text=True)
    )
    links = re.findall(r'href="(/api/v1/questionnaires/sample/[^"]+)" download', html)
    assert len(links) == 3
    types = []
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, (link, response.get_data(as_text=True)[:200])
        types.append(response.mimetype)
    assert types == ["text/csv", XLSX, "text/csv"]
    # Staff may not export, by the same links.
    auth.logout()
    signed_in(client, auth, staff)
    assert all(client.get(link).status_code == 403 for link in links)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_long_run_of_days_is_folded_away(client, auth, coordinator, questionnaire, summaries):
    from datetime import timedelta

    days = [DayCount(date(2026, 5, 1) + timedelta(days=n), 10) for n in range(40)]
    summaries.make = lambda filters: built_summary(filters, days=days)
    html = signed_in(client, auth, coordinator).get("/results/sample").get_data(as_text=True)
    assert '<details class="days-box">' in html and "Svar per dag (40 dagar)" in html
    assert html.count('<tr><th scope="row">') >= 40


def test_more_than_three_filters_are_refused_with_the_reason(
    client, auth, coordinator, questionnaire, summaries
):
    query = "area=Sanden&kind=event&channel=staff&version=1"
    response = signed_in(client, auth, coordinator).get(f"/results/sample?{query}")
    html = text_of(response.get_data(as_text=True))
    assert response.status_code == 422
    assert summaries.calls == []
    assert "Kombinera högst tre filter (datumen räknas som ett): ta bort ett." in html
