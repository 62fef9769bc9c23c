from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """A row written by the ``core.heartbeat`` task: proof that a worker runs tasks."""

    note = models.CharField(_("note"), max_length=200, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.worker}"
