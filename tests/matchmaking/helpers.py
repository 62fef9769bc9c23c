"""Helpers of the demand and matches tests: match rows are written directly (the engine has its own tests)."""

import datetime

from django.urls import reverse

from companies.models import Membership, Sector
from matchmaking.models import Match
from tests.factories import EventFactory, MembershipFactory, UserFactory

TODAY = datetime.date.today()
NEXT_YEAR = TODAY + datetime.timedelta(days=365)


def sector(slug):
    return Sector.objects.get(slug=slug)


def member_of(organisation, status=Membership.Status.ACTIVE):
    return MembershipFactory(organisation=organisation, status=status).user


def match(organisation, demand, *, score, rank=None, published=True, reasons=(), **fields):
    return Match.objects.create(
        organisation=organisation,
        demand=demand,
        score=score,
        rank=rank,
        published=published,
        reasons=list(reasons),
        components=fields.pop("components", {"sector": 1.0, "text": 0.6, "region": 1.0}),
        **fields,
    )


def event_organiser():
    user = UserFactory()
    EventFactory().organisers.add(user)
    return user


def titles_listed(client, query=""):
    """The titles the demand list shows for ``query``, sorted."""
    response = client.get(reverse("matchmaking:demand_list") + query)
    assert response.status_code == 200
    return sorted(d.display_title for d in response.context["demands"])
