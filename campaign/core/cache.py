"""Cached reference data behind a few accessor functions, and documents that never change once written.

No page is cached: speed comes from queries and rendering, and the cache only spares the rows nearly every request reads
and almost nobody writes (the campaigns, the unit tree). Each accessor's key is built here and only
here (``*_key`` functions), and each is flushed by a change to exactly the rows it holds
(:func:`flush_on_change`, connected in the owning app's ``ready()``; bulk writes that send no signal
call :func:`flush` themselves). The key prefix changes with every release (``CACHES['default']
['KEY_PREFIX']`` in settings), so a new release never reads an object pickled by an old one.

A change does not delete its key: it writes a tombstone that lives for ``TOMBSTONE_SECONDS``, and
readers fill a key only with ``cache.add``, which fails while anything (a tombstone included) is there.
So a reader that read the old rows before the change committed can never store them after it: the
tombstone is written when the change is made and again when it commits. For that short while after
a change readers go to the database. A cache that fails (Redis down) is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)

TIMEOUT = 24 * 3600
#: Longer than any request may take (gunicorn's timeout is 30 s): see the module's docstring.
TOMBSTONE_SECONDS = 90
_TOMBSTONE = "\x00flushed"


# --- keys: every key the project caches is made by one of these ------------------------------------

def campaigns_key() -> str:
    return "campaigns"


def unit_paths_key() -> str:
    return "unit-paths"


def bulletin_body_key(bulletin_pk: int, written_at: str, issue_no: str, language: str) -> str:
    """A bulletin version's body: its figures are frozen when the row is written (a new version is a new row)."""
    return f"bulletin-body:{bulletin_pk}:{written_at}:{issue_no}:{language}"


def bulletin_file_key(bulletin_pk: int, kind: str, shown: tuple[str, ...], language: str) -> str:
    """A bulletin version's PDF or Word file. ``shown`` is all else it prints that can change (the issuing
    number, the bureau's name); it is hashed because a key must stay short and plain."""
    digest = hashlib.sha256("\x1f".join(shown).encode()).hexdigest()[:20]
    return f"bulletin-file:{bulletin_pk}:{kind}:{language}:{digest}"


# --- reading and flushing -------------------------------------------------------------------------

def cached(key: str, compute: Callable[[], Any], *, timeout: int = TIMEOUT) -> Any:
    """The value under ``key``, or ``compute()`` (stored unless a change has just flushed the key)."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache only saves work: when it fails, do the work)
        log.warning("cache unavailable for reading %s", key, exc_info=True)
        return compute()
    if value is not None and not _is_tombstone(value):
        return value
    value = compute()
    if value is not None and not _is_tombstone(value):
        try:
            cache.add(key, value, timeout)
        except Exception:  # noqa: BLE001
            log.warning("cache unavailable for writing %s", key, exc_info=True)
    return value


def frozen(key: str, render: Callable[[], Any], *, timeout: int = 30 * 24 * 3600) -> Any:
    """What ``render()`` makes for content that never changes under ``key`` (a key names all it shows)."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable for reading %s", key, exc_info=True)
        value = None
    if value is None:
        value = render()
        try:
            cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001
            log.warning("cache unavailable for writing %s", key, exc_info=True)
    return value


def _is_tombstone(value: Any) -> bool:
    return isinstance(value, str) and value == _TOMBSTONE


def _bury(keys: list[str]) -> None:
    try:
        cache.set_many(dict.fromkeys(keys, _TOMBSTONE), TOMBSTONE_SECONDS)
    except Exception:  # noqa: BLE001 (the entry then ages out with its timeout)
        log.error("cache unavailable: %s not flushed", keys, exc_info=True)


def flush(*keys: str) -> None:
    """Flush ``keys`` now and again once the current transaction commits (see the module's docstring)."""
    keys_ = list(keys)
    _bury(keys_)
    transaction.on_commit(lambda: _bury(keys_))


def flush_on_change(model, keys: Callable[[], list[str]]) -> None:
    """Flush ``keys()`` after any save or delete of a ``model`` row."""
    def changed(sender, update_fields=None, **kwargs) -> None:
        if update_fields and set(update_fields) <= {"last_login"}:
            return  # signing in touches a user row, never what an accessor holds
        flush(*keys())

    uid = f"core-cache-{model._meta.label}"
    post_save.connect(changed, sender=model, dispatch_uid=uid + "-save", weak=False)
    post_delete.connect(changed, sender=model, dispatch_uid=uid + "-delete", weak=False)

