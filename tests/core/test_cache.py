"""The Redis cache backend (core.cache): one client per pool, and an atomic counter with an expiry."""

import os
import uuid

import pytest

from core.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it and starts Redis)")


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    yield cache
    cache.clear()


def test_the_client_is_built_once_per_pool(redis_cache):
    redis_cache.set("a", 1)
    client = redis_cache._cache.get_client("a", write=True)
    assert redis_cache._cache.get_client("b", write=True) is client
    assert redis_cache.get("a") == 1


def test_the_counter_counts_atomically_and_expires(redis_cache):
    assert [redis_cache.counter("hits", 30) for _ in range(3)] == [1, 2, 3]
    client = redis_cache._cache.get_client(write=True)
    ttl = client.ttl(redis_cache.make_and_validate_key("hits"))
    assert 0 < ttl <= 30


def test_throttles_use_the_counter_on_redis(redis_cache, settings, monkeypatch):
    from rest_framework.test import APIRequestFactory

    from api import throttling

    monkeypatch.setattr(throttling, "cache", redis_cache)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"key": "2/day", "anon": "2/day"}}
    request = APIRequestFactory().get("/api/v1/sectors/", REMOTE_ADDR="203.0.113.9")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    throttle = throttling.AnonymousRateThrottle()
    assert [throttle.allow_request(request, None) for _ in range(3)] == [True, True, False]
