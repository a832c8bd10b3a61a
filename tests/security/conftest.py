"""Shared by the security suites that build their data once per module (the fuzzer, the permission matrix)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def shared_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def use_shared_media(settings, shared_media):
    """Files written while seeding (module scope) must still be there for each test."""
    settings.MEDIA_ROOT = shared_media
