"""The meeting day of an event: its time slots, its tables, and who is available when."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.events import Event, Registration


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
