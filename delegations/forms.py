"""The organiser's delegation form: what a delegation is, where it goes, when, and who runs it."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.forms import RegionChoiceField, SectorMultipleChoiceField
from companies.models import CHINA, Organisation, Region
from delegations.models import Delegation, ItineraryItem
from events.forms import LocalDateTimeField, zone_choices
from events.models import Event

FIELDS = [
    "name",
    "name_zh",
    "origin_country",
    "origin_region",
    "destination_country",
    "destination_region",
    "leader",
    "leader_organisation",
    "starts_on",
    "ends_on",
    "purpose",
    "timezone",
    "visibility",
]


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.country.code})" if obj.country else obj.name


class DelegationForm(forms.ModelForm):
    origin_region = RegionChoiceField(
        label=_("From region (China)"), queryset=Region.objects.all(), to_field_name="code", required=False
    )
    destination_region = RegionChoiceField(
        label=_("To region (China)"), queryset=Region.objects.all(), to_field_name="code", required=False
    )
    leader_organisation = OrganisationChoiceField(
        label=_("Leading organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    timezone = forms.ChoiceField(label=_("Time zone of the destination"), choices=zone_choices, initial="Asia/Shanghai")
    sectors = SectorMultipleChoiceField(label=_("Purpose sectors"), required=False)
    co_organisers = forms.CharField(
        label=_("Add co-organisers"),
        required=False,
        help_text=_("E-mail addresses of users of the portal, separated by commas. They can edit the delegation too."),
    )

    class Meta:
        model = Delegation
        fields = FIELDS
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "purpose": forms.Textarea(attrs={"rows": 5}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].grouped()
        if self.instance.pk:
            self.initial["sectors"] = [s.slug for s in self.instance.sectors.all()]

    def clean_co_organisers(self):
        """The active users with these addresses (compared without case); an unknown one is an error."""
        emails = {part.strip().lower() for part in self.cleaned_data["co_organisers"].replace(";", ",").split(",")}
        emails.discard("")
        if not emails:
            return []
        matches = Q()
        for email in emails:
            matches |= Q(email__iexact=email)
        users = list(get_user_model().objects.filter(matches, is_active=True))
        missing = sorted(emails - {user.email.lower() for user in users})
        if missing:
            raise ValidationError(
                _("No user of the portal has the address %(emails)s."), params={"emails": ", ".join(missing)}
            )
        return users

    def clean(self):
        cleaned = super().clean()
        for country, region in (("origin_country", "origin_region"), ("destination_country", "destination_region")):
            if cleaned.get(region) and cleaned.get(country) and cleaned[country] != CHINA:
                self.add_error(region, _("A region can only be chosen for China."))
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", _("The last day must not be before the first day."))
        return cleaned

    def _post_clean(self):
        pass  # the service validates the model (full_clean) and saves

    def fields_for_service(self):
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.cleaned_data}


class ItineraryItemForm(forms.ModelForm):
    """A site visit, dinner or transfer; times are entered in the delegation's time zone."""

    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"), required=False)

    class Meta:
        model = ItineraryItem
        fields = ["kind", "title", "starts_at", "ends_at", "place", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, delegation, **kwargs):
        super().__init__(*args, **kwargs)
        self.delegation = delegation

    def clean(self):
        cleaned = super().clean()
        tz = self.delegation.tzinfo
        for name in ("starts_at", "ends_at"):
            if cleaned.get(name):
                cleaned[name] = cleaned[name].replace(tzinfo=tz)
        if cleaned.get("starts_at") and cleaned.get("ends_at") and cleaned["ends_at"] < cleaned["starts_at"]:
            self.add_error("ends_at", _("It must end after it starts."))
        return cleaned

    def _post_clean(self):
        pass  # the service validates the model (full_clean) and saves

    def fields_for_service(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ItineraryEventForm(forms.Form):
    event = forms.ModelChoiceField(label=_("Event of the portal"), queryset=Event.objects.none())

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = lambda event: event.display_name
