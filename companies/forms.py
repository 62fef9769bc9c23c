import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from companies.models import CHINA, Organisation, Partnership, Region, Sector

MAX_LOGO_BYTES = 2 * 1024 * 1024


def grouped_sector_choices():
    """[(group name, [(slug, leaf name), ...]), ...] in the active language, taxonomy order."""
    sectors = list(Sector.objects.order_by("position"))
    groups = {s.pk: (s.name, []) for s in sectors if s.parent_id is None}
    for sector in sectors:
        if sector.parent_id is not None:
            groups[sector.parent_id][1].append((sector.slug, sector.name))
    return list(groups.values())


class SectorMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Leaf sectors by slug, shown as check boxes grouped under their parent."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(queryset=Sector.objects.filter(parent__isnull=False), to_field_name="slug", **kwargs)

    def grouped(self):
        self.widget.choices = grouped_sector_choices()
        return self


class RegionMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def validate_logo_size(upload):
    if upload and upload.size > MAX_LOGO_BYTES:
        raise ValidationError(
            _("The logo may be at most 2 MB; this file has %(size).1f MB."), params={"size": upload.size / 1024 / 1024}
        )


class OrganisationForm(forms.ModelForm):
    """The profile, every field its admins edit.  The logo is checked by decoding it (Pillow), not by its name."""

    sectors = SectorMultipleChoiceField(label=_("Sectors"), required=False)
    target_regions = RegionMultipleChoiceField(
        label=_("Target regions in China"), queryset=Region.objects.all(), to_field_name="code", required=False
    )
    region = RegionChoiceField(
        label=_("Region in China"),
        queryset=Region.objects.all(),
        to_field_name="code",
        required=False,
        help_text=_("Only for organisations based in China."),
    )
    looking_for = forms.ModelMultipleChoiceField(
        label=_("Looking for"),
        queryset=Partnership.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        validators=[validate_logo_size],
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "name_zh", "kind", "country", "region", "city", "website", "logo",
            "description", "description_zh", "sectors", "looking_for", "target_regions",
            "employees", "founded", "visibility",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "description_zh": forms.Textarea(attrs={"rows": 6, "lang": "zh-Hans"}),
            "name_zh": forms.TextInput(attrs={"lang": "zh-Hans"}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].grouped()
        self.fields["founded"].validators.append(MaxValueValidator(datetime.date.today().year))
        self.fields["employees"].widget.attrs["min"] = 0

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("region") and cleaned.get("country") and cleaned["country"] != CHINA:
            self.add_error("region", _("A region in China only applies to organisations based in China."))
        return cleaned

    def service_fields(self):
        """cleaned_data as the services take it (a cleared logo becomes empty)."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        if fields.get("logo") is False:
            fields["logo"] = ""
        elif fields.get("logo") is None and self.instance.pk:
            fields.pop("logo")  # nothing uploaded: keep the current logo
        return fields
