import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from companies.models import Membership, Organisation
from delegations.models import Delegation, DelegationMember
from events.models import Event, Meeting, MeetingSlot, Registration, Table
from matchmaking.models import Demand


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Nordic Water Tech {n}")
    external_id = factory.Sequence(lambda n: f"org-{n}")
    country = "NO"
    kind = Organisation.Kind.COMPANY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand

    organisation = factory.SubFactory(OrganisationFactory, country="CN", name="Beijing Drainage Group")
    title = factory.Sequence(lambda n: f"Sludge treatment need {n}")
    external_id = factory.Sequence(lambda n: f"demand-{n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"B2B day {n}")
    timezone = "Europe/Oslo"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=8))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    status = Registration.Status.APPROVED


class MeetingSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingSlot

    event = factory.SubFactory(EventFactory)
    starts_at = factory.Sequence(
        lambda n: timezone.now().replace(microsecond=0) + datetime.timedelta(days=30, minutes=30 * n)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=25))


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Table {n}")


def meeting_create(*, slot, first, second, table=None, **fields):
    """A scheduled meeting between two registrations, stored in canonical order."""
    party_a, party_b = sorted([first, second], key=lambda r: r.pk)
    return Meeting.objects.create(event=slot.event, slot=slot, table=table, party_a=party_a, party_b=party_b, **fields)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    name = factory.Sequence(lambda n: f"Water delegation {n}")
    external_id = factory.Sequence(lambda n: f"delegation-{n}")
    origin_country = "DK"
    destination_country = "CN"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=4))


class DelegationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegationMember

    delegation = factory.SubFactory(DelegationFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "api.Webhook"

    organisation = factory.SubFactory(OrganisationFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/greenbridge")
    events = factory.LazyFunction(lambda: ["match.published", "demand.created", "demand.updated", "meeting.scheduled"])
    secret = factory.Sequence(lambda n: f"whsec_test_secret_{n}")


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "api.WebhookDelivery"

    webhook = factory.SubFactory(WebhookFactory)
    event = "demand.created"
    payload = factory.LazyFunction(lambda: {"id": 1, "title": "Sludge treatment"})


def event_participant(*, event, organisation=None, country="NO", language="en", status="approved", **fields):
    """A user who is an active member of an organisation and registered for ``event`` on its behalf."""
    user = UserFactory()
    organisation = organisation or OrganisationFactory(country=country)
    MembershipFactory(user=user, organisation=organisation)
    return RegistrationFactory(
        event=event, organisation=organisation, user=user, email=user.email, language=language, status=status, **fields
    )
