"""Shared fixtures, and the rules for tests that need real servers.

Tests marked ``postgres``, ``redis`` or ``browser`` need PostgreSQL, a Redis
broker with a Celery worker, or headless Chromium. Where one is missing they
are skipped, and the end of the run says so in capitals. With
``REQUIRE_SERVICES=1`` (set by .ci/run) a missing server fails the run instead.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in the main thread; Django's ORM
# guard would otherwise refuse the live-server tests' database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
_skipped: dict[str, str] = {}


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _missing() -> dict[str, str]:
    from django.db import connection

    missing = {}
    if connection.vendor != "postgresql":
        missing["postgres"] = f"the database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)"
    if not _redis_reachable():
        missing["redis"] = "no Redis server at REDIS_URL" if os.environ.get("REDIS_URL") else "REDIS_URL is not set"
    if not os.path.exists(CHROMIUM):
        missing["browser"] = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    if missing and os.environ.get("REQUIRE_SERVICES") == "1":
        reasons = "; ".join(missing.values())
        raise pytest.UsageError(f"REQUIRE_SERVICES=1 but a server is missing: {reasons}")
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"needs {marker}: {reason}"))
                _skipped[item.nodeid] = reason


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _skipped:
        return
    bar = "!" * 78
    terminalreporter.write_line(bar, red=True, bold=True)
    terminalreporter.write_line(
        f"SKIPPED {len(_skipped)} TESTS THAT NEED REAL SERVERS - THIS RUN DID NOT TEST EVERYTHING:",
        red=True, bold=True,
    )
    for reason in sorted(set(_skipped.values())):
        count = sum(1 for r in _skipped.values() if r == reason)
        terminalreporter.write_line(f"  {count:>4} skipped: {reason}", red=True)
    terminalreporter.write_line(bar, red=True, bold=True)


@pytest.fixture(autouse=True)
def _jobs_run_in_process(settings):
    """Jobs run eagerly unless a test starts a real worker (see tests/celery_worker.py)."""
    from campaign.celery import app

    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts on an empty cache: ids restart with each test database, and cached reference data
    holds them (campaign/core/cache.py). The cache has a Redis database of its own: the broker is never
    flushed."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is slow on purpose; ~40 demo people per test would cost seconds each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def sms(settings):
    """SMS stay in memory, as Django's test runner keeps email: ``sms`` is the list of (mobile, text) sent."""
    from campaign.core.channels import sms as backends

    settings.SMS_BACKEND = "campaign.core.channels.sms.MemorySMSBackend"
    backends.outbox.clear()
    yield backends.outbox
    backends.outbox.clear()


@pytest.fixture
def district(db):
    """The demo district (units, people, sites, campaign) built by the real seeding code, without activity."""
    from campaign.demo import seed_district

    return seed_district(activity=False)


@pytest.fixture
def people(district):
    """The demo district's people by username (squad1, member2, inspector1, leader …)."""
    return district.people


from tests.browser import browser_context_args, browser_page  # noqa: E402,F401  (fixtures for browser tests)
from tests.fake_gateways import gateways  # noqa: E402,F401  (the fake 企业微信, 钉钉 and SMS gateway)
