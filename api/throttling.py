"""Request rates: per API key (or per signed-in user) and per anonymous client address.

The rates are settings (``API_THROTTLE_KEY``, ``API_THROTTLE_ANON``); counts live in the
cache, so with Redis they hold across web processes.
"""

from rest_framework import throttling

from api.authentication import api_key_of


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    scope = "key"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonymousRateThrottle counts visitors
        key = api_key_of(request.user)
        ident = f"key-{key.pk}" if key is not None else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(throttling.AnonRateThrottle):
    scope = "anon"
