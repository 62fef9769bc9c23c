"""Writes, one module per topic.  Every service takes keyword-only arguments, checks the actor's
permission (``PermissionDenied``), validates (``ValidationError`` with a message meant for the
person) and writes inside ``transaction.atomic()``; e-mails go out after the commit.

* ``participation``: registering, availability, meeting requests, preferences (participants);
* ``event_setup``: the event, its slots and tables, registrations, reminders (organisers);
* ``participant_import``: an event's participants from a CSV or JSON file (organisers);
* ``grid``: moving, locking, cancelling and adding meetings by hand (organisers);
* ``scheduler_runs``: queueing a run of the scheduler (organisers; ``events.scheduling`` runs it);
Shared by them and by ``events.scheduling``: ``events.meeting_changes`` (how a change to a
scheduled meeting is written and told).
"""
