"""Who wants to meet whom: meeting requests (requests mode) and preference marks (preferences mode)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.events import Event, Registration


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
