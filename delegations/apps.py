from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delegations"
    verbose_name = _("Delegations")

    def ready(self):
        from core import hooks
        from delegations import copresence

        # The matching engine asks who attends which upcoming delegations (co-presence) through hooks.
        hooks.connect(hooks.GATHERINGS_ATTENDED, copresence.attended)
        hooks.connect(hooks.GATHERING_NAMES, copresence.names)
        hooks.connect(hooks.ORGANISES_GATHERINGS, copresence.organises_any)
