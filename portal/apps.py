from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The landing page, ``/healthz`` and the demo data: what sits on top of all the apps."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Portal")
