"""Demands posted by buyers, and the matches the engine publishes for them."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from companies.models import Organisation, PartnershipKind, Region, Sector


class Demand(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    external_id = models.CharField(_("external ID"), max_length=100, unique=True, null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="demands"
    )
    title = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    description = models.TextField(_("description (English)"), max_length=10000, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), max_length=10000, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="demands")
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="demands"
    )
    kind = models.CharField(
        _("partnership kind"), max_length=20, choices=PartnershipKind.choices, default=PartnershipKind.PROCUREMENT
    )
    budget_eur = models.PositiveBigIntegerField(_("budget (EUR)"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title="", title_zh=""),
                name="demand_has_a_title",
            ),
        ]

    def __str__(self):
        return self.title or self.title_zh

    @property
    def display_title(self):
        """The title in the active language where there is one, else the other."""
        if (get_language() or "").startswith("zh"):
            return self.title_zh or self.title
        return self.title or self.title_zh


class Match(models.Model):
    """An (organisation, demand) pair scored by the engine; one row per pair."""

    class Feedback(models.TextChoices):
        NONE = "", _("No feedback")
        INTERESTED = "interested", _("Interested")
        NOT_RELEVANT = "not_relevant", _("Not relevant")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="matches"
    )
    demand = models.ForeignKey(Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(_("score"))
    rank = models.PositiveIntegerField(_("rank for the demand"), null=True, blank=True)
    components = models.JSONField(_("score components"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    algorithm_version = models.CharField(_("algorithm version"), max_length=40, blank=True)
    published = models.BooleanField(_("published"), default=False)
    supplier_feedback = models.CharField(
        _("feedback from the organisation"), max_length=20, choices=Feedback.choices, default="", blank=True
    )
    buyer_feedback = models.CharField(
        _("feedback from the demand's owner"), max_length=20, choices=Feedback.choices, default="", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["demand", "-score"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "demand"], name="match_unique_pair"),
            models.CheckConstraint(condition=models.Q(score__gte=0.0, score__lte=1.0), name="match_score_0_1"),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1), name="match_rank_from_1"
            ),
        ]
        indexes = [
            models.Index(fields=["demand", "-score"], name="match_demand_score"),
            models.Index(fields=["organisation", "-score"], name="match_org_score"),
        ]

    def __str__(self):
        return f"{self.organisation} ↔ {self.demand} ({self.score:.2f})"


class RescoringRun(models.Model):
    """A full rescoring, split into chunks that workers run; its progress feeds the progress bar."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    total_chunks = models.PositiveIntegerField(_("chunks"), default=0)
    done_chunks = models.PositiveIntegerField(_("chunks done"), default=0)
    matches = models.PositiveIntegerField(_("matches kept"), default=0)
    completed = models.JSONField(_("chunks completed"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("rescoring run")
        verbose_name_plural = _("rescoring runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_chunks__lte=models.F("total_chunks")), name="rescoring_progress_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()} {self.done_chunks}/{self.total_chunks}"

    @property
    def percent(self):
        return 100 if not self.total_chunks else round(100 * self.done_chunks / self.total_chunks)
