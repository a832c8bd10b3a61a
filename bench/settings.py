"""Benchmark settings: the real settings, plus the floor views' URLs and a server-time header.

Used only by the scripts in bench/ (DJANGO_SETTINGS_MODULE=bench.settings); production
code never imports this package.

``BENCH_NO_CACHE=1`` replaces every cache with Django's DummyCache (nothing is ever
stored, every read misses): the cold figures of bench/cold.py, where each request
pays for everything it shows.
"""

import os

from campaign.settings import *  # noqa: F403
from campaign.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

# Outermost, so the figure covers every middleware and the view (not gunicorn's parsing or the socket).
MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *MIDDLEWARE]

if os.environ.get("BENCH_NO_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
