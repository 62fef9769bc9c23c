"""Newly published matches reach the layers above through the ``matches.published`` hook."""

import pytest

from matchmaking import rescoring
from matchmaking.models import Match


@pytest.mark.django_db
def test_newly_published_matches_are_announced_to_the_webhooks_of_their_organisations(
    directory, settings, django_capture_on_commit_callbacks
):
    from api.models import WebhookDelivery
    from tests.factories import WebhookFactory

    settings.MATCH_MIN_SCORE = 0.2
    hook = WebhookFactory(organisation=directory["cambi"], events=["match.published"])
    WebhookFactory(organisation=directory["wind"], events=["demand.created"])  # not subscribed

    with django_capture_on_commit_callbacks():
        rescoring.rescore_all()

    deliveries = list(WebhookDelivery.objects.filter(event="match.published"))
    assert {d.webhook_id for d in deliveries} == {hook.pk}
    announced = {m["id"] for d in deliveries for m in d.payload["matches"]}
    cambi_published = set(
        Match.objects.filter(organisation=directory["cambi"], published=True).values_list("pk", flat=True)
    )
    assert cambi_published and announced >= cambi_published

    with django_capture_on_commit_callbacks():
        rescoring.rescore_all()  # nothing newly published: nothing announced again
    assert WebhookDelivery.objects.filter(event="match.published").count() == len(deliveries)


@pytest.mark.django_db
def test_without_a_listening_webhook_nothing_is_looked_up_for_the_hook(directory, django_assert_num_queries):
    from matchmaking.rescoring import publishing
    from tests.factories import WebhookFactory

    WebhookFactory(organisation=directory["cambi"], events=["demand.created"])

    with django_assert_num_queries(1):  # is a webhook listening?
        assert publishing.published_before(demand_id=directory["sludge"].pk) is None
    with django_assert_num_queries(0):
        publishing.announce(None, demand_id=directory["sludge"].pk)
