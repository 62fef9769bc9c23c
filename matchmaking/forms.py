from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.forms import RegionChoiceField, SectorMultipleChoiceField
from companies.models import Organisation, Region
from matchmaking import permissions
from matchmaking.models import Demand

CHINESE = {"lang": "zh-Hans"}


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class DemandForm(forms.ModelForm):
    """A demand as its owner writes it, in English, Chinese or both.

    ``organisation`` offers only the organisations in which ``user`` is an active
    member (hidden when there is one), so a POST naming any other organisation is
    refused as an invalid choice.  When editing, the owner is fixed and not a field.
    """

    organisation = OrganisationChoiceField(label=_("Posted by"), queryset=Organisation.objects.none(), empty_label=None)
    sectors = SectorMultipleChoiceField(
        label=_("Sectors"),
        required=False,
        help_text=_("Tick the fields of technology this need is about; matching uses them."),
    )
    region = RegionChoiceField(
        label=_("Region in China"),
        queryset=Region.objects.order_by("name_en"),
        required=False,
        empty_label=_("Not tied to one region"),
    )
    budget_eur = forms.IntegerField(
        label=_("Budget (EUR)"),
        required=False,
        min_value=0,
        help_text=_("An estimate in euros, whole numbers only. Leave empty if it is not known or not public."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day on which proposals are welcome."),
    )

    class Meta:
        model = Demand
        fields = [
            "organisation", "title", "title_zh", "description", "description_zh",
            "sectors", "region", "kind", "budget_eur", "deadline",
        ]  # fmt: skip
        widgets = {
            "title_zh": forms.TextInput(attrs=CHINESE),
            "description": forms.Textarea(attrs={"rows": 8}),
            "description_zh": forms.Textarea(attrs={"rows": 8, **CHINESE}),
        }
        help_texts = {
            "description": _("What is to be solved, the site, the scale, and what kind of partner is wanted."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].grouped()
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()
        if self.instance.pk:  # editing: the owner stays
            del self.fields["organisation"]
        else:
            field = self.fields["organisation"]
            field.queryset = permissions.member_organisations(user)
            choices = list(field.queryset[:2])
            if len(choices) == 1:
                field.widget = forms.HiddenInput()
                field.initial = choices[0].pk
                self.only_organisation = choices[0]
            elif not choices:
                self.only_organisation = None
            else:
                field.empty_label = _("Choose an organisation")
                self.only_organisation = None

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        # Editing a demand whose deadline has passed must not force a new deadline: only a changed date is checked.
        if deadline and deadline < timezone.localdate() and "deadline" in self.changed_data:
            raise forms.ValidationError(_("The deadline cannot be in the past."), code="past")
        return deadline

    def clean(self):
        cleaned = super().clean()
        title_fields_valid = "title" not in self.errors and "title_zh" not in self.errors
        if title_fields_valid and not cleaned.get("title") and not cleaned.get("title_zh"):
            self.add_error("title", forms.ValidationError(_("Give a title in English or in Chinese."), "required"))
        return cleaned

    def service_fields(self):
        """cleaned_data as matchmaking.services takes it (the organisation is passed on its own)."""
        return {
            name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields and name != "organisation"
        }
