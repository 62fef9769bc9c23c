"""Forms of the event pages; they parse input, the services decide.

Participants: registering, meeting requests, preferences, filtering the participants.
Organisers: the event, generating slots, tables, placing meetings, the participant import.
Dates and times of an event are entered in the event's own time zone (the one chosen in
the same form, for the event itself), whatever the organiser's browser says.
"""

import datetime
import re
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from companies.models import Organisation, Sector
from events.models import Event, MeetingPreference, MeetingRequest, MeetingSlot, Registration, Table
from events.services.event_setup import EVENT_FIELDS

# --- participants ---------------------------------------------------------------------


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


# --- organisers -----------------------------------------------------------------------

COMMON_ZONES = [
    "Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Helsinki", "Atlantic/Reykjavik",
    "Asia/Shanghai", "Asia/Hong_Kong", "Europe/London", "Europe/Berlin", "UTC",
]  # fmt: skip


def zone_choices():
    others = sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))
    return [(_("Common"), [(z, z) for z in COMMON_ZONES]), (_("All time zones"), [(z, z) for z in others])]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time without a time zone: the form attaches the event's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(tzinfo=None) if value else value

    def prepare_value(self, value):
        return value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value


class EventForm(forms.ModelForm):
    LOCAL_FIELDS = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]

    timezone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices, initial="Europe/Oslo")
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))
    registration_opens_at = LocalDateTimeField(label=_("Registration opens"), required=False)
    registration_closes_at = LocalDateTimeField(label=_("Registration closes"), required=False)

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_zh": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # show the stored UTC times in the event's zone
            tz = self.instance.tzinfo
            for name in self.LOCAL_FIELDS:
                value = getattr(self.instance, name)
                self.initial[name] = value.astimezone(tz).replace(tzinfo=None) if value else None

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("timezone")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            for name in self.LOCAL_FIELDS:
                if cleaned.get(name):
                    cleaned[name] = cleaned[name].replace(tzinfo=tz)
        if cleaned.get("starts_at") and cleaned.get("ends_at") and cleaned["ends_at"] < cleaned["starts_at"]:
            self.add_error("ends_at", _("The event must end after it starts."))
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        if opens and closes and closes < opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        return cleaned

    def _post_clean(self):
        pass  # the service validates the model (full_clean) and saves

    def fields_for_service(self):
        return {name: self.cleaned_data[name] for name in EVENT_FIELDS if name in self.cleaned_data}


BREAK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")


class SlotsGenerateForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    first_start = forms.TimeField(label=_("First meeting starts"), initial=datetime.time(9),
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))  # fmt: skip
    last_end = forms.TimeField(label=_("Last meeting ends"), initial=datetime.time(17),
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))  # fmt: skip
    minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=5, max_value=240, initial=30)
    breaks = forms.CharField(
        label=_("Breaks"),
        required=False,
        help_text=_("Start and end of each break, separated by commas, e.g. “10:30-11:00, 12:00-13:00”."),
        widget=forms.TextInput(attrs={"placeholder": "12:00-13:00"}),
    )

    def clean_breaks(self):
        breaks = []
        for part in filter(None, (p.strip() for p in self.cleaned_data["breaks"].split(","))):
            found = BREAK.match(part)
            try:
                h1, m1, h2, m2 = (int(x) for x in found.groups()) if found else (None,) * 4
                breaks.append((datetime.time(h1, m1), datetime.time(h2, m2)))
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    _("“%(part)s” is not a break; write it as 12:00-13:00.") % {"part": part}
                ) from None
        return breaks


class TableForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https",
                                help_text=_("For virtual or hybrid meetings at this table."))  # fmt: skip


def _slot_label(slot):
    tz = slot.event.tzinfo
    return f"{slot.starts_at.astimezone(tz):%a %d %b %H:%M}–{slot.ends_at.astimezone(tz):%H:%M}"


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _slot_label(obj)


class PlaceForm(forms.Form):
    """Where a meeting goes: a slot (not a break) and a table of the event."""

    slot = SlotChoiceField(label=_("Slot"), queryset=MeetingSlot.objects.none())
    table = forms.ModelChoiceField(label=_("Table"), queryset=Table.objects.none(), required=False,
                                   empty_label=_("no table"))  # fmt: skip

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = event.slots.filter(is_break=False).select_related("event").order_by("starts_at")
        self.fields["table"].queryset = event.tables.order_by("position", "name")
        has_tables = event.tables.exists()
        self.fields["table"].required = has_tables
        if has_tables:  # "no table" only fits a virtual event without tables
            self.fields["table"].empty_label = _("Choose a table")


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.organisation.name}"


class MeetingAddForm(PlaceForm):
    first = ParticipantChoiceField(label=_("Participant"), queryset=Registration.objects.none())
    second = ParticipantChoiceField(label=_("Meets"), queryset=Registration.objects.none())

    field_order = ["first", "second", "slot", "table"]

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        people = event.registrations.filter(status=Registration.Status.APPROVED).select_related("organisation")
        self.fields["first"].queryset = people.order_by("name")
        self.fields["second"].queryset = people.order_by("name")


class ParticipantsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Participant list (CSV or JSON)"),
        help_text=_("Columns or keys: name, email, organisation (its external ID), status (optional)."),
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
