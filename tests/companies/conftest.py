"""Fixtures of the companies tests."""

import pytest

from companies.models import Partnership, Region, Sector
from tests.factories import OrganisationFactory


@pytest.fixture
def tagged_organisation(db):
    """Makes an organisation tagged with sectors (slugs), target regions (codes) and partnership kinds (codes)."""

    def make(*, sectors=(), regions=(), looking_for=(), **fields):
        created = OrganisationFactory(**fields)
        created.sectors.set(Sector.objects.filter(slug__in=sectors))
        created.target_regions.set(Region.objects.filter(code__in=regions))
        created.looking_for.set(Partnership.objects.filter(code__in=looking_for))
        return created

    return make
