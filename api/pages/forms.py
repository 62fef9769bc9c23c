"""Forms of the API pages: a new API key, a new webhook."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey, WebhookEvent
from api.webhooks.targets import WebhookURLError, check_url


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the partner system that uses it."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=[
            (ApiKey.Scope.READ, _("Read: organisations, demands, matches, events, delegations")),
            (ApiKey.Scope.WRITE, _("Read and write: also post demands for this organisation")),
        ],
        initial=ApiKey.Scope.READ,
        widget=forms.RadioSelect,
    )

    @property
    def write(self):
        return self.cleaned_data["scope"] == ApiKey.Scope.WRITE


def _event_choices():
    return [(event.value, format_lazy("{} ({})", event.label, event.value)) for event in WebhookEvent]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address on the public internet. GreenBridge POSTs signed JSON to it."),
        widget=forms.URLInput(attrs={"placeholder": "https://partner.example.com/greenbridge/events"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which events to send to this URL."),
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except WebhookURLError as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        return url
