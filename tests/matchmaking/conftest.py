"""Fixtures of the demand and matches tests: a Chinese buyer with a demand, a Nordic supplier,
an event, and the demand's ranked matches."""

import pytest

from companies.models import Region
from tests.factories import DemandFactory, EventFactory, OrganisationFactory
from tests.matchmaking.helpers import NEXT_YEAR, match, member_of, sector


@pytest.fixture
def buyer_org():
    return OrganisationFactory(name="Beijing Drainage Group", name_zh="北京城市排水集团", country="CN")


@pytest.fixture
def buyer(buyer_org):
    return member_of(buyer_org)


@pytest.fixture
def cambi():
    return OrganisationFactory(name="Cambi", country="NO", city="Asker")


@pytest.fixture
def supplier(cambi):
    return member_of(cambi)


@pytest.fixture
def outsider():
    """An active member of another organisation."""
    return member_of(OrganisationFactory(name="Other Tech"))


@pytest.fixture
def demand(buyer_org):
    demand = DemandFactory(
        organisation=buyer_org,
        title="Sludge treatment upgrade",
        title_zh="污泥处理升级",
        description="Thermal hydrolysis for a municipal plant.",
        region=Region.objects.get(code="CN-BJ"),
        budget_eur=5_000_000,
        deadline=NEXT_YEAR,
    )
    demand.sectors.set([sector("water.sludge")])
    return demand


@pytest.fixture
def event():
    return EventFactory(name="Stavanger B2B day", name_zh="斯塔万格对接日")


@pytest.fixture
def full_reasons(event):
    return [
        {"kind": "sector", "value": "water.sludge"},
        {"kind": "terms", "value": ["thermal hydrolysis", "biogas"]},
        {"kind": "region", "value": "CN-BJ"},
        {"kind": "partnership", "value": "pilot"},
        {"kind": "copresence", "value": [f"event:{event.pk}"]},
    ]


@pytest.fixture
def ranked(demand, cambi, full_reasons):
    """The demand's matches: Cambi first, Veolia second; one unpublished, one the buyer hid."""
    veolia = OrganisationFactory(name="Veolia Nordic", country="SE")
    hidden = OrganisationFactory(name="Unpublished Oy", country="FI")
    rejected = OrganisationFactory(name="Rejected AS", country="NO")
    return {
        "cambi": match(cambi, demand, score=0.82, rank=1, reasons=full_reasons),
        "veolia": match(veolia, demand, score=0.61, rank=2, reasons=[{"kind": "sector_group", "value": "water"}]),
        "unpublished": match(hidden, demand, score=0.12, published=False),
        "rejected": match(rejected, demand, score=0.55, published=True, rank=3, buyer_feedback="not_relevant"),
    }
