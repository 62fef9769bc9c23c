"""The engine's features from the database (``rescoring.features``): records, co-presence, the kept copy."""

import datetime

import pytest
from django.utils import timezone

from matchmaking import rescoring
from tests.factories import DelegationMemberFactory, EventFactory, RegistrationFactory


def gatherings_of(features, organisation):
    return next(o.gatherings for o in features.organisations if o.id == organisation.pk)


@pytest.mark.django_db
def test_co_presence_comes_from_upcoming_events_and_delegations_through_the_hook(directory):
    event = EventFactory()
    RegistrationFactory(event=event, organisation=directory["cambi"])
    RegistrationFactory(event=event, organisation=directory["buyer"], status="pending")
    over = EventFactory(starts_at=timezone.now() - datetime.timedelta(days=3))
    RegistrationFactory(event=over, organisation=directory["grundfos"])
    RegistrationFactory(organisation=directory["wind"], status="declined")
    member = DelegationMemberFactory(organisation=directory["cambi"])

    features = rescoring.load_features()

    assert gatherings_of(features, directory["cambi"]) == (f"delegation:{member.delegation_id}", f"event:{event.pk}")
    assert gatherings_of(features, directory["grundfos"]) == ()  # the event is over
    assert gatherings_of(features, directory["wind"]) == ()  # declined
    sludge = next(d for d in features.demands if d.id == directory["sludge"].pk)
    assert sludge.gatherings == (f"event:{event.pk}",)  # its owner's


@pytest.mark.django_db
def test_current_features_swaps_in_a_profile_saved_since_the_last_build(directory):
    first = rescoring.load_features()
    wind = directory["wind"]
    wind.description = "Thermal hydrolysis of sewage sludge."
    wind.save()

    current = rescoring.current_features()

    assert current is not first
    assert current.fitted is first.fitted  # no refit
    record = next(o for o in current.organisations if o.id == wind.pk)
    assert "Thermal hydrolysis" in record.text_en
