"""Webhooks: GreenBridge POSTs signed events to partners' HTTPS URLs.

Events: ``match.published``, ``demand.created``, ``demand.updated``, ``meeting.scheduled``.
Which webhooks get which event is decided in ``api.notify``; this package sends them:

- ``targets``: which URLs may be called (the server-side request forgery guard), and
  connections pinned to the address that was checked;
- ``signing``: the ``X-GreenBridge-Signature`` header, and how a receiver verifies it;
- ``delivery``: one attempt at sending a delivery, its outcome, and the delay before a retry.

The request is a POST with a JSON body::

    {"id": 42, "event": "demand.created", "created_at": "2026-11-24T09:30:00+00:00", "data": {…}}

``id`` is the delivery's id: it stays the same when a delivery is retried, so a receiver
that has seen it already can answer 2xx and ignore it (delivery is at least once).
``data`` is the record as the API shows it.
"""
