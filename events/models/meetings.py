"""The B2B meetings scheduled at an event, their seats, and the scheduler runs that place them.

Double bookings are impossible in the database itself, not only in code:

* ``Meeting``: the two parties differ (stored in canonical order ``party_a < party_b``),
  a table serves one scheduled meeting per slot.
* ``MeetingSeat``: one row per party of every *scheduled* meeting, unique per
  (slot, registration), so nobody sits in two meetings of one slot whichever side
  of the pair they are on.  Seats are written by database triggers on
  ``events_meeting`` (migration 0002, for PostgreSQL and SQLite), so no code path,
  the admin included, can forget them; a move into a busy slot fails with an
  ``IntegrityError`` raised by the unique index, also under concurrency.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.events import Event, Registration
from events.models.meeting_day import MeetingSlot, Table
from events.models.wishes import MeetingRequest


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        REQUEST = "request", _("Accepted request")
        PREFERENCE = "preference", _("Preferences")
        SUGGESTED = "suggested", _("Suggested from matches")
        MANUAL = "manual", _("Placed by an organiser")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meetings")
    slot = models.ForeignKey(MeetingSlot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="meetings")
    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    party_a = models.ForeignKey(
        Registration, verbose_name=_("participant A"), on_delete=models.CASCADE, related_name="meetings_as_a"
    )
    party_b = models.ForeignKey(
        Registration, verbose_name=_("participant B"), on_delete=models.CASCADE, related_name="meetings_as_b"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    locked = models.BooleanField(_("locked"), default=False, help_text=_("The scheduler keeps locked meetings."))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    request = models.ForeignKey(
        MeetingRequest, verbose_name=_("request"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    weight = models.FloatField(_("weight"), default=0.0)
    video_link = models.URLField(_("video link"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slot__starts_at", "table__position"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            # Canonical order makes "the two parties differ" and "a pair meets once" checkable.
            models.CheckConstraint(condition=models.Q(party_a__lt=models.F("party_b")), name="meeting_parties_differ"),
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=models.Q(status="scheduled", table__isnull=False),
                name="meeting_one_per_table_and_slot",
            ),
            models.UniqueConstraint(
                fields=["event", "party_a", "party_b"],
                condition=models.Q(status="scheduled"),
                name="meeting_pair_once_per_event",
            ),
        ]

    def __str__(self):
        return f"{self.party_a.name} × {self.party_b.name} — {self.slot}"


class MeetingSeat(models.Model):
    """A party's seat in a scheduled meeting; written only by database triggers."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    slot = models.ForeignKey(MeetingSlot, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="seats")

    class Meta:
        verbose_name = _("meeting seat")
        verbose_name_plural = _("meeting seats")
        constraints = [
            models.UniqueConstraint(fields=["slot", "registration"], name="seat_one_meeting_per_slot"),
        ]

    def __str__(self):
        return f"{self.registration.name} in meeting {self.meeting_id}"


class SchedulingRun(models.Model):
    """One run of the meeting scheduler for an event; its progress feeds the organiser's progress bar."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="scheduling_runs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    phase = models.CharField(_("phase"), max_length=40, blank=True)
    meetings = models.PositiveIntegerField(_("meetings"), null=True, blank=True)
    upper_bound = models.PositiveIntegerField(_("upper bound"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scheduling run")
        verbose_name_plural = _("scheduling runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0.0, progress__lte=1.0), name="scheduling_progress_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.event} {self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def percent(self):
        return round(100 * self.progress)
