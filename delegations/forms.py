"""The organiser's delegation form: what a delegation is, where it goes, when, and who runs it."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.forms import RegionChoiceField, SectorMultipleChoiceField
from companies.models import CHINA, Organisation, Region
from delegations.models import Delegation

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
