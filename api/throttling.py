"""Request rates: per API key (or per signed-in user) and per anonymous client address.

The rates are settings (``API_THROTTLE_KEY``, ``API_THROTTLE_ANON``); counts live in the
cache, so with Redis they hold across web processes.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from api.authentication import api_key_of


class RatesFromSettings:
    """Read the rate when asked (DRF binds it at import), so that a changed setting applies."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class ApiKeyRateThrottle(RatesFromSettings, throttling.SimpleRateThrottle):
    scope = "key"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonymousRateThrottle counts visitors
        key = api_key_of(request.user)
        ident = f"key-{key.pk}" if key is not None else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    scope = "anon"
