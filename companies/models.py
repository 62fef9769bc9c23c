"""Organisations, their people, and the fixed reference data they point at."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

CHINA = "CN"


class BilingualNameMixin:
    """``name`` in the active language: Chinese where the UI is Chinese."""

    @property
    def name(self):
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en


class Sector(BilingualNameMixin, models.Model):
    """One node of the fixed two-level sector taxonomy (see migration 0002).

    Slugs are part of the public API and the import format: never rename one.
    """

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return f"{self.slug} – {self.name_en}"


class Region(BilingualNameMixin, models.Model):
    """A Chinese province-level division, by its ISO 3166-2:CN code (``CN-BJ``)."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    name_en = models.CharField(_("English name"), max_length=80)
    name_zh = models.CharField(_("Chinese name"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return f"{self.code} – {self.name_en}"


class PartnershipKind(models.TextChoices):
    """What a partner is looking for, and what kind of deal a demand offers."""

    PROCUREMENT = "procurement", _("Procurement")
    PILOT = "pilot", _("Pilot project")
    JV = "jv", _("Joint venture")
    INVESTMENT = "investment", _("Investment")
    LICENSING = "licensing", _("Licensing")
    RND = "rnd", _("Research and development")
    DISTRIBUTOR = "distributor", _("Distributor or agent")


class Partnership(models.Model):
    """A row per partnership kind, so that "looking for" filters like any relation."""

    code = models.CharField(_("code"), max_length=20, primary_key=True, choices=PartnershipKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("partnership kind")
        verbose_name_plural = _("partnership kinds")

    def __str__(self):
        return str(self.get_code_display())


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        RESEARCH = "research", _("Research body")
        CLUSTER = "cluster", _("Cluster")
        PUBLIC_BODY = "public_body", _("Public body")
        INVESTOR = "investor", _("Investor")
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Signed-in members only")

    external_id = models.CharField(_("external ID"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    country = CountryField(_("country"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region in China"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for organisations based in China."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True)
    description = models.TextField(_("description (English)"), max_length=5000, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), max_length=5000, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="organisations")
    looking_for = models.ManyToManyField(
        Partnership, verbose_name=_("looking for"), blank=True, related_name="organisations"
    )
    target_regions = models.ManyToManyField(
        Region, verbose_name=_("target regions in China"), blank=True, related_name="targeted_by"
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    founded = models.PositiveSmallIntegerField(
        _("founded"), null=True, blank=True, validators=[MinValueValidator(1600), MaxValueValidator(2100)]
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(founded__isnull=True) | models.Q(founded__gte=1600, founded__lte=2100),
                name="organisation_founded_plausible",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="organisation_name_not_empty",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_chinese_side(self):
        """The matching's two sides: country CN is the Chinese side, every other country the Nordic side."""
        return self.country == CHINA

    @property
    def display_name(self):
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name


class Membership(models.Model):
    """A user's link to an organisation; join requests wait as ``pending``."""

    class Role(models.TextChoices):
        ADMIN = "admin", pgettext_lazy("membership role", "Admin")
        MEMBER = "member", pgettext_lazy("membership role", "Member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"
