"""Forms of the participant pages; they parse input, the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from companies.models import Sector
from events.models import MeetingPreference, MeetingRequest


class RegistrationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, empty_label=None, help_text=_("The organisation you represent.")
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("Where we send your requests, agenda and changes."))
    language = forms.ChoiceField(
        label=_("Language of the e-mails"), choices=settings.LANGUAGES, help_text=_("English or Chinese.")
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        from companies.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        self.fields["organisation"].label_from_instance = lambda o: o.display_name
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].pk


class MeetingRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MeetingRequest._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what you would like to talk about."),
    )


class PreferenceForm(forms.Form):
    level = forms.ChoiceField(choices=[("", _("No mark"))] + list(MeetingPreference.Level.choices), required=False)


class ParticipantFilterForm(forms.Form):
    """Sector (a group selects its leaves), country and side; read from the page's GET parameters."""

    SIDES = [("", _("Both sides")), ("cn", _("Chinese side")), ("nordic", _("Nordic side"))]

    sector = forms.ChoiceField(label=_("Sector"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    side = forms.ChoiceField(label=pgettext_lazy("Chinese or Nordic", "Side"), choices=SIDES, required=False)

    def __init__(self, *args, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["country"].choices = [("", _("Any country"))] + sorted(
            ((code, countries.name(code) or code) for code in country_codes), key=lambda choice: str(choice[1])
        )
        self.fields["sector"].choices = [("", _("Any sector"))] + self._sector_choices()

    @staticmethod
    def _sector_choices():
        sectors = list(Sector.objects.order_by("position"))
        groups = {}
        for sector in sectors:
            if sector.parent_id is None:
                groups[sector.pk] = (sector.name, [(sector.slug, _("All of %(group)s") % {"group": sector.name})])
        for sector in sectors:
            if sector.parent_id in groups:
                groups[sector.parent_id][1].append((sector.slug, sector.name))
        return list(groups.values())

    def filters(self):
        """The valid filters as keyword arguments for selectors.participants (invalid ones dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in ("sector", "country", "side") if name not in self.errors}
