"""Events, registrations and the B2B meetings scheduled at them.

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

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from companies.models import Organisation, Region


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        ROADSHOW = "roadshow", _("Roadshow")
        B2B_DAY = "b2b", _("B2B meeting day")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIRTUAL = "virtual", _("Virtual")
        HYBRID = "hybrid", _("Hybrid")

    class MatchmakingMode(models.TextChoices):
        REQUESTS = "requests", _("Meeting requests (sent, then accepted or declined)")
        PREFERENCES = "preferences", _("Preferences (must meet / would like / no)")

    external_id = models.CharField(_("external ID"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.B2B_DAY)
    description = models.TextField(_("description (English)"), max_length=10000, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), max_length=10000, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region in China"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    matchmaking_mode = models.CharField(
        _("how meetings are wanted"),
        max_length=20,
        choices=MatchmakingMode.choices,
        default=MatchmakingMode.REQUESTS,
    )
    max_requests_per_participant = models.PositiveSmallIntegerField(
        _("maximum requests per participant"), null=True, blank=True
    )
    max_meetings_per_participant = models.PositiveSmallIntegerField(
        _("maximum meetings per participant"), null=True, blank=True
    )
    suggest_pairs_from_matches = models.BooleanField(_("add suggested pairs from matches"), default=False)
    is_public = models.BooleanField(_("public"), default=True)
    organising_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_events",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_events",
        help_text=_("People who may manage this event: registrations, slots, the scheduler."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gte=models.F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Registration(models.Model):
    """A person taking part in an event on behalf of an organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        help_text=_("Empty for participants imported before they have an account."),
    )
    name = models.CharField(_("participant name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the e-mails this participant gets."),
    )
    reminded_at = models.DateTimeField(
        _("reminded"), null=True, blank=True, help_text=_("When the one reminder for having no meeting was sent.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["event", "organisation__name", "name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="registration_unique_email_per_event"),
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation}) @ {self.event}"


class MeetingSlot(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_break = models.BooleanField(_("break"), default=False, help_text=_("No meetings are placed in a break."))

    class Meta:
        ordering = ["event", "starts_at"]
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="slot_unique_start_per_event"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self):
        start = self.starts_at.astimezone(self.event.tzinfo)
        end = self.ends_at.astimezone(self.event.tzinfo)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} ({self.event.timezone})"


class Table(models.Model):
    """A table or room of the meeting area; a video link for virtual meetings."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("name"), max_length=60)
    video_link = models.URLField(_("video link"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["event", "position", "name"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="table_unique_name_per_event")]

    def __str__(self):
        return self.name


class Availability(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="availabilities"
    )
    slot = models.ForeignKey(
        MeetingSlot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="availabilities"
    )
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        constraints = [
            models.UniqueConstraint(fields=["registration", "slot"], name="availability_unique_registration_slot"),
        ]

    def __str__(self):
        return f"{self.registration.name}: {self.slot} {'✓' if self.available else '✗'}"


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meeting_requests")
    requester = models.ForeignKey(
        Registration, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="requests_sent"
    )
    recipient = models.ForeignKey(
        Registration, verbose_name=_("requested of"), on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.CheckConstraint(condition=~models.Q(requester=models.F("recipient")), name="request_not_to_oneself"),
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                condition=models.Q(status__in=["requested", "accepted"]),
                name="request_one_open_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.requester.name} → {self.recipient.name} ({self.get_status_display()})"


class MeetingPreference(models.Model):
    """In preference mode: how much a participant wants to meet another."""

    class Level(models.TextChoices):
        MUST = "must", _("Must meet")
        WOULD_LIKE = "would_like", _("Would like to meet")
        NO = "no", _("No meeting")

    registration = models.ForeignKey(
        Registration, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="preferences"
    )
    target = models.ForeignKey(
        Registration, verbose_name=_("other participant"), on_delete=models.CASCADE, related_name="preferred_by"
    )
    level = models.CharField(_("preference"), max_length=12, choices=Level.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting preference")
        verbose_name_plural = _("meeting preferences")
        constraints = [
            models.UniqueConstraint(fields=["registration", "target"], name="preference_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(registration=models.F("target")), name="preference_not_for_oneself"
            ),
        ]

    def __str__(self):
        return f"{self.registration.name} → {self.target.name}: {self.get_level_display()}"


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
