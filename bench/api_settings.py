"""Settings for bench/api.py only: the project's settings plus the baseline views' URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
