"""Settings for the test run: the real settings, with fast hashing and a local cache.

The database and the broker still come from DATABASE_URL and REDIS_URL, so CI
runs the tests on PostgreSQL and a real Celery worker over Redis.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files (the API docs' Swagger UI) from the apps in tests, without collectstatic.
WHITENOISE_USE_FINDERS = True
