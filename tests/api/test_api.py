"""The partner API's behaviour: filters, incremental sync, writes validated like the web form,
JSON errors, ETags, throttling, keys stored hashed, and query counts that do not grow with the page."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiKey
from companies.models import Organisation, Sector
from matchmaking.models import Demand, Match
from tests.api.conftest import match
from tests.factories import DemandFactory, MeetingSlotFactory, OrganisationFactory, RegistrationFactory, meeting_create

pytestmark = pytest.mark.django_db


def get(world, url, role="read_key", **headers):
    return world.client(role).get(url, **headers)


def post(world, body, role="write_key"):
    return world.client(role).post("/api/v1/demands/", body, content_type="application/json")


# --- Keys ---------------------------------------------------------------------------


def test_keys_are_stored_as_digests_and_printed_once_by_the_command(world):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_key", "Invest in Norway", "--organisation", world.a.external_id, "--write", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    key = ApiKey.objects.get(name="Invest in Norway")
    assert raw.startswith(f"gb_{key.prefix}_") and len(raw) == 3 + 8 + 1 + 32
    assert key.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().get())  # nowhere in clear
    assert (key.scope, key.organisation) == ("write", world.a)
    assert "shown once" in err.getvalue()
    response = world.client("visitor").get("/api/v1/matches/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_command_refuses_a_write_key_without_an_organisation_and_an_unknown_one(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--organisation"):
        call_command("create_api_key", "x", "--write")
    with pytest.raises(CommandError, match="no-such"):
        call_command("create_api_key", "x", "--organisation", "no-such")
    assert not ApiKey.objects.filter(name="x").exists()


@pytest.mark.parametrize(
    "header, message",
    [
        ("Bearer gb_unknown_key", "not valid"),
        ("Bearer", "Bearer <key>"),
        ("Bearer a b", "Bearer <key>"),
    ],
)
def test_bad_credentials_answer_401_with_a_message(world, header, message):
    response = world.client("visitor").get("/api/v1/sectors/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_says_so(world):
    response = get(world, "/api/v1/sectors/", role="revoked_key")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key has been revoked."}


# --- Filters and sync ----------------------------------------------------------------


def test_organisation_filters(world):
    wind = OrganisationFactory(name="Vestas Wind", country="DK", description="Offshore wind turbines")
    wind.sectors.set([Sector.objects.get(slug="energy.wind")])

    def listed(query):
        response = get(world, f"/api/v1/organisations/?{query}")
        assert response.status_code == 200, response.json()
        return {item["name"] for item in response.json()["results"]}

    assert listed("country=dk") == {"Vestas Wind"}
    assert listed("sector=energy") == {"Vestas Wind"}  # a group selects its leaves
    assert listed("sector=energy.wind&country=NO") == set()
    assert listed("search=offshore turbines") == {"Vestas Wind"}
    assert listed("kind=company&country=CN") == {"Beijing Drainage", "Quiet Buyer"}


def test_updated_since_returns_only_what_changed_since(world):
    before = timezone.now()
    Organisation.objects.filter(pk=world.c.pk).update(updated_at=before + datetime.timedelta(seconds=5))
    Organisation.objects.exclude(pk=world.c.pk).update(updated_at=before - datetime.timedelta(days=1))
    since = (before + datetime.timedelta(seconds=1)).isoformat()
    response = world.client("read_key").get("/api/v1/organisations/", {"updated_since": since})
    assert [item["name"] for item in response.json()["results"]] == ["Aker Carbon"]


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/organisations/?updated_since=yesterday", "updated_since"),
        ("/api/v1/organisations/?sector=no.such.sector", "sector"),
        ("/api/v1/organisations/?kind=spaceship", "kind"),
        ("/api/v1/demands/?region=CN-XX", "region"),
        ("/api/v1/matches/?demand=99999999999999999999", "demand"),
        ("/api/v1/matches/?min_score=high", "min_score"),
        ("/api/v1/sectors/?page=0", "page"),
        ("/api/v1/sectors/?page_size=ten", "page_size"),
    ],
)
def test_invalid_filters_answer_400_naming_the_field(world, url, field):
    response = get(world, url)
    assert response.status_code == 400
    assert field in response.json()


def test_match_filters_by_external_ids_score_and_sector(world):
    def listed(query):
        return [
            (m["organisation"]["name"], m["demand"]["title"])
            for m in get(world, f"/api/v1/matches/?{query}").json()["results"]
        ]

    assert listed(f"demand_external_id={world.demand_a.external_id}") == [("Cambi", "Sludge drying")]
    assert listed(f"organisation_external_id={world.c.external_id}") == [("Aker Carbon", "Quiet sludge need")]
    assert listed(f"demand={world.demand_hidden.pk}") == [("Aker Carbon", "Quiet sludge need")]
    assert listed("min_score=0.8") == [("Cambi", "Sludge drying")]
    assert listed("sector=water") == [("Cambi", "Sludge drying")]  # only demand_a is tagged
    assert listed("") == [("Cambi", "Sludge drying"), ("Aker Carbon", "Quiet sludge need")]  # best score first


def test_a_match_carries_the_documented_fields_and_readable_reasons(world):
    item = get(world, f"/api/v1/matches/?demand={world.demand_a.pk}").json()["results"][0]
    assert set(item) == {"id", "demand", "organisation", "score", "rank", "reasons", "updated_at"}
    assert item["demand"] == {
        "id": world.demand_a.pk,
        "external_id": world.demand_a.external_id,
        "title": "Sludge drying",
    }
    assert item["organisation"] == {
        "id": world.b.pk,
        "external_id": world.b.external_id,
        "name": "Cambi",
        "country": "NO",
    }
    assert item["reasons"] == [
        {"kind": "sector", "label": "Shared sector: Sludge and biosolids treatment"},
        {"kind": "terms", "label": "Key terms: thermal hydrolysis"},
    ]
    chinese = get(world, f"/api/v1/matches/?demand={world.demand_a.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["results"][0]["reasons"][0]["label"] != item["reasons"][0]["label"]


def test_page_size_is_capped(world):
    Organisation.objects.bulk_create(Organisation(name=f"Bulk {i:03}", country="SE") for i in range(105))
    response = get(world, "/api/v1/organisations/?page_size=1000")
    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 109


# --- Writes -----------------------------------------------------------------------------


def test_a_posted_demand_is_stored_for_the_key_organisation_and_its_matching_queued(
    world, django_capture_on_commit_callbacks
):
    body = {
        "external_id": "partner-42",
        "title_zh": "污泥干化项目",
        "description_zh": "寻求污泥热干化技术",
        "sectors": ["water.sludge"],
        "region": "CN-BJ",
        "kind": "pilot",
        "budget_eur": 2000000,
        "deadline": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(world, body)
    assert response.status_code == 201, response.json()
    demand = Demand.objects.get(external_id="partner-42")
    assert (demand.organisation, demand.region.code, demand.kind, demand.created_by) == (
        world.a,
        "CN-BJ",
        "pilot",
        None,
    )
    assert list(demand.sectors.values_list("slug", flat=True)) == ["water.sludge"]
    assert response.json()["id"] == demand.pk
    assert callbacks, "the demand's rescoring is queued after the commit"


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"description": "no title"}, "title", "Give a title in English or in Chinese."),
        ({"title": "x", "sectors": ["water.nothing"]}, "sectors", "water.nothing"),
        ({"title": "x", "region": "CN-XX"}, "region", "Unknown region"),
        ({"title": "x", "kind": "gift"}, "kind", "not a valid choice"),
        ({"title": "x", "deadline": "2001-01-01"}, "deadline", "past"),
        ({"title": "x", "deadline": "soon"}, "deadline", "format"),
        ({"title": "x", "budget_eur": -5}, "budget_eur", "greater than or equal to 0"),
        ({"title": {"en": "x"}}, "title", "Not a valid string"),
        ({"title": "x" * 201}, "title", "200"),
        ({"title": "x", "sectors": "water.sludge"}, "sectors", "list"),
    ],
)
def test_an_invalid_demand_is_refused_with_the_web_form_messages_and_nothing_is_written(world, body, field, message):
    before = Demand.objects.count()
    response = post(world, body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert message in " ".join(response.json()[field])
    assert Demand.objects.count() == before


def test_a_duplicate_external_id_is_refused(world):
    response = post(world, {"title": "again", "external_id": world.demand_a.external_id})
    assert response.status_code == 400
    assert "external_id" in response.json()


def test_a_body_that_is_not_json_is_refused_as_json(world):
    response = world.client("write_key").post("/api/v1/demands/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


# --- Errors, ETags, throttling ------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/nothing/", "/api/v1/organisations/99999999999999999999/", "/api/v2/"])
def test_unknown_urls_answer_json_404(world, url):
    response = get(world, url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_write_on_a_read_only_endpoint_is_405_in_json(world):
    response = world.client("write_key").post("/api/v1/organisations/", {}, content_type="application/json")
    assert response.status_code == 405
    assert "not allowed" in response.json()["detail"]


def test_match_lists_answer_304_until_something_changes(world):
    url = f"/api/v1/matches/?demand={world.demand_a.pk}"
    first = get(world, url)
    etag = first["ETag"]
    assert get(world, url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(world, url + "&page_size=5", HTTP_IF_NONE_MATCH=etag).status_code == 200  # another query
    Match.objects.filter(pk=world.match_ab.pk).update(
        score=0.8, updated_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    changed = get(world, url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["results"][0]["score"] == 0.8
    world.match_ab.delete()
    assert get(world, url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_keys_and_visitors_are_throttled_with_a_json_429(world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"key": "3/day", "anon": "2/day"}}
    statuses = [get(world, "/api/v1/sectors/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = get(world, "/api/v1/sectors/")
    assert "throttled" in throttled.json()["detail"] and int(throttled["Retry-After"]) > 0
    assert get(world, "/api/v1/sectors/", role="write_key").status_code == 200  # another key counts apart
    assert [get(world, "/api/v1/sectors/", role="visitor").status_code for _ in range(3)] == [200, 200, 429]


# --- Query counts ---------------------------------------------------------------------------


def bulk_world(world):
    """25 more of everything, each with its related rows, so that a page of 20 is full."""
    sludge, wind = Sector.objects.filter(slug__in=["water.sludge", "energy.wind"])
    buyer = OrganisationFactory(country="CN", name="Big buyer")
    slots = [MeetingSlotFactory(event=world.event) for _ in range(25)]
    hub = RegistrationFactory(event=world.event, organisation=buyer)
    for i in range(25):
        supplier = OrganisationFactory(country="NO", name=f"Supplier {i:02}")
        supplier.sectors.set([sludge, wind])
        supplier.looking_for.set(["pilot", "jv"])
        supplier.target_regions.set([1, 2])
        demand = DemandFactory(organisation=buyer, title=f"Need {i:02}", region_id=1)
        demand.sectors.set([sludge, wind])
        match(supplier, demand, 0.5, 1)
        meeting_create(slot=slots[i], first=hub, second=RegistrationFactory(event=world.event, organisation=supplier))


LISTS = [
    "/api/v1/sectors/",
    "/api/v1/organisations/",
    "/api/v1/demands/",
    "/api/v1/matches/",
    "/api/v1/events/",
    "/api/v1/delegations/",
    "/api/v1/events/{event}/meetings/",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_queries_do_not_grow_with_the_page_size(world, url):
    bulk_world(world)
    url = url.format(event=world.event.pk)
    client = world.client("read_key" if "meetings" not in url else "organiser")
    client.get(url)  # the key is looked up once and cached, its use noted once a minute
    counts = {}
    for size in (1, 2, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, response.json()["count"])
        counts[size] = len(queries)
    assert counts[1] == counts[2] == counts[20], counts


def test_the_lean_match_list_shows_exactly_what_the_documented_serializer_shows(world):
    from api.serializers import MATCH_VALUES, MatchSerializer, match_rows
    from matchmaking.reasons import ReasonNames

    chinese_only = DemandFactory(organisation=world.a, title="", title_zh="污泥干化")
    match(world.c, chinese_only, 0.7, 1)
    matches = Match.objects.select_related("demand", "organisation").order_by("pk")
    names = ReasonNames.for_reasons(r for m in matches for r in m.reasons)
    documented = MatchSerializer(matches, many=True, context={"reason_names": names}).data
    lean = match_rows(list(matches.values(*MATCH_VALUES)), names)
    assert [
        dict(item) | {"demand": dict(item["demand"]), "organisation": dict(item["organisation"])} for item in documented
    ] == lean
    assert "污泥干化" in {item["demand"]["title"] for item in lean}


def test_a_rendered_match_page_is_never_served_to_another_audience(world):
    """Two members whose lists have the same size and latest change must not share a cached page."""
    from django.test import Client

    from tests.factories import MembershipFactory

    same_time = timezone.now()
    Match.objects.update(updated_at=same_time)
    member_c = MembershipFactory(organisation=world.c).user
    client_b, client_c = Client(), Client()
    client_b.force_login(world.users["user_b"])
    client_c.force_login(member_c)

    seen_by_b = client_b.get("/api/v1/matches/").json()
    seen_by_c = client_c.get("/api/v1/matches/").json()

    assert [m["organisation"]["name"] for m in seen_by_b["results"]] == ["Cambi"]
    assert [m["organisation"]["name"] for m in seen_by_c["results"]] == ["Aker Carbon"]


def test_a_cached_match_page_keeps_its_links_to_the_host_asked_and_ignores_unknown_parameters(world, settings):
    settings.ALLOWED_HOSTS = ["testserver", "partner.example"]
    for i in range(3):
        match(OrganisationFactory(name=f"Extra {i}"), world.demand_a, 0.3 + i / 10, i + 2)
    url = f"/api/v1/matches/?demand={world.demand_a.pk}&page_size=2"
    first = get(world, url, HTTP_HOST="partner.example", **{"wsgi.url_scheme": "https"})
    assert first.json()["next"].startswith("https://partner.example/api/v1/matches/?")
    local = get(world, url + "&_=12345")  # a cache-buster a client adds: same answer, same links
    assert local.json()["next"] == f"http://testserver/api/v1/matches/?demand={world.demand_a.pk}&page=2&page_size=2"
    assert local["ETag"] == get(world, url)["ETag"] != first["ETag"]


def test_one_demand_list_checks_its_parameters_like_the_filter_does(world):
    for query in ("demand=abc", "demand=0", "demand=99999999999999999999"):
        response = get(world, f"/api/v1/matches/?{query}")
        assert response.status_code == 400 and "demand" in response.json(), query
    assert get(world, "/api/v1/matches/?demand=1&demand=2").status_code == 200  # the filter form decides


def test_a_deleted_key_stops_working_at_once_even_when_its_lookup_is_cached(world):
    assert get(world, "/api/v1/sectors/?page_size=1", role="write_key").status_code == 200  # now cached
    world.a.delete()  # the key goes with its organisation
    response = get(world, "/api/v1/sectors/?page_size=1", role="write_key")
    assert response.status_code == 401
