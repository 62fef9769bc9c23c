from django.apps import AppConfig


class DelegationsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'delegations'
