"""Data built once per test module (the fuzzer, the permission matrix) and rolled back at its end."""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.test import override_settings


@contextlib.contextmanager
def module_data(django_db_blocker, media):
    """Open the database for a module-scoped fixture and roll everything back when the module ends."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
