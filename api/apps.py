from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("Partner API")

    def ready(self):
        from django.db.models.signals import post_delete

        from api import schema  # noqa: F401  (registers the OpenAPI extension)
        from api.models import ApiKey
        from api.services import forget_key

        # A key deleted (in the admin, or with its organisation) stops working at once, not when its
        # cached lookup expires.
        post_delete.connect(lambda instance, **kwargs: forget_key(instance), sender=ApiKey, weak=False)
