"""Rescoring one demand or one organisation after a save (``rescoring.incremental``)."""

import pytest

from matchmaking import rescoring
from matchmaking.models import Demand, Match
from tests.matchmaking.rescoring.sectors import sectors


@pytest.mark.django_db
def test_a_closed_or_deleted_demand_and_a_deleted_organisation_lose_their_matches(directory):
    rescoring.rescore_all()
    Demand.objects.filter(pk=directory["sludge"].pk).update(status="closed")
    rescoring.rescore_demand(demand_id=directory["sludge"].pk)
    assert not Match.objects.filter(demand=directory["sludge"]).exists()

    grundfos_id = directory["grundfos"].pk
    directory["grundfos"].delete()
    assert rescoring.rescore_organisation(organisation_id=grundfos_id) == 0
    assert rescoring.rescore_demand(demand_id=999_999) == 0
    assert not Match.objects.filter(organisation_id=grundfos_id).exists()


@pytest.mark.django_db
def test_an_organisation_whose_profile_now_fits_enters_the_demands_ranking(directory):
    rescoring.rescore_all()
    assert not Match.objects.filter(organisation=directory["wind"], demand=directory["sludge"], published=True).exists()
    wind = directory["wind"]
    wind.description = "Thermal hydrolysis of sewage sludge and biogas plants."
    wind.save()
    wind.sectors.set(sectors("water.sludge"))

    rescoring.rescore_organisation(organisation_id=wind.pk)

    match = Match.objects.get(organisation=wind, demand=directory["sludge"])
    assert match.published is True
    ranks = list(
        Match.objects.filter(demand=directory["sludge"], published=True).order_by("rank").values_list("rank", flat=True)
    )
    assert ranks == list(range(1, len(ranks) + 1))
