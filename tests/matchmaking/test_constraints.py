import pytest
from django.db import IntegrityError, transaction

from companies.models import Organisation
from delegations.models import Delegation, DelegationMember
from events.models import Event
from matchmaking.models import Demand, Match
from tests.factories import DemandFactory, EventFactory, OrganisationFactory


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
@pytest.mark.parametrize("score", [-0.01, 1.01, 7.0])
def test_a_match_score_outside_0_1_is_refused(score):
    demand, supplier = DemandFactory(), OrganisationFactory()
    refused(lambda: Match.objects.create(organisation=supplier, demand=demand, score=score))


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0.0, 0.5, 1.0])
def test_scores_from_0_to_1_are_accepted(score):
    match = Match.objects.create(organisation=OrganisationFactory(), demand=DemandFactory(), score=score)
    assert Match.objects.get(pk=match.pk).score == score


@pytest.mark.django_db
def test_one_match_per_organisation_and_demand():
    demand, supplier = DemandFactory(), OrganisationFactory()
    Match.objects.create(organisation=supplier, demand=demand, score=0.4)
    refused(lambda: Match.objects.create(organisation=supplier, demand=demand, score=0.9))
    Match.objects.create(organisation=OrganisationFactory(), demand=demand, score=0.9)
    assert Match.objects.count() == 2


@pytest.mark.django_db
def test_a_match_rank_starts_at_1():
    refused(lambda: Match.objects.create(organisation=OrganisationFactory(), demand=DemandFactory(), score=0.5, rank=0))


@pytest.mark.django_db
def test_a_demand_needs_a_title_in_at_least_one_language():
    owner = OrganisationFactory(country="CN")
    refused(lambda: Demand.objects.create(organisation=owner, title="", title_zh=""))
    assert Demand.objects.create(organisation=owner, title="", title_zh="北京污泥处理").display_title == "北京污泥处理"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "create",
    [
        lambda: OrganisationFactory(external_id="same"),
        lambda: DemandFactory(external_id="same"),
        lambda: EventFactory(external_id="same"),
        lambda: Delegation.objects.create(
            external_id="same",
            name="D",
            origin_country="DK",
            destination_country="CN",
            starts_on="2027-05-01",
            ends_on="2027-05-05",
        ),
    ],
    ids=["organisation", "demand", "event", "delegation"],
)
def test_external_ids_are_unique_per_type_and_may_be_empty(create):
    create()
    refused(create)


@pytest.mark.django_db
def test_many_records_may_have_no_external_id():
    OrganisationFactory.create_batch(3, external_id=None)
    assert Organisation.objects.filter(external_id=None).count() == 3
    EventFactory.create_batch(2, external_id=None)
    assert Event.objects.filter(external_id=None).count() == 2


@pytest.mark.django_db
def test_the_same_external_id_may_be_used_by_two_types():
    OrganisationFactory(external_id="shared")
    DemandFactory(external_id="shared")
    assert Demand.objects.get(external_id="shared").organisation.external_id != "shared"


@pytest.mark.django_db
def test_a_delegation_ends_after_it_starts_and_lists_an_organisation_once():
    refused(
        lambda: Delegation.objects.create(
            name="Backwards",
            origin_country="DK",
            destination_country="CN",
            starts_on="2027-05-05",
            ends_on="2027-05-01",
        )
    )
    delegation = Delegation.objects.create(
        name="Copenhagen to Beijing",
        origin_country="DK",
        destination_country="CN",
        starts_on="2027-05-01",
        ends_on="2027-05-05",
    )
    member = OrganisationFactory(country="DK")
    DelegationMember.objects.create(delegation=delegation, organisation=member)
    refused(lambda: DelegationMember.objects.create(delegation=delegation, organisation=member))
