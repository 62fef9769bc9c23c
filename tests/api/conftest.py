"""A small world for the API tests: two organisations with members, a members-only pair,
a published match on each side, a public and a private event with meetings, a delegation,
and the callers of the role × endpoint matrix; a real HTTP receiver for the webhook tests."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from api import services as key_services
from companies.models import Organisation, Sector
from delegations.models import Delegation
from matchmaking.models import Match
from tests.api.webhook_support import Receiver
from tests.factories import (
    DemandFactory,
    EventFactory,
    MeetingSlotFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
    meeting_create,
)

ROLES = ["visitor", "user_a", "user_b", "organiser", "read_key", "write_key", "revoked_key", "admin"]


@dataclass
class World:
    a: Organisation  # Chinese buyer, member user_a
    b: Organisation  # Nordic supplier, member user_b
    c: Organisation  # another Nordic supplier, nobody's
    hidden: Organisation  # members-only Chinese buyer
    demand_a: object
    demand_hidden: object
    match_ab: Match
    match_c_hidden: Match
    event: object
    private_event: object
    meeting_ab: object
    meeting_bc: object
    delegation: Delegation
    users: dict
    keys: dict  # role -> key in clear

    def client(self, role):
        client = Client()
        if role in self.users:
            client.force_login(self.users[role])
        elif role in self.keys:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {self.keys[role]}"
        return client


def match(organisation, demand, score, rank):
    return Match.objects.create(
        organisation=organisation,
        demand=demand,
        score=score,
        rank=rank,
        published=True,
        reasons=[{"kind": "sector", "value": "water.sludge"}, {"kind": "terms", "value": ["thermal hydrolysis"]}],
    )


@pytest.fixture
def world(db):
    return make_world()


def make_world():
    sludge = Sector.objects.get(slug="water.sludge")
    a = MembershipFactory(organisation__name="Beijing Drainage", organisation__country="CN", role="admin")
    b = MembershipFactory(organisation__name="Cambi", organisation__country="NO", role="admin")
    c = OrganisationFactory(name="Aker Carbon", country="NO")
    hidden = OrganisationFactory(name="Quiet Buyer", country="CN", visibility=Organisation.Visibility.MEMBERS)
    for organisation in (a.organisation, b.organisation, c):
        organisation.sectors.set([sludge])
    demand_a = DemandFactory(organisation=a.organisation, title="Sludge drying")
    demand_a.sectors.set([sludge])
    demand_hidden = DemandFactory(organisation=hidden, title="Quiet sludge need")

    organiser = UserFactory(email="organiser@example.org")
    event = EventFactory(name="Stavanger B2B day", is_public=True)
    event.organisers.add(organiser)
    private_event = EventFactory(name="Closed round table", is_public=False)
    private_event.organisers.add(organiser)
    RegistrationFactory(event=private_event, organisation=b.organisation)
    reg_a, reg_b, reg_c = (
        RegistrationFactory(event=event, organisation=o) for o in (a.organisation, b.organisation, c)
    )
    table = TableFactory(event=event)
    first, second = MeetingSlotFactory(event=event), MeetingSlotFactory(event=event)
    meeting_ab = meeting_create(slot=first, first=reg_a, second=reg_b, table=table)
    meeting_bc = meeting_create(slot=second, first=reg_b, second=reg_c, table=table)

    delegation = Delegation.objects.create(
        name="Copenhagen to Beijing",
        origin_country="DK",
        destination_country="CN",
        starts_on=timezone.localdate() + datetime.timedelta(days=60),
        ends_on=timezone.localdate() + datetime.timedelta(days=64),
    )
    _, read_key = key_services.create_api_key(name="Trade council", organisation=None)
    _, write_key = key_services.create_api_key(name="Buyer system", organisation=a.organisation, write=True)
    revoked, revoked_key = key_services.create_api_key(name="Old", organisation=a.organisation)
    revoked.revoked_at = timezone.now()
    revoked.save()

    return World(
        a=a.organisation,
        b=b.organisation,
        c=c,
        hidden=hidden,
        demand_a=demand_a,
        demand_hidden=demand_hidden,
        match_ab=match(b.organisation, demand_a, 0.9, 1),
        match_c_hidden=match(c, demand_hidden, 0.5, 1),
        event=event,
        private_event=private_event,
        meeting_ab=meeting_ab,
        meeting_bc=meeting_bc,
        delegation=delegation,
        users={
            "user_a": a.user,
            "user_b": b.user,
            "organiser": organiser,
            "admin": UserFactory(email="admin@example.org", is_superuser=True, is_staff=True),
        },
        keys={"read_key": read_key, "write_key": write_key, "revoked_key": revoked_key},
    )


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        receiver = Receiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    return settings
