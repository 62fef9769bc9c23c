"""Every role against every endpoint: the status, and for lists which records the caller sees.

Roles: a visitor, a member of organisation A (a Chinese buyer) and of B (a Nordic
supplier), an event organiser who belongs to no organisation, a read key (of no
organisation), a read-write key of A, a revoked key of A, and an administrator.
A cell is a status code, or (200, the names of what the list holds).
"""

import pytest

from tests.api.conftest import ROLES

ALL_ORGS = {"Aker Carbon", "Beijing Drainage", "Cambi", "Quiet Buyer"}
PUBLIC_ORGS = ALL_ORGS - {"Quiet Buyer"}
ALL_DEMANDS = {"Sludge drying", "Quiet sludge need"}


def everyone(value, **overrides):
    return {role: overrides.get(role, value) for role in ROLES} | {"revoked_key": overrides.get("revoked_key", 401)}


def names(payload):
    results = payload["results"]
    for field in ("name", "title"):
        if results and field in results[0]:
            return {item[field] for item in results}
    if results and "demand" in results[0]:  # matches: "supplier → demand"
        return {f"{item['organisation']['name']} → {item['demand']['title']}" for item in results}
    if results and "party_a" in results[0]:
        return {
            f"{item['party_a']['organisation']['name']} × {item['party_b']['organisation']['name']}" for item in results
        }
    return {item.get("slug") for item in results}


AB = "Cambi → Sludge drying"
C_HIDDEN = "Aker Carbon → Quiet sludge need"
MEET_AB = "Beijing Drainage × Cambi"
MEET_BC = "Cambi × Aker Carbon"

MATRIX = {
    "sectors": (lambda w: "/api/v1/sectors/?page_size=1", everyone(200)),
    "sector detail": (lambda w: "/api/v1/sectors/water.sludge/", everyone(200)),
    "organisations": (
        lambda w: "/api/v1/organisations/",
        everyone((200, ALL_ORGS), visitor=(200, PUBLIC_ORGS)),
    ),
    "members-only organisation": (lambda w: f"/api/v1/organisations/{w.hidden.pk}/", everyone(200, visitor=404)),
    "demands": (lambda w: "/api/v1/demands/", everyone((200, ALL_DEMANDS), visitor=(200, {"Sludge drying"}))),
    "demand of a members-only organisation": (
        lambda w: f"/api/v1/demands/{w.demand_hidden.pk}/",
        everyone(200, visitor=404),
    ),
    "matches": (
        lambda w: "/api/v1/matches/",
        everyone(
            (200, {AB, C_HIDDEN}),
            visitor=401,
            user_a=(200, {AB}),
            user_b=(200, {AB}),
            organiser=(200, set()),
        ),
    ),
    "events": (
        lambda w: "/api/v1/events/",
        everyone(
            (200, {"Stavanger B2B day"}),
            user_b=(200, {"Stavanger B2B day", "Closed round table"}),
            organiser=(200, {"Stavanger B2B day", "Closed round table"}),
            admin=(200, {"Stavanger B2B day", "Closed round table"}),
        ),
    ),
    "private event": (
        lambda w: f"/api/v1/events/{w.private_event.pk}/",
        everyone(404, user_b=200, organiser=200, admin=200),
    ),
    "meetings": (
        lambda w: f"/api/v1/events/{w.event.pk}/meetings/",
        everyone(
            (200, {MEET_AB, MEET_BC}),
            visitor=401,
            user_a=(200, {MEET_AB}),
            read_key=(200, set()),
            write_key=(200, {MEET_AB}),
        ),
    ),
    "meetings of a private event": (
        lambda w: f"/api/v1/events/{w.private_event.pk}/meetings/",
        everyone(404, visitor=401, user_b=(200, set()), organiser=(200, set()), admin=(200, set())),
    ),
    "delegations": (lambda w: "/api/v1/delegations/", everyone((200, {"Copenhagen to Beijing"}))),
    "delegation detail": (lambda w: f"/api/v1/delegations/{w.delegation.pk}/", everyone(200)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_by_endpoint(world, endpoint):
    url_of, expected = MATRIX[endpoint]
    url = url_of(world)
    seen = {}
    for role in ROLES:
        response = world.client(role).get(url)
        assert response["Content-Type"] == "application/json", (role, response.content[:200])
        cell = expected[role]
        if isinstance(cell, tuple):
            seen[role] = (response.status_code, names(response.json()) if response.status_code == 200 else None)
        else:
            seen[role] = response.status_code
    assert seen == expected


def demand_body(world, **fields):
    return {"title": "Biogas upgrading", "sectors": ["water.sludge"], "organisation": world.a.pk, **fields}


POST_EXPECTED = {
    "visitor": 401,
    "user_a": 201,  # a member of A
    "user_b": 403,  # not a member of A
    "organiser": 403,
    "read_key": 403,  # read-only
    "write_key": 201,  # for its own organisation, A (the "organisation" field is ignored)
    "revoked_key": 401,
    "admin": 201,
}


@pytest.mark.django_db
def test_posting_a_demand_for_organisation_a(world):
    from matchmaking.models import Demand

    seen, created = {}, {}
    for role in ROLES:
        before = Demand.objects.count()
        response = world.client(role).post(
            "/api/v1/demands/", demand_body(world, title=f"Biogas for {role}"), content_type="application/json"
        )
        seen[role] = response.status_code
        created[role] = Demand.objects.count() - before
        assert "detail" in response.json() or response.status_code == 201, response.json()
    assert seen == POST_EXPECTED
    assert created == {role: int(status == 201) for role, status in POST_EXPECTED.items()}
    assert set(Demand.objects.filter(title__startswith="Biogas for").values_list("organisation", flat=True)) == {
        world.a.pk
    }


@pytest.mark.django_db
def test_a_write_key_posts_for_its_own_organisation_whatever_the_body_names(world):
    response = world.client("write_key").post(
        "/api/v1/demands/", demand_body(world, organisation=world.b.pk), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["organisation"]["id"] == world.a.pk
