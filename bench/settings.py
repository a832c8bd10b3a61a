"""Benchmark settings: the real settings, plus the floor views' URLs. Nothing else changes.

Used only by bench/run.py (DJANGO_SETTINGS_MODULE=bench.settings); production
code never imports this package.
"""

from campaign.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
