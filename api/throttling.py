"""Request rates: per API key (or per signed-in user) and per anonymous client address.

The rates are settings (``API_THROTTLE_KEY``, ``API_THROTTLE_ANON``, e.g. ``3000/min``).
Counting is a fixed window per client kept in the cache with one atomic increment per
request (DRF's own throttles keep the time of every request in the window, which costs a
list of thousands of entries read and written per request at partner rates).  With Redis
the counts hold across web processes.
"""

import time

from django.core.cache import cache
from rest_framework import throttling
from rest_framework.settings import api_settings

from api.authentication import api_key_of


class FixedWindowThrottle(throttling.BaseThrottle):
    scope = None

    def rate(self):
        """(requests, seconds) from the setting, read when asked so that a changed setting applies."""
        number, period = api_settings.DEFAULT_THROTTLE_RATES[self.scope].split("/")
        return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]

    def ident(self, request):
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.ident(request)
        if ident is None:
            return True
        limit, seconds = self.rate()
        now = time.time()
        window = int(now // seconds)
        key = f"throttle:{self.scope}:{ident}:{window}"
        if hasattr(cache, "counter"):  # Redis (core.cache): one round trip
            count = cache.counter(key, seconds + 1)
        else:
            cache.add(key, 0, seconds + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, seconds + 1)
                count = 1
        self.retry_after = (window + 1) * seconds - now
        return count <= limit

    def wait(self):
        return max(self.retry_after, 1)


class ApiKeyRateThrottle(FixedWindowThrottle):
    scope = "key"

    def ident(self, request):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonymousRateThrottle counts visitors
        key = api_key_of(request.user)
        return f"key-{key.pk}" if key is not None else f"user-{request.user.pk}"


class AnonymousRateThrottle(FixedWindowThrottle):
    scope = "anon"

    def ident(self, request):
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)
