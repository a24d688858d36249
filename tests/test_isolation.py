"""A coordinator of one organisation can neither see nor change anything of another."""

import pytest
import sqlalchemy as sa

from surveyservice.accounts.models import ApiToken, PasswordLink, Role, User
from surveyservice.areas.areas import list_areas
from surveyservice.areas.models import Area
from surveyservice.audit.log import record
from surveyservice.audit.models import AuditEntry
from surveyservice.collection.models import CollectionPoint
from surveyservice.extensions import db
from surveyservice.questionnaires.models import QuestionnaireVersion
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft
from surveyservice.walks.models import Observation

from .conftest import PASSWORD, csrf_token_from, make_definition, make_user
from .test_observations import post_walk
from .test_walk_recording import stop, walk_definition

SLUG = "sample"
# Every /api/v1 route that names a questionnaire or a collection point of the
# victim, with what the intruder sends.
ROUTES_WITH_AN_ID = [
    ("GET", "/api/v1/questionnaires/{slug}", None),
    ("GET", "/api/v1/questionnaires/{slug}/draft", None),
    ("PUT", "/api/v1/questionnaires/{slug}/draft", make_definition),
    ("DELETE", "/api/v1/questionnaires/{slug}/draft", None),
    ("POST", "/api/v1/questionnaires/{slug}/draft/publish", None),
    ("GET", "/api/v1/questionnaires/{slug}/versions/1", None),
    ("GET", "/api/v1/questionnaires/{slug}/diff?from=1&to=draft", None),
    ("GET", "/api/v1/questionnaires/{slug}/results", None),
    ("GET", "/api/v1/questionnaires/{slug}/responses.csv", None),
    ("GET", "/api/v1/questionnaires/{slug}/responses.xlsx", None),
    ("GET", "/api/v1/questionnaires/{slug}/dictionary.csv", None),
    ("GET", "/api/v1/collection-points/{point}", None),
    ("PATCH", "/api/v1/collection-points/{point}", lambda: {"name": "Kapad"}),
    ("POST", "/api/v1/collection-points/{point}/close", None),
    ("GET", "/api/v1/collection-points/{point}/qr.svg", None),
    ("GET", "/api/v1/collection-points/{point}/qr.png", None),
    ("GET", "/api/v1/questionnaires/{slug}/observations.csv", None),
    ("GET", "/api/v1/questionnaires/{slug}/observations.geojson", None),
    ("GET", "/api/v1/observations/{observation}", None),
    ("PATCH", "/api/v1/observations/{observation}", lambda: {"status": "fixed"}),
]
# Routes that name nothing, and what they must show an intruder.
ROUTES_WITHOUT_AN_ID = [
    ("GET", "/api/v1/questionnaires"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/collection-points"),
    ("GET", "/api/v1/areas"),
    ("GET", "/api/v1/observations"),
]
# Open to anyone: the documents, and the resident endpoints, whose key is the
# collection point's unguessable token (tests/test_submissions.py).
PUBLIC = {
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/collect/<token>",
    "/api/v1/collect/<token>/responses",
    "/api/v1/collect/<token>/responses:batch",
}


@pytest.fixture
def victim_questionnaire(org, make_questionnaire):
    questionnaire = make_questionnaire(org)
    from surveyservice.questionnaires.versions import save_draft

    save_draft(questionnaire, make_definition(title="Utkast"))
    db.session.commit()
    return questionnaire


@pytest.fixture
def victim_point(victim_questionnaire, make_point):
    return make_point(victim_questionnaire)


@pytest.fixture
def victim_observation(org, make_point, api_as):
    """A stop of a walk, posted by a staff member of the victim's organisation."""
    questionnaire = create_questionnaire(org, walk_definition())
    publish_draft(questionnaire)
    db.session.commit()
    point = make_point(questionnaire, name="Vandring", area="Torpa", kind="walk")
    post_walk(api_as(make_user(org, Role.STAFF)), point, stop())
    return db.session.execute(sa.select(Observation)).scalar_one()


def snapshot():
    versions = db.session.execute(
        sa.select(
            QuestionnaireVersion.id,
            QuestionnaireVersion.status,
            QuestionnaireVersion.number,
            QuestionnaireVersion.content_hash,
        )
    ).all()
    points = db.session.execute(
        sa.select(CollectionPoint.id, CollectionPoint.name, CollectionPoint.closes_at)
    ).all()
    observations = db.session.execute(
        sa.select(
            Observation.id,
            Observation.status,
            Observation.responsible,
            Observation.public_note,
            Observation.internal_note,
        )
    ).all()
    return sorted(versions), sorted(points), sorted(observations)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES_WITH_AN_ID)
def test_other_organisation_gets_404_and_changes_nothing(
    request, api_as, coordinator, other_coordinator, victim_point, method, path, body
):
    observation = request.getfixturevalue("victim_observation") if "{observation}" in path else None
    url = path.format(
        slug=SLUG, point=victim_point.id, observation=observation.id if observation else None
    )
    kwargs = {"json": body()} if body else {}
    before = snapshot()
    intruder = api_as(other_coordinator)
    response = intruder.open(method, url, **kwargs)
    assert response.status_code == 404, response.json
    assert response.json["message"] in (
        f"No questionnaire {SLUG!r}.",
        f"No collection point {victim_point.id}.",
        f"No observation {observation.id if observation else None}.",
    )
    db.session.expire_all()
    assert snapshot() == before
    # The route works for the owner, so the 404 above is the check, not a typo.
    if method == "GET":
        assert api_as(coordinator).get(url).status_code == 200


def test_other_organisation_sees_none_of_ours_in_lists(
    api_as, other_coordinator, coordinator, victim_point
):
    intruder = api_as(other_coordinator)
    assert intruder.get("/api/v1/questionnaires").json == []
    assert intruder.get("/api/v1/collection-points").json == []
    assert len(api_as(coordinator).get("/api/v1/collection-points").json) == 1
    assert intruder.get("/api/v1/me").json["organisation"]["slug"] == "trollhattan"
    assert [q["slug"] for q in api_as(coordinator).get("/api/v1/questionnaires").json] == [SLUG]


def test_same_slug_in_two_organisations_stays_apart(
    api_as, other_coordinator, coordinator, victim_questionnaire
):
    intruder = api_as(other_coordinator)
    created = intruder.post("/api/v1/questionnaires", json=make_definition(title="Deras"))
    assert created.status_code == 201
    assert (
        intruder.get(f"/api/v1/questionnaires/{SLUG}/draft").json["definition"]["title"] == "Deras"
    )
    ours = api_as(coordinator).get(f"/api/v1/questionnaires/{SLUG}/draft").json
    assert ours["definition"]["title"] == "Utkast"


def test_other_organisation_cannot_open_our_pages(client, auth, other_coordinator, victim_point):
    auth.login(other_coordinator.email)
    assert client.get(f"/questionnaires/{SLUG}").status_code == 404
    assert client.get(f"/collection-points/{victim_point.id}/poster").status_code == 404
    assert f"<code>{SLUG}</code>" not in client.get("/questionnaires").get_data(as_text=True)


def test_every_api_route_is_checked_here(app):
    checked = {
        p.split("?")[0]
        .replace("{slug}", "<slug>")
        .replace("{point}", "<int:point_id>")
        .replace("{observation}", "<int:observation_id>")
        .replace("/versions/1", "/versions/<int:number>")
        for _, p, _ in ROUTES_WITH_AN_ID
    }
    checked |= {p for _, p in ROUTES_WITHOUT_AN_ID} | PUBLIC
    checked |= {
        p.replace("{token}", "<token>").replace("{photo}", "<photo_id>") for _, p in PHOTO_ROUTES
    }
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert routes - checked == set(), "add the new routes to this module's lists"


# --- accounts and the audit log ------------------------------------------------

# Every page route of accounts and the audit log that names a user (or their token),
# as an admin of another organisation would try it.
ACCOUNT_PAGES_WITH_AN_ID = [
    ("GET", "/accounts/{user}"),
    ("POST", "/accounts/{user}/role"),
    ("POST", "/accounts/{user}/deactivate"),
    ("POST", "/accounts/{user}/reactivate"),
    ("POST", "/accounts/{user}/password-link"),
    ("POST", "/accounts/{user}/tokens/{token}/revoke"),
]
# Pages that name nothing of another organisation: each shows the signed-in user's own.
ACCOUNT_PAGES_WITHOUT_AN_ID = {
    "/accounts",
    "/accounts/new",
    "/audit",
    "/account",
    "/account/password",
    "/account/tokens",
    "/account/tokens/<token_id>/revoke",
    # Its key is the one-time link's token: tests/test_account_pages.py.
    "/set-password/<token>",
}


@pytest.fixture
def intruding_admin(other_org):
    return make_user(other_org, "admin", "admin@trollhattan.example.org")


def account_snapshot():
    users = db.session.execute(
        sa.select(User.id, User.role, User.active, User.session_generation)
    ).all()
    tokens = db.session.execute(sa.select(ApiToken.id)).all()
    links = db.session.execute(sa.select(PasswordLink.id)).all()
    audit = db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar()
    return sorted(users), sorted(tokens), sorted(links), audit


@pytest.mark.parametrize(("method", "path"), ACCOUNT_PAGES_WITH_AN_ID)
def test_other_organisations_admin_gets_404_for_our_users(
    client, auth, api_as, admin, staff, intruding_admin, method, path
):
    api_as(staff)
    token = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    url = path.format(user=staff.id, token=token)
    before = account_snapshot()
    auth.login(intruding_admin.email)
    csrf = csrf_token_from(client.get("/accounts").get_data(as_text=True))
    data = {"csrf_token": csrf, "role": "admin"} if method == "POST" else None
    assert client.open(url, method=method, data=data).status_code == 404
    db.session.expire_all()
    assert account_snapshot() == before


def test_other_organisations_admin_sees_none_of_our_accounts_or_log(
    client, auth, admin, staff, intruding_admin, victim_point
):
    record(admin, "user.created", staff.email)
    db.session.commit()
    auth.login(intruding_admin.email)
    for url in ("/accounts", "/audit", f"/audit?user={staff.id}", "/account"):
        html = client.get(url).get_data(as_text=True)
        assert "staff@example.org" not in html and "admin@example.org" not in html, url


def test_every_account_and_audit_page_is_checked_here(app):
    checked = {
        p.replace("{user}", "<user_id>").replace("{token}", "<token_id>")
        for _, p in ACCOUNT_PAGES_WITH_AN_ID
    } | ACCOUNT_PAGES_WITHOUT_AN_ID
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.rule.startswith(("/account", "/audit", "/set-password"))
    }
    assert routes - checked == set(), "add the new routes to this module's lists"


# The workspace's pages that name a point or an area of the victim, and what the
# intruder posts to them.
PAGES_WITH_AN_ID = [
    ("GET", "/collection-points/{point}", None),
    ("GET", "/collection-points/{point}/edit", None),
    ("POST", "/collection-points/{point}/edit", {"name": "Kapad", "area": "Sanden"}),
    ("GET", "/collection-points/{point}/close", None),
    ("POST", "/collection-points/{point}/close", {}),
    ("GET", "/collection-points/{point}/poster", None),
    ("GET", "/areas/{area}/rename", None),
    ("POST", "/areas/{area}/rename", {"name": "Kapad"}),
    ("GET", "/areas/{area}/remove", None),
    ("POST", "/areas/{area}/remove", {}),
    ("GET", "/areas/{area}/map", None),
    (
        "POST",
        "/areas/{area}/map",
        {"south": "58.37", "west": "12.3", "north": "58.38", "east": "12.33"},
    ),
    ("POST", "/areas/{area}/map/remove", {}),
    ("POST", "/areas/{area}/map/tiles", {"tile_url": "", "tile_attribution": ""}),
]


def area_rows():

    db.session.expire_all()
    return sorted(
        db.session.execute(
            sa.select(Area.id, Area.name, Area.organisation_id, Area.map_key, Area.map_north)
        ).all()
    )


@pytest.mark.parametrize(("method", "path", "form"), PAGES_WITH_AN_ID)
def test_other_organisation_gets_404_on_our_pages_and_changes_nothing(
    app, org, other_org, victim_point, method, path, form
):
    # An admin of the other organisation: the strongest intruder there is.
    intruder = make_user(other_org, Role.ADMIN, "admin@trollhattan.example.org")
    owner = make_user(org, Role.ADMIN, "admin@vanersborg.example.org")
    area = victim_point.area_id
    url = path.format(point=victim_point.id, area=area)
    before = snapshot(), area_rows()
    client = app.test_client()
    client.post(
        "/sign-in",
        data={
            "email": intruder.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_from(client.get("/sign-in").get_data(as_text=True)),
        },
    )
    token = csrf_token_from(client.get("/start").get_data(as_text=True))
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token, **form})
    assert response.status_code == 404
    assert (snapshot(), area_rows()) == before
    if method != "GET":
        return
    # The page is there for its owner, so the 404 above is the check, not a typo.
    owner_client = app.test_client()
    owner_client.post(
        "/sign-in",
        data={
            "email": owner.email,
            "password": PASSWORD,
            "csrf_token": csrf_token_from(owner_client.get("/sign-in").get_data(as_text=True)),
        },
    )
    assert owner_client.get(url).status_code == 200


def test_other_organisation_sees_none_of_ours_on_the_workspace_pages(
    client, auth, other_coordinator, victim_point, other_org
):
    auth.login(other_coordinator.email)
    for url in ("/start", "/collection-points", "/collection-points/new"):
        page = client.get(url).get_data(as_text=True)
        assert f">{victim_point.name}<" not in page, url
        assert 'value="sample"' not in page, url
        assert f"<code>{SLUG}</code>" not in page, url
    # Filtering by our area's id shows nothing of ours.
    ours = victim_point.area_id
    filtered = client.get(f"/collection-points?area={ours}").get_data(as_text=True)
    assert f">{victim_point.name}<" not in filtered
    auth.logout()
    intruder_admin = make_user(other_org, Role.ADMIN)
    auth.login(intruder_admin.email)
    areas = client.get("/areas").get_data(as_text=True)
    theirs = {a.id for a in list_areas(other_org.id)}
    assert f'href="/areas/{ours}/rename"' not in areas
    assert all(f'href="/areas/{i}/rename"' in areas for i in theirs)


def test_every_page_route_is_checked_here(app):
    checked = {
        p.replace("{point}", "<int:point_id>").replace("{area}", "<int:area_id>")
        for _, p, _ in PAGES_WITH_AN_ID
    }
    # Pages that name nothing of another organisation's: lists, forms for new things,
    # and the resident's and kiosk's pages keyed by an unguessable token.
    naming_nothing = {
        "/start",
        "/collection-points",
        "/collection-points/new",
        "/collection-points/import",
        "/areas",
        "/organisation/time-zone",
    }
    new_pages = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith(("workspace.", "areas_pages.", "area_maps."))
        or r.rule.startswith("/collection-points/")
    }
    # The areas' map images: tried below (test_other_organisation_gets_none_of_our_area_maps).
    images = {
        "/areas/<int:area_id>/map-<int:version>.<any(jpg, png):ext>",
        "/f/<token>/map-<int:version>.<any(jpg, png):ext>",
    }
    assert new_pages - checked - naming_nothing - images == set(), (
        "add the new pages to PAGES_WITH_AN_ID"
    )


def test_other_organisation_gets_none_of_our_area_maps(
    app, tmp_path, org, other_org, victim_point, make_questionnaire, make_point
):
    import io

    from PIL import Image

    from surveyservice.walks.area_maps import set_area_map

    before = app.config["FILE_STORAGE_DIR"]
    app.config["FILE_STORAGE_DIR"] = str(tmp_path)
    app.extensions.pop("surveyservice.storage", None)
    try:
        owner = make_user(org, Role.COORDINATOR, "samordnare@vanersborg.example.org")
        image = io.BytesIO()
        Image.new("RGB", (40, 30)).save(image, "PNG")
        area = db.session.get(Area, victim_point.area_id)
        set_area_map(area, image.getvalue(), 58.37, 12.3, 58.38, 12.33, owner)
        url = f"/areas/{area.id}/map-1.png"
        for user in (
            make_user(other_org, Role.ADMIN, "admin@trollhattan.example.org"),
            make_user(other_org, Role.STAFF, "staff@trollhattan.example.org"),
        ):
            client = app.test_client()
            token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
            client.post(
                "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
            )
            assert client.get(url).status_code == 404
            # Their own point's token does not reach our area's map.
            theirs = make_point(make_questionnaire(other_org, slug=f"q{user.id}"))
            assert client.get(f"/f/{theirs.token}/map-1.png").status_code == 404
        assert app.test_client().get(url).status_code == 302  # signed out: sign in first
        # Ours: there for the owner and for anyone with our point's link, so the above bites.
        client = app.test_client()
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        client.post(
            "/sign-in", data={"email": owner.email, "password": PASSWORD, "csrf_token": token}
        )
        assert client.get(url).status_code == 200
        assert app.test_client().get(f"/f/{victim_point.token}/map-1.png").status_code == 200
    finally:
        app.config["FILE_STORAGE_DIR"] = before
        app.extensions.pop("surveyservice.storage", None)


def test_every_questionnaire_editor_route_is_checked(app):
    """The editor's and preview's pages are tried by another organisation in
    tests/test_questionnaire_editor.py (PAGE_ROUTES); a new one must join that list."""
    from .test_questionnaire_editor import PAGE_ROUTES

    checked = {url.replace("/sample/", "/<slug>/") for _, url in PAGE_ROUTES}
    # Names nothing of another organisation's: the form for a new questionnaire.
    naming_nothing = {"/new-questionnaire"}
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith(("questionnaire_editor.", "collection_preview."))
    }
    assert len(routes) >= 6  # the endpoints' names are right, so the check below bites
    assert routes - checked - naming_nothing == set(), "add the new pages to PAGE_ROUTES"


# The results pages that name a questionnaire of the victim.
RESULTS_PAGES_WITH_AN_ID = [
    "/results/{slug}",
    "/results/{slug}/compare?a-area=Sanden&b-area=Torpa",
    "/results/{slug}/figures.csv",
]


def test_other_organisation_gets_404_on_our_results_and_sees_none_in_the_list(
    app, org, other_org, victim_point
):
    def signed_in(user):
        client = app.test_client()
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        return client

    intruder = signed_in(make_user(other_org, Role.ADMIN, "admin@trollhattan.example.org"))
    owner = signed_in(make_user(org, Role.COORDINATOR, "samordnare@vanersborg.example.org"))
    for path in RESULTS_PAGES_WITH_AN_ID:
        url = path.format(slug=SLUG)
        assert intruder.get(url).status_code == 404, url
        # There for its owner, so the 404 above is the check, not a typo.
        assert owner.get(url).status_code == 200, url
    # Our point, named as a filter on a questionnaire of their own with the same slug.
    publish_draft(create_questionnaire(other_org, make_definition()))
    db.session.commit()
    theirs = intruder.get(f"/results/{SLUG}?point={victim_point.id}")
    assert theirs.status_code == 422
    assert victim_point.name not in theirs.get_data(as_text=True)
    listing = intruder.get("/results").get_data(as_text=True)
    assert "Trygghet" in listing  # their own questionnaire, of the same slug
    assert victim_point.name not in listing
    # Naming nothing of another organisation's: the list, and the admin's own thresholds.
    checked = {p.split("?")[0].replace("{slug}", "<slug>") for p in RESULTS_PAGES_WITH_AN_ID}
    routes = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("results_pages.")}
    assert routes - checked - {"/results", "/results/thresholds"} == set(), (
        "add the new results pages to RESULTS_PAGES_WITH_AN_ID"
    )


def test_results_with_filters_naming_the_intruders_own_things_are_still_404(
    api_as, coordinator, other_coordinator, victim_point, make_questionnaire, make_point
):
    """A filter is checked only once the questionnaire is found to be one's own: an
    intruder learns nothing from which of their own points or areas it names."""
    theirs = make_point(make_questionnaire(other_coordinator.organisation, slug="theirs"))
    url = f"/api/v1/questionnaires/{SLUG}/results"
    intruder = api_as(other_coordinator)
    for query in (f"?point={theirs.id}", f"?point={victim_point.id}", "?area=Sanden"):
        response = intruder.get(url + query)
        assert response.status_code == 404, (query, response.json)
    assert api_as(coordinator).get(f"{url}?point={victim_point.id}").status_code == 200


# The exports of raw answers: another organisation's coordinator or admin finds
# nothing, and a refused export leaves no trace in anyone's audit log.
EXPORT_ROUTES = [p for _, p, _ in ROUTES_WITH_AN_ID if p.endswith((".csv", ".xlsx", ".geojson"))]


def test_no_one_of_another_organisation_can_export_and_staff_cannot(
    api_as, other_org, staff, victim_point
):
    assert len(EXPORT_ROUTES) == 5
    intruders = [api_as(make_user(other_org, role)) for role in (Role.COORDINATOR, Role.ADMIN)]
    for path in EXPORT_ROUTES:
        url = path.format(slug=SLUG)
        for intruder in intruders:
            # Filters are checked only once the questionnaire is found to be theirs.
            asking = "?include_language=true&area=Sanden" if "/responses." in url else ""
            response = intruder.get(url + asking)
            assert response.status_code == 404, url
            assert response.json["message"] == f"No questionnaire {SLUG!r}."
        assert api_as(staff).get(url).status_code == 403
    logged = (
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action.in_(["results.exported", "observations.exported"]))
    )
    assert db.session.execute(logged).scalar() == 0


# --- observations ------------------------------------------------------------------


def test_observations_are_nothing_to_another_organisation_s_staff_or_the_signed_out(
    api_as, client, other_org, victim_observation
):
    url = f"/api/v1/observations/{victim_observation.id}"
    intruder = api_as(make_user(other_org, Role.STAFF))
    assert intruder.get(url).status_code == 404
    assert intruder.get("/api/v1/observations").json == []
    # Staff may change no follow-up at all, theirs or another's.
    assert intruder.patch(url, json={"status": "fixed"}).status_code == 403
    for method, path in [
        ("GET", url),
        ("PATCH", url),
        ("GET", "/api/v1/observations"),
        ("GET", f"/api/v1/questionnaires/{SLUG}/observations.csv"),
        ("GET", f"/api/v1/questionnaires/{SLUG}/observations.geojson"),
    ]:
        kwargs = {"json": {"status": "fixed"}} if method == "PATCH" else {}
        assert client.open(path, method=method, **kwargs).status_code == 401, path
    db.session.expire_all()
    assert db.session.get(Observation, victim_observation.id).status == "new"


# --- photos --------------------------------------------------------------------------

# Every route that names a photo (or uploads one to a point), API and pages alike.
PHOTO_ROUTES = [
    ("PUT", "/api/v1/collect/{token}/photos/{photo}"),
    ("DELETE", "/api/v1/photos/{photo}"),
    ("GET", "/photos/{photo}.jpg"),
    ("POST", "/photos/{photo}/delete"),
]


def _jpeg() -> bytes:
    from .images import photo_with_metadata

    return photo_with_metadata(size=(400, 300))


@pytest.fixture
def victim_photo(api_as, staff, victim_point):
    import uuid

    from surveyservice.walks.models import Photo

    photo_id = uuid.uuid4()
    response = api_as(staff).put(
        f"/api/v1/collect/{victim_point.token}/photos/{photo_id}", data=_jpeg()
    )
    assert response.status_code == 201
    return db.session.get(Photo, photo_id)


def photo_rows():
    from surveyservice.walks.models import Photo

    db.session.expire_all()
    return sorted(
        db.session.execute(
            sa.select(Photo.id, Photo.storage_key, Photo.deleted_at, Photo.upload_hash)
        ).all()
    )


def _signed_in_client(app, user):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client, csrf_token_from(client.get("/account").get_data(as_text=True))


def _try(client, method, path, photo, point, csrf=None, bearer=None):
    import uuid

    # A new id for an upload to their point, and the photo's own id: neither may work.
    url = path.format(token=point.token, photo=photo.id if "{photo}" in path else uuid.uuid4())
    headers = {"X-CSRFToken": csrf} if csrf else {}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data = (
        {"csrf_token": csrf} if path.endswith("/delete") else _jpeg() if method == "PUT" else None
    )
    return client.open(url, method=method, data=data, headers=headers)


@pytest.mark.parametrize("role", [Role.STAFF, Role.COORDINATOR, Role.ADMIN])
@pytest.mark.parametrize(("method", "path"), PHOTO_ROUTES)
def test_another_organisation_gets_nothing_of_a_photo(
    app, api_as, other_org, victim_photo, victim_point, role, method, path
):
    from surveyservice.storage import storage

    intruder = make_user(other_org, role)
    stored = storage().get(victim_photo.storage_key)
    before = photo_rows()
    client, csrf = _signed_in_client(app, intruder)
    by_session = _try(client, method, path, victim_photo, victim_point, csrf=csrf)
    # Deleting needs a coordinator of any organisation: staff are refused before that.
    refused = 403 if role == Role.STAFF and method in ("DELETE", "POST") else 404
    assert by_session.status_code == refused, by_session.data[:200]
    assert stored not in (by_session.data or b"-")
    if path.startswith("/api/"):
        by_token = _try(
            app.test_client(),
            method,
            path,
            victim_photo,
            victim_point,
            bearer=api_as(intruder).token,
        )
        assert by_token.status_code == refused
    assert photo_rows() == before
    assert storage().get(victim_photo.storage_key) == stored


@pytest.mark.parametrize(("method", "path"), PHOTO_ROUTES)
def test_anyone_signed_out_gets_nothing_of_a_photo(
    client, victim_photo, victim_point, method, path
):
    before = photo_rows()
    response = _try(client, method, path, victim_photo, victim_point)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        # Pages send the browser to sign in, as every page of the workspace does.
        assert response.status_code in (302, 400)
        assert response.status_code == 400 or response.headers["Location"].startswith("/sign-in")
    assert not response.data.startswith(b"\xff\xd8")
    assert photo_rows() == before


def test_every_photo_route_is_checked_here(app):
    checked = {
        p.replace("{token}", "<token>").replace("{photo}", "<photo_id>") for _, p in PHOTO_ROUTES
    }
    routes = {r.rule for r in app.url_map.iter_rules() if "photo" in r.rule}
    assert routes - checked == set(), "add the new photo routes to PHOTO_ROUTES"


# --- the walk pages --------------------------------------------------------------------

# Every walk page that names an area, a walk or an observation of the victim, with what
# the intruder posts to it.
WALK_PAGES_WITH_AN_ID = [
    ("GET", "/walks/areas/{area}", None),
    ("GET", "/walks/points/{point}", None),
    ("GET", "/walks/observations/{observation}", None),
    (
        "POST",
        "/walks/observations/{observation}",
        {"status": "fixed", "public_note": "Kapad", "internal_note": "Kapad", "responsible": ""},
    ),
]
# Walk pages that name nothing: each shows the signed-in user's own organisation's.
WALK_PAGES_WITHOUT_AN_ID = {"/walks/", "/walks/status-names"}


@pytest.fixture
def victim_walk_stop(org):
    from .walk_data import record_walk, walk_point, walk_questionnaire

    return record_walk(walk_point(walk_questionnaire(org)))[0]


def walk_rows():
    from surveyservice.accounts.models import Organisation
    from surveyservice.walks.models import Observation, ObservationChange

    db.session.expire_all()
    observations = db.session.execute(
        sa.select(
            Observation.id,
            Observation.status,
            Observation.responsible,
            Observation.public_note,
            Observation.internal_note,
        )
    ).all()
    changes = db.session.execute(sa.select(sa.func.count()).select_from(ObservationChange))
    names = db.session.execute(sa.select(Organisation.id, Organisation.status_names)).all()
    return sorted(observations), changes.scalar(), sorted(names, key=lambda n: n[0])


def _walk_url(path: str, observation) -> str:
    return path.format(
        area=observation.point.area_id,
        point=observation.collection_point_id,
        observation=observation.id,
    )


@pytest.mark.parametrize("role", [Role.STAFF, Role.COORDINATOR, Role.ADMIN])
@pytest.mark.parametrize(("method", "path", "form"), WALK_PAGES_WITH_AN_ID)
def test_another_organisation_gets_404_on_our_walk_pages_and_changes_nothing(
    app, org, other_org, victim_walk_stop, role, method, path, form
):
    url = _walk_url(path, victim_walk_stop)
    before = walk_rows()
    client, csrf = _signed_in_client(app, make_user(other_org, role))
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf, **form})
    # Changing a follow-up needs a coordinator of any organisation: staff are refused first.
    refused = 403 if role == Role.STAFF and method == "POST" else 404
    assert response.status_code == refused, url
    assert "Kvällsvandring" not in response.get_data(as_text=True)
    assert walk_rows() == before
    if method == "GET":
        # There for its owner, so the 404 above is the check, not a typo.
        owner, _ = _signed_in_client(app, make_user(org, Role.STAFF))
        assert owner.get(url).status_code == 200


@pytest.mark.parametrize(("method", "path", "form"), WALK_PAGES_WITH_AN_ID)
def test_anyone_signed_out_gets_nothing_of_a_walk(client, victim_walk_stop, method, path, form):
    url = _walk_url(path, victim_walk_stop)
    before = walk_rows()
    response = client.open(url, method=method, data=form)
    assert response.status_code in (302, 400), url
    assert response.status_code == 400 or response.headers["Location"].startswith("/sign-in")
    assert "Kvällsvandring" not in response.get_data(as_text=True)
    assert walk_rows() == before


def test_another_organisation_sees_none_of_our_walks_and_names_only_its_own_statuses(
    app, org, other_org, victim_walk_stop
):
    from surveyservice.accounts.models import Organisation

    client, csrf = _signed_in_client(app, make_user(other_org, Role.ADMIN))
    index = client.get("/walks/").get_data(as_text=True)
    assert "Kvällsvandring" not in index
    assert f'href="/walks/points/{victim_walk_stop.collection_point_id}"' not in index
    assert f'href="/walks/areas/{victim_walk_stop.point.area_id}"' not in index
    before = walk_rows()
    saved = client.post("/walks/status-names", data={"csrf_token": csrf, "planned-sv": "Kapad"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status_names is None
    assert db.session.get(Organisation, other_org.id).status_names == {"planned": {"sv": "Kapad"}}
    assert walk_rows()[:2] == before[:2]


def test_every_walk_page_is_checked_here(app):
    checked = {
        p.replace("{area}", "<int:area_id>")
        .replace("{point}", "<int:point_id>")
        .replace("{observation}", "<int:observation_id>")
        for _, p, _ in WALK_PAGES_WITH_AN_ID
    } | WALK_PAGES_WITHOUT_AN_ID
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("walk_pages.") or r.rule.startswith("/walks")
    }
    assert len(routes) >= 5  # the blueprint's name is right, so the check below bites
    assert routes - checked == set(), "add the new walk pages to WALK_PAGES_WITH_AN_ID"


# --- the areas' public pages ----------------------------------------------------------

# Every coordinators' page of the public pages that names an area (or its
# publication) of the victim, with what the intruder posts to it.
PUBLIC_PAGES_WITH_AN_ID = [
    ("GET", "/public-pages/{area}", None),
    ("POST", "/public-pages/{area}", {"rows": "1", "questionnaire-0": SLUG}),
    ("POST", "/public-pages/{area}/publish", {}),
    ("GET", "/public-pages/{area}/preview", None),
    ("GET", "/public-pages/{area}/poster", None),
    ("GET", "/public-pages/{area}/publications/1", None),
]
# The list names nothing of another organisation's: it shows the user's own areas.
PUBLIC_PAGES_WITHOUT_AN_ID = {"/public-pages"}
# Open to anyone: the published page and its QR code, keyed by the page's address
# (tests/test_public_pages.py).
PUBLIC_AREA_PAGES = {"/a/<slug>", "/a/<slug>/qr.svg"}


@pytest.fixture
def victim_public_page(org, victim_point):
    from surveyservice.public.pages import page_for, publish

    owner = make_user(org, Role.COORDINATOR, "samordnare@vanersborg.example.org")
    page = page_for(db.session.get(Area, victim_point.area_id))
    publish(page, owner)
    db.session.commit()
    return page


def public_page_rows():
    from surveyservice.public.models import Publication, PublicPage

    db.session.expire_all()
    pages = db.session.execute(sa.select(PublicPage.id, PublicPage.slug, PublicPage.results))
    publications = db.session.execute(sa.select(Publication.id, Publication.page_id))
    audit = db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar()
    return [(row[0], row[1], str(row[2])) for row in pages], sorted(publications), audit


@pytest.mark.parametrize("role", [Role.STAFF, Role.COORDINATOR, Role.ADMIN])
@pytest.mark.parametrize(("method", "path", "form"), PUBLIC_PAGES_WITH_AN_ID)
def test_another_organisation_gets_404_on_our_public_pages_and_changes_nothing(
    app, org, other_org, victim_public_page, role, method, path, form
):
    url = path.format(area=victim_public_page.area_id)
    before = public_page_rows()
    client, csrf = _signed_in_client(app, make_user(other_org, role))
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf, **form})
    # The pages need a coordinator of any organisation: staff are refused first.
    assert response.status_code == (403 if role == Role.STAFF else 404), url
    assert public_page_rows() == before
    # Signed out: sent to sign in (a POST without a session has no CSRF token: 400).
    signed_out = app.test_client().open(url, method=method, data=form)
    assert signed_out.status_code in (302, 400), url
    assert signed_out.status_code == 400 or signed_out.headers["Location"].startswith("/sign-in")
    assert public_page_rows() == before
    if method == "GET":
        # There for its owner, so the 404 above is the check, not a typo.
        owner, _ = _signed_in_client(app, make_user(org, Role.COORDINATOR))
        assert owner.get(url).status_code == 200, url


def test_another_organisation_sees_none_of_our_public_pages_in_its_list(
    app, other_org, victim_public_page
):
    client, _ = _signed_in_client(app, make_user(other_org, Role.COORDINATOR))
    listing = client.get("/public-pages").get_data(as_text=True)
    assert f'href="/public-pages/{victim_public_page.area_id}"' not in listing
    assert '/a/sanden"' not in listing  # theirs would be sanden-2, once made


def test_every_public_page_route_is_checked_here(app):
    checked = {
        p.replace("{area}", "<int:area_id>").replace(
            "/publications/1", "/publications/<int:number>"
        )
        for _, p, _ in PUBLIC_PAGES_WITH_AN_ID
    }
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("public_pages.") or r.rule.startswith(("/public-pages", "/a/"))
    }
    assert len(routes) >= 8  # the blueprint's name is right, so the check below bites
    assert routes - checked - PUBLIC_PAGES_WITHOUT_AN_ID - PUBLIC_AREA_PAGES == set(), (
        "add the new public pages to PUBLIC_PAGES_WITH_AN_ID"
    )


# --- the citizen promises ----------------------------------------------------

# The promise pages that name a promise (or its note) of the victim, and what the
# intruder posts to them: a complete, valid form, so that only the 404 stops it.
PROMISE_FORM = {
    "first_year": "2026",
    "last_year": "2026",
    "text_sv": "Kapad",
    "status": "done",
    "noted_on": "2026-01-01",
    "note_sv": "Kapad",
}
PROMISE_PAGES_WITH_AN_ID = [
    ("GET", "/promises/{promise}", None),
    ("GET", "/promises/{promise}/edit", None),
    ("POST", "/promises/{promise}/edit", PROMISE_FORM),
    ("GET", "/promises/{promise}/remove", None),
    ("POST", "/promises/{promise}/remove", {}),
    ("POST", "/promises/{promise}/notes", PROMISE_FORM),
    ("GET", "/promises/{promise}/notes/{note}/remove", None),
    ("POST", "/promises/{promise}/notes/{note}/remove", {}),
]
# Pages that name nothing: each shows or makes the signed-in user's organisation's own.
PROMISE_PAGES_WITHOUT_AN_ID = {"/promises", "/promises/new"}


@pytest.fixture
def victim_promise(org):
    from datetime import date

    from surveyservice.public.promises import add_note, create_promise

    torpa = next(a for a in list_areas(org.id) if a.name == "Torpa")
    promise = create_promise(
        org.id,
        None,
        {
            "first_year": 2026,
            "last_year": 2027,
            "texts": {"sv": "Fyra kvällsvandringar i Torpa."},
            "area_ids": [torpa.id],
            "promised_count": 4,
            "status": "in_progress",
            "done_texts": None,
            "done_count": None,
        },
    )
    note = add_note(promise, None, date(2026, 3, 1), {"sv": "Den första hölls."}, date(2026, 3, 1))
    db.session.commit()
    return promise, note


def promise_rows():
    from surveyservice.public.models import Promise, PromiseNote, promise_area

    db.session.expire_all()
    promises = db.session.execute(
        sa.select(Promise.id, Promise.organisation_id, Promise.texts, Promise.status)
    ).all()
    notes = db.session.execute(sa.select(PromiseNote.id, PromiseNote.texts)).all()
    links = db.session.execute(sa.select(promise_area)).all()
    entries = db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar()
    return sorted(map(repr, promises)), sorted(map(repr, notes)), sorted(links), entries


@pytest.mark.parametrize(("method", "path", "form"), PROMISE_PAGES_WITH_AN_ID)
def test_another_organisation_gets_404_on_our_promises_and_changes_nothing(
    app, org, other_org, victim_promise, method, path, form
):
    promise, note = victim_promise
    url = path.format(promise=promise.id, note=note.id)
    before = promise_rows()
    client, csrf = _signed_in_client(app, make_user(other_org, Role.ADMIN))
    if method == "GET":
        response = client.get(url)
    else:
        theirs = next(a for a in list_areas(other_org.id) if a.name == "Torpa")
        response = client.post(url, data={"csrf_token": csrf, "areas": [theirs.id], **form})
    assert response.status_code == 404, url
    assert "kvällsvandringar" not in response.get_data(as_text=True)
    assert promise_rows() == before
    if method == "GET":
        # There for its owner, so the 404 above is the check, not a typo.
        owner, _ = _signed_in_client(app, make_user(org, Role.COORDINATOR))
        assert owner.get(url).status_code == 200
    listing = client.get("/promises").get_data(as_text=True)
    assert "kvällsvandringar" not in listing
    assert f'href="/promises/{promise.id}"' not in listing


@pytest.mark.parametrize(
    ("method", "path", "form"),
    PROMISE_PAGES_WITH_AN_ID + [("GET", p, None) for p in sorted(PROMISE_PAGES_WITHOUT_AN_ID)],
)
def test_anyone_signed_out_gets_nothing_of_a_promise(client, victim_promise, method, path, form):
    promise, note = victim_promise
    url = path.format(promise=promise.id, note=note.id)
    before = promise_rows()
    response = client.open(url, method=method, data=form)
    assert response.status_code in (302, 400), url
    assert response.status_code == 400 or response.headers["Location"].startswith("/sign-in")
    assert "kvällsvandringar" not in response.get_data(as_text=True)
    assert promise_rows() == before


def test_every_promise_page_is_checked_here(app):
    checked = {
        p.replace("{promise}", "<int:promise_id>").replace("{note}", "<int:note_id>")
        for _, p, _ in PROMISE_PAGES_WITH_AN_ID
    } | PROMISE_PAGES_WITHOUT_AN_ID
    routes = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("promises.") or r.rule.startswith("/promises")
    }
    assert len(routes) >= 5  # the blueprint's name is right, so the check below bites
    assert routes - checked == set(), "add the new promise pages to PROMISE_PAGES_WITH_AN_ID"


# --- results walls -------------------------------------------------------------------

# The walls' pages that name a wall or a point of the victim, and what the intruder posts.
WALL_PAGES_WITH_AN_ID = [
    ("GET", "/walls/new?point={point}", None),
    ("POST", "/walls/new", {"point": "{point}", "questions": ["safe_now"]}),
    ("GET", "/walls/{wall}/edit", None),
    ("POST", "/walls/{wall}/edit", {"questions": ["rating"]}),
    ("GET", "/walls/{wall}/remove", None),
    ("POST", "/walls/{wall}/remove", {}),
]
# Open to anyone: the wall itself, keyed by its unguessable token (tests/test_walls.py).
WALL_PUBLIC = {"/w/<token>", "/w/<token>/summary.json"}


@pytest.fixture
def victim_wall(org, victim_point):
    from surveyservice.public.walls import create_wall

    owner = make_user(org, Role.COORDINATOR, "vaggen@vanersborg.example.org")
    wall = create_wall(victim_point, ["safe_now"], owner)
    db.session.commit()
    return wall


def wall_rows():
    from surveyservice.public.models import Wall

    db.session.expire_all()
    return sorted(db.session.execute(sa.select(Wall.id, Wall.question_ids, Wall.token)).all())


def signed_in_client(app, user):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client


@pytest.mark.parametrize(("method", "path", "form"), WALL_PAGES_WITH_AN_ID)
def test_other_organisation_gets_404_on_our_walls_and_changes_nothing(
    app, org, other_org, victim_point, victim_wall, method, path, form
):
    intruder = signed_in_client(app, make_user(other_org, Role.ADMIN, "a@trollhattan.example.org"))
    url = path.format(point=victim_point.id, wall=victim_wall.id)
    before = wall_rows(), snapshot()
    if method == "GET":
        response = intruder.get(url)
    else:
        token = csrf_token_from(intruder.get("/walls").get_data(as_text=True))
        data = {
            k: v.format(point=victim_point.id) if isinstance(v, str) else v for k, v in form.items()
        }
        response = intruder.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 404
    assert (wall_rows(), snapshot()) == before
    # There for its owner, so the 404 above is the check, not a typo.
    owner = signed_in_client(app, make_user(org, Role.COORDINATOR, "s@vanersborg.example.org"))
    if method == "GET":
        assert owner.get(url).status_code == 200
    else:
        token = csrf_token_from(owner.get("/walls").get_data(as_text=True))
        assert owner.post(url, data={"csrf_token": token, **data}).status_code == 303


def test_other_organisation_sees_none_of_our_walls_and_the_signed_out_sign_in(
    app, client, other_org, victim_point, victim_wall
):
    intruder = signed_in_client(app, make_user(other_org, Role.COORDINATOR, "c@t.example.org"))
    listing = intruder.get("/walls").get_data(as_text=True)
    assert victim_wall.token not in listing and victim_point.name not in listing
    for url in ("/walls", f"/walls/new?point={victim_point.id}", f"/walls/{victim_wall.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
    assert client.post(f"/walls/{victim_wall.id}/remove").status_code in (302, 400)
    assert len(wall_rows()) == 1


def test_every_wall_route_is_checked_here(app):
    checked = {
        p.split("?")[0].replace("{wall}", "<int:wall_id>") for _, p, _ in WALL_PAGES_WITH_AN_ID
    }
    routes = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("walls.")}
    assert len(routes) >= 6
    assert routes - checked - WALL_PUBLIC - {"/walls"} == set(), (
        "add the new wall pages to WALL_PAGES_WITH_AN_ID"
    )
