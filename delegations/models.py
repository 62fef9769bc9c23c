"""Trade delegations: who travels where, when, for which sectors."""

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from companies.models import Organisation, Region, Sector
from events.models import Event


class Delegation(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: everyone")
        MEMBERS = "members", _("Members only: signed-in users")

    external_id = models.CharField(_("external ID"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    leader = models.CharField(_("leader"), max_length=200, blank=True, help_text=_("Name and title."))
    leader_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("leading organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_delegations",
    )
    origin_country = CountryField(_("from country"))
    origin_region = models.ForeignKey(
        Region, verbose_name=_("from region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destination_country = CountryField(_("to country"))
    destination_region = models.ForeignKey(
        Region, verbose_name=_("to region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    purpose = models.TextField(_("purpose"), max_length=5000, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("purpose sectors"), blank=True, related_name="delegations")
    events = models.ManyToManyField(Event, verbose_name=_("itinerary"), blank=True, related_name="delegations")
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisers"), blank=True, related_name="organised_delegations"
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Shanghai",
        help_text=_("The destination's time zone: the itinerary is entered and shown in it."),
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"
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


class ItineraryItem(models.Model):
    """A point of a delegation's programme that is not an event of the portal: a site visit, a
    dinner, a transfer.  The delegation's events (``Delegation.events``) are the other points."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Site visit")
        MEETING = "meeting", _("Meeting")
        MEAL = "meal", _("Lunch or dinner")
        TRANSFER = "transfer", _("Transfer")
        OTHER = "other", _("Other")

    delegation = models.ForeignKey(
        Delegation, verbose_name=_("delegation"), on_delete=models.CASCADE, related_name="itinerary_items"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("itinerary item")
        verbose_name_plural = _("itinerary items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="itinerary_item_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class DelegationMember(models.Model):
    delegation = models.ForeignKey(
        Delegation, verbose_name=_("delegation"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="delegation_memberships"
    )
    people = models.TextField(_("people"), blank=True, help_text=_("Names and titles, one per line."))

    class Meta:
        ordering = ["delegation", "organisation__name"]
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        constraints = [
            models.UniqueConstraint(fields=["delegation", "organisation"], name="delegation_member_unique"),
        ]

    def __str__(self):
        return f"{self.organisation} in {self.delegation}"
