"""Who is told what: the webhook deliveries each event creates.

- ``demand.created`` / ``demand.updated`` go to every active webhook subscribed to them,
  whatever its organisation: every API key can read every demand through the API anyway.
  Closing a demand is an update.
- ``match.published`` goes to the webhooks of the two organisations of a match (the
  demand's owner and the matched organisation), up to 100 matches per delivery.  A partner
  that follows every match polls ``/api/v1/matches/?updated_since=…`` instead.
- ``meeting.scheduled`` goes to the webhooks of the two participants' organisations.

These functions are the receivers of the hooks ``demand.saved``, ``matches.published`` and
``meetings.scheduled`` (connected in ``api.apps``).  Each writes one ``WebhookDelivery`` per
webhook and event in the caller's transaction, and queues its sending once the transaction
commits: a rolled-back transaction sends nothing, and the caller never waits for a receiver.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder

from api import tasks
from api.models import Webhook, WebhookDelivery, WebhookEvent
from api.serializers import DemandSerializer, MatchSerializer, MeetingSerializer
from core import queueing
from events.models import Meeting
from matchmaking.models import Demand, Match
from matchmaking.reasons import ReasonNames

#: Matches per ``match.published`` delivery.
MATCHES_PER_DELIVERY = 100


def _plain(data):
    """JSON-safe copy (dates and decimals as strings), as it will be stored and sent."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def subscribed_webhooks(event, organisation_ids=None):
    """Active webhooks subscribed to ``event`` (of the given organisations, if any)."""
    webhooks = Webhook.objects.filter(active=True)
    if organisation_ids is not None:
        webhooks = webhooks.filter(organisation_id__in=list(organisation_ids))
    # ``events`` is a JSON list; filtered here because SQLite has no JSON "contains".
    return [webhook for webhook in webhooks.order_by("pk") if event in (webhook.events or ())]


def matches_published_wanted():
    """Whether an active webhook listens to ``match.published`` (else the rescoring skips the hook)."""
    return bool(subscribed_webhooks(WebhookEvent.MATCH_PUBLISHED))


def _create_deliveries(items):
    """``items``: (webhook, event, data).  Writes the rows; sends them once the transaction commits."""
    rows = [WebhookDelivery(webhook=webhook, event=event, payload=_plain(data)) for webhook, event, data in items]
    ids = [delivery.pk for delivery in WebhookDelivery.objects.bulk_create(rows)]  # ids: PostgreSQL, SQLite ≥ 3.35
    for delivery_id in ids:
        queueing.send_on_commit(tasks.deliver_webhook, delivery_id=delivery_id, hint="the delivery stays pending")
    return ids


def demand_data(demand_id):
    """A demand as the API shows it."""
    demand = Demand.objects.select_related("organisation", "region").prefetch_related("sectors").get(pk=demand_id)
    return DemandSerializer(demand).data


def notify_demand(demand, *, created):
    """``demand.created`` or ``demand.updated`` for a demand saved in the current transaction."""
    event = WebhookEvent.DEMAND_CREATED if created else WebhookEvent.DEMAND_UPDATED
    subscribed = subscribed_webhooks(event)
    if not subscribed:
        return []  # no query for the payload either
    data = demand_data(demand.pk)
    return _create_deliveries((webhook, event, data) for webhook in subscribed)


def notify_matches_published(match_ids):
    """``match.published`` to the webhooks of both organisations of each published match among ``match_ids``.

    Each webhook gets the matches that concern its organisation, up to ``MATCHES_PER_DELIVERY``
    per delivery.
    """
    match_ids = list(match_ids)
    if not match_ids:
        return []
    matches = list(
        Match.objects.filter(pk__in=match_ids, published=True)
        .select_related("demand", "organisation")
        .order_by("demand_id", "rank", "pk")
    )
    organisation_ids = {m.organisation_id for m in matches} | {m.demand.organisation_id for m in matches}
    webhooks = subscribed_webhooks(WebhookEvent.MATCH_PUBLISHED, organisation_ids)
    if not webhooks:
        return []
    names = ReasonNames.for_reasons(reason for match in matches for reason in match.reasons or ())
    serialized = MatchSerializer(matches, many=True, context={"reason_names": names}).data
    items = []
    for webhook in webhooks:
        own = [
            data
            for match, data in zip(matches, serialized, strict=True)
            if webhook.organisation_id in (match.organisation_id, match.demand.organisation_id)
        ]
        for start in range(0, len(own), MATCHES_PER_DELIVERY):
            items.append(
                (webhook, WebhookEvent.MATCH_PUBLISHED, {"matches": own[start : start + MATCHES_PER_DELIVERY]})
            )
    return _create_deliveries(items)


def notify_meetings_scheduled(meetings):
    """``meeting.scheduled`` for each meeting, to the webhooks of its two participants' organisations.

    Three queries whatever the number of meetings (a scheduler run places thousands): the
    subscribed webhooks, the meetings with what the payload shows, and one insert of the deliveries.
    """
    subscribed = subscribed_webhooks(WebhookEvent.MEETING_SCHEDULED)
    if not subscribed or not meetings:
        return []
    by_organisation = {}
    for webhook in subscribed:
        by_organisation.setdefault(webhook.organisation_id, []).append(webhook)
    loaded = Meeting.objects.select_related(
        "event", "slot", "table", "party_a__organisation", "party_b__organisation"
    ).filter(pk__in=[meeting.pk for meeting in meetings])
    items = []
    for meeting in loaded.order_by("pk"):
        organisation_ids = sorted({meeting.party_a.organisation_id, meeting.party_b.organisation_id})
        webhooks = [webhook for org in organisation_ids for webhook in by_organisation.get(org, ())]
        if not webhooks:
            continue
        event = meeting.event
        data = {
            **MeetingSerializer(meeting).data,
            "event": {"id": event.pk, "external_id": event.external_id, "name": event.name},
        }
        items.extend(
            (webhook, WebhookEvent.MEETING_SCHEDULED, data) for webhook in sorted(webhooks, key=lambda w: w.pk)
        )
    return _create_deliveries(items)
