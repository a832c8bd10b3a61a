"""The shared cache (Redis) with this process's memory in front of it for content-addressed entries (issue 7).

A cached fragment's key names everything the fragment shows (rows' versions and stamps, the
generations, the templates' fingerprint, the language: campaign/fragments.py), so the value stored
under a ``frag:`` key never changes: a change makes a new key. Such an entry can therefore be kept in
the memory of the process that read or wrote it and served from there without asking Redis, and no
process can serve a stale page by doing so. Everything else, above all the generation tokens that
retire pages (``gen:`` keys), is read from Redis every time.

The memory is bounded (``LOCAL_MEMORY_BYTES`` in the cache's ``OPTIONS``, 16 MiB by default; 0 turns
it off), least recently used first out, and an entry is kept at most ``LOCAL_MAX_AGE`` seconds (10
minutes) and no longer than the timeout it was written with (one read back from Redis: the cache's
default timeout). Calls that name a key ``version`` bypass it. Text and bytes are kept as they are;
any other value is kept pickled and unpickled on each read, so no two requests ever share a mutable
object.
"""

from __future__ import annotations

import pickle
import sys
import threading
import time
from collections import OrderedDict

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

CONTENT_ADDRESSED = "frag:"
DEFAULT_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_AGE = 600


class _Pickled(bytes):
    """A value the memory keeps pickled (so it is unpickled afresh for each reader)."""


class LocalMemory:
    """A thread-safe LRU of ``key -> (expires_at, size, value)`` bounded by the values' total size."""

    def __init__(self, max_bytes: int, max_age: int):
        self.max_bytes, self.max_age = max_bytes, max_age
        self._entries: OrderedDict[str, tuple[float, int, object]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get_many(self, keys) -> dict:
        found, now = {}, time.monotonic()
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if entry[0] <= now:
                    self._drop(key)
                    continue
                self._entries.move_to_end(key)
                found[key] = entry[2]
        return {key: pickle.loads(value) if isinstance(value, _Pickled) else value  # noqa: S301 (our own)
                for key, value in found.items()}

    def set_many(self, data: dict, timeout: float | None) -> None:
        if not self.max_bytes:
            return
        age = self.max_age if timeout is None else min(timeout, self.max_age)
        if age <= 0:
            return
        expires = time.monotonic() + age
        kept = {}
        for key, value in data.items():
            if not isinstance(value, str | bytes):
                value = _Pickled(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            size = sys.getsizeof(value) + sys.getsizeof(key)
            if size <= self.max_bytes // 4:  # one huge document must not empty the memory
                kept[key] = (expires, size, value)
        with self._lock:
            for key, entry in kept.items():
                self._drop(key)
                self._entries[key] = entry
                self._bytes += entry[1]
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def discard(self, keys) -> None:
        with self._lock:
            for key in keys:
                self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[1]


_memories: dict[tuple, LocalMemory] = {}
_memories_lock = threading.Lock()


def _memory_for(identity: tuple, max_bytes: int, max_age: int) -> LocalMemory:
    """One memory per process and cache (location, key prefix, version): Django makes a cache object per
    thread, and they share it."""
    with _memories_lock:
        return _memories.setdefault((*identity, max_bytes, max_age), LocalMemory(max_bytes, max_age))


class RedisCacheWithMemory(RedisCache):
    """``RedisCache``; ``frag:`` entries are also kept in (and first looked up in) this process's memory."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        max_bytes = int(options.pop("LOCAL_MEMORY_BYTES", DEFAULT_BYTES))
        max_age = int(options.pop("LOCAL_MAX_AGE", DEFAULT_MAX_AGE))
        super().__init__(server, {**params, "OPTIONS": options})
        self.memory = _memory_for((str(server), self.key_prefix, self.version), max_bytes, max_age)

    def get_many(self, keys, version=None):
        if version is not None:
            return super().get_many(keys, version=version)
        keys = list(keys)
        found = self.memory.get_many(key for key in keys if key.startswith(CONTENT_ADDRESSED))
        rest = [key for key in keys if key not in found]
        if rest:
            fetched = super().get_many(rest, version=version)
            self.memory.set_many({k: v for k, v in fetched.items() if k.startswith(CONTENT_ADDRESSED)},
                                 self.get_backend_timeout(DEFAULT_TIMEOUT))
            found.update(fetched)
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = super().set_many(data, timeout=timeout, version=version)  # Redis first: if it fails, nothing
        if version is not None:
            return failed
        self.memory.set_many({k: v for k, v in data.items() if k.startswith(CONTENT_ADDRESSED)},
                             self.get_backend_timeout(timeout))
        return failed

    def delete(self, key, version=None):
        self.memory.discard([key])
        return super().delete(key, version=version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self.memory.discard(keys)
        return super().delete_many(keys, version=version)

    def clear(self):
        self.memory.clear()
        return super().clear()
