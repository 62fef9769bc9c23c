"""Who is told what: the deliveries that the hooks of the lower layers create (api.notify)."""

import pytest

from api import notify
from api.models import WebhookDelivery
from core import hooks
from matchmaking.models import Match
from matchmaking.services import demand_close, demand_create, demand_update
from tests.api.webhook_support import buyer_admin, demand_fields
from tests.factories import (
    DemandFactory,
    MeetingSlotFactory,
    OrganisationFactory,
    RegistrationFactory,
    WebhookFactory,
    meeting_create,
)


@pytest.mark.django_db
def test_demand_events_go_to_every_subscribed_active_webhook(django_capture_on_commit_callbacks):
    buyer = buyer_admin()
    subscribed = WebhookFactory(events=["demand.created", "demand.updated"])
    WebhookFactory(events=["match.published"])
    WebhookFactory(events=["demand.created"], active=False)
    own = WebhookFactory(organisation=buyer.organisation, events=["demand.updated"])

    with django_capture_on_commit_callbacks() as queued:
        demand = demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields())
    created = list(WebhookDelivery.objects.values_list("webhook_id", "event"))
    demand_update(actor=buyer.user, demand=demand, fields={"title": "Sludge treatment, phase 2"})
    demand_close(actor=buyer.user, demand=demand)

    assert created == [(subscribed.pk, "demand.created")]
    assert len(queued) == 2  # the rescoring and the delivery, both after the commit
    updates = WebhookDelivery.objects.filter(event="demand.updated").order_by("pk")
    assert sorted(updates.values_list("webhook_id", flat=True)) == sorted([subscribed.pk, own.pk] * 2)
    assert [d.payload["status"] for d in updates if d.webhook_id == own.pk] == ["open", "closed"]
    assert updates.first().payload["title"] == "Sludge treatment, phase 2"


@pytest.mark.django_db
def test_subscribed_webhooks_can_be_limited_to_organisations():
    first, second = WebhookFactory(), WebhookFactory()
    WebhookFactory(organisation=second.organisation, events=["match.published"])  # another event

    subscribed = notify.subscribed_webhooks("demand.created", organisation_ids=[second.organisation_id])

    assert subscribed == [second]
    assert first in notify.subscribed_webhooks("demand.created")


@pytest.mark.django_db
def test_a_published_match_goes_to_the_webhooks_of_its_two_organisations():
    demand = DemandFactory()
    supplier, bystander = OrganisationFactory(), OrganisationFactory()
    published = Match.objects.create(organisation=supplier, demand=demand, score=0.8, rank=1, published=True)
    hidden = Match.objects.create(organisation=bystander, demand=demand, score=0.1, rank=2, published=False)
    buyer_hook = WebhookFactory(organisation=demand.organisation)
    supplier_hook = WebhookFactory(organisation=supplier)
    WebhookFactory(organisation=bystander)

    hooks.emit(hooks.MATCHES_PUBLISHED, match_ids=[published.pk, hidden.pk])

    deliveries = WebhookDelivery.objects.order_by("webhook_id")
    assert [d.webhook_id for d in deliveries] == [buyer_hook.pk, supplier_hook.pk]
    for delivery in deliveries:
        assert delivery.event == "match.published"
        assert [m["id"] for m in delivery.payload["matches"]] == [published.pk]
        assert delivery.payload["matches"][0]["organisation"]["id"] == supplier.pk
        assert delivery.payload["matches"][0]["demand"]["id"] == demand.pk


@pytest.mark.django_db
def test_published_matches_are_wanted_only_while_a_webhook_listens():
    assert not hooks.wanted(hooks.MATCHES_PUBLISHED)
    WebhookFactory(events=["demand.created"])
    WebhookFactory(events=["match.published"], active=False)
    assert not hooks.wanted(hooks.MATCHES_PUBLISHED)

    WebhookFactory(events=["match.published"])

    assert hooks.wanted(hooks.MATCHES_PUBLISHED)


@pytest.mark.django_db
def test_a_scheduled_meeting_goes_to_the_webhooks_of_both_participants():
    slot = MeetingSlotFactory()
    ana, bo = RegistrationFactory.create_batch(2, event=slot.event)
    meeting = meeting_create(slot=slot, first=ana, second=bo)
    webhooks = [WebhookFactory(organisation=ana.organisation), WebhookFactory(organisation=bo.organisation)]
    WebhookFactory(events=["meeting.scheduled"])  # another organisation's

    hooks.emit(hooks.MEETINGS_SCHEDULED, meetings=[meeting])

    deliveries = WebhookDelivery.objects.order_by("webhook_id")
    assert [d.webhook_id for d in deliveries] == [webhook.pk for webhook in webhooks]
    assert deliveries[0].payload["id"] == meeting.pk
    assert deliveries[0].payload["event"]["id"] == slot.event.pk
    assert {deliveries[0].payload["party_a"]["registration"], deliveries[0].payload["party_b"]["registration"]} == {
        ana.pk,
        bo.pk,
    }
