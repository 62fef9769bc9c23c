"""How many queries the demand and matches pages run: pinned, with 1 and with 3 items.

An N+1 (a query per demand, per sector or per match) makes the count for 3 items differ
from the pinned one.  The counts include the session and user of a signed-in client.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import Region
from delegations.models import Delegation
from tests.factories import DemandFactory, EventFactory, OrganisationFactory
from tests.matchmaking.helpers import NEXT_YEAR, match, sector

pytestmark = pytest.mark.django_db

SECTORS = ["water.sludge", "energy.grid", "energy.storage"]


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def copresence(n):
    """A reason naming an event and a delegation both sides attend."""
    event = EventFactory(name=f"B2B day {n}")
    delegation = Delegation.objects.create(
        name=f"Delegation {n}", origin_country="CN", destination_country="NO", starts_on=NEXT_YEAR, ends_on=NEXT_YEAR
    )
    return {"kind": "copresence", "value": [f"event:{event.pk}", f"delegation:{delegation.pk}"]}


# ---- the demand list and a demand's page -----------------------------------------------------


# The count, the filter form's sector and region choices, the demands, their sectors; signed in,
# also the session, the user and whether they may post.
@pytest.mark.parametrize(("signed_in", "expected"), [(False, 5), (True, 8)], ids=["visitor", "member"])
def test_the_demand_list(client, buyer, signed_in, expected):
    if signed_in:
        client.force_login(buyer)

    def add_demand(n):
        owner = OrganisationFactory(name=f"Buyer {n}", country="CN")
        demand = DemandFactory(organisation=owner, region=Region.objects.get(code="CN-SD"))
        demand.sectors.set([sector(slug) for slug in SECTORS])

    add_demand(1)
    one, response = queries(client, reverse("matchmaking:demand_list"))
    assert len(response.context["demands"]) == 1
    add_demand(2)
    add_demand(3)
    three, response = queries(client, reverse("matchmaking:demand_list"))
    assert len(response.context["demands"]) == 3

    assert (one, three) == (expected, expected)


# The demand with its organisation and region, its sectors; signed in, also the session, the user
# and whether they may edit.
@pytest.mark.parametrize(("signed_in", "expected"), [(False, 2), (True, 5)], ids=["visitor", "owner"])
def test_a_demand_page(client, buyer, demand, signed_in, expected):
    if signed_in:
        client.force_login(buyer)
    url = reverse("matchmaking:demand_detail", args=[demand.pk])

    demand.sectors.set([sector(SECTORS[0])])
    one, response = queries(client, url)
    assert len(response.context["demand"].sectors.all()) == 1
    demand.sectors.set([sector(slug) for slug in SECTORS])
    three, response = queries(client, url)
    assert len(response.context["demand"].sectors.all()) == 3

    assert (one, three) == (expected, expected)


# ---- /matches/ -------------------------------------------------------------------------------


def test_the_matches_page_of_a_buyer(client, buyer, demand, full_reasons):
    client.force_login(buyer)

    def add(n):
        supplier = OrganisationFactory(name=f"Supplier {n}")
        match(supplier, demand, score=0.5 + n / 10, rank=n, reasons=[*full_reasons, copresence(n)])

    add(1)
    cold, _response = queries(client, reverse("matches:list"))  # also reads the sector and region names, then kept
    one, response = queries(client, reverse("matches:list"))
    assert response.context["found"].buyer_total == 1
    add(2)
    add(3)
    three, response = queries(client, reverse("matches:list"))
    assert response.context["found"].buyer_total == 3

    # The session, the user, their organisations, the membership check, the open demands, their
    # matches, the supplier side's matches, the events and the delegations named by the reasons, and
    # whether the user may rescore (is an event or a delegation organiser); the first page also reads
    # the sector and the region names.
    assert (cold, one, three) == (13, 11, 11)


def test_the_matches_page_of_a_supplier(client, supplier, cambi, buyer_org, full_reasons):
    client.force_login(supplier)

    def add(n):
        demand = DemandFactory(organisation=buyer_org, region=Region.objects.get(code="CN-SD"))
        match(cambi, demand, score=0.5 + n / 10, rank=1, reasons=[*full_reasons, copresence(n)])

    add(1)
    cold, _response = queries(client, reverse("matches:list"))
    one, response = queries(client, reverse("matches:list"))
    assert len(response.context["found"].supplier_matches) == 1
    add(2)
    add(3)
    three, response = queries(client, reverse("matches:list"))
    assert len(response.context["found"].supplier_matches) == 3

    # As for the buyer, less the buyer side's matches (this organisation has no open demand to prefetch them for).
    assert (cold, one, three) == (12, 10, 10)
