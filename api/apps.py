from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("Partner API")

    def ready(self):
        from django.db.models.signals import post_delete

        from api import (
            notify,
            schema,  # noqa: F401  (registers the OpenAPI extension)
        )
        from api.models import ApiKey
        from api.services import forget_key
        from core import hooks

        # A key deleted (in the admin, or with its organisation) stops working at once, not when its
        # cached lookup expires.
        post_delete.connect(lambda instance, **kwargs: forget_key(instance), sender=ApiKey, weak=False)

        # What the lower layers report becomes webhook deliveries (api.notify).
        hooks.connect(hooks.DEMAND_SAVED, notify.notify_demand)
        hooks.connect(hooks.MATCHES_PUBLISHED, notify.notify_matches_published, wants=notify.matches_published_wanted)
        hooks.connect(hooks.MEETINGS_SCHEDULED, notify.notify_meetings_scheduled)
