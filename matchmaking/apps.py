from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self):
        from core import hooks
        from matchmaking import receivers

        # A saved profile (companies, the layer below) is rescored.
        hooks.connect(hooks.ORGANISATION_SAVED, receivers.organisation_saved)
