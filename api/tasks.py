"""Celery entry point for webhooks: one attempt per run, retried with exponential back-off.

The delivery row counts the attempts (not Celery), so a redelivered task neither sends
twice nor resets the count; a delivery or webhook deleted meanwhile ends the task quietly.
"""

import logging

from celery import shared_task
from django.db import DatabaseError

from api.webhooks import delivery

logger = logging.getLogger(__name__)


@shared_task(
    name="api.deliver_webhook",
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=None,  # bounded by WEBHOOK_MAX_ATTEMPTS, counted on the delivery row
    soft_time_limit=60,
    time_limit=90,
)
def deliver_webhook(self, *, delivery_id):
    outcome = delivery.deliver(delivery_id=delivery_id)
    logger.info("Webhook delivery %s: %s after %s attempt(s)", delivery_id, outcome.result, outcome.attempts)
    if outcome.result == "retry":
        raise self.retry(countdown=delivery.retry_delay(outcome.attempts))
    return outcome.result
