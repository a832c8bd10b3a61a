"""The process's memory in front of Redis (campaign/cache.py) and the generations read in one round trip.

Content-addressed entries (``frag:``) may be served from the process's memory: their key names all they
show. Generation tokens (``gen:``) never are: they are what retires a page, so another process's bump must
show at once. The memory is bounded, ages entries out, and never hands two readers the same object.
"""

from __future__ import annotations

import os
from unittest import mock

import pytest
import redis

from campaign import cache as two_tier
from campaign import fragments
from campaign.cache import LocalMemory, RedisCacheWithMemory


def test_the_least_recently_used_entries_leave_first_when_the_memory_is_full():
    memory = LocalMemory(max_bytes=3000, max_age=600)  # room for four of these values (about 600 bytes each)
    memory.set_many({f"frag:{name}": name * 500 for name in "abcd"}, 60)
    assert memory.get_many(["frag:a"]) == {"frag:a": "a" * 500}  # a is now the most recently used
    memory.set_many({"frag:e": "e" * 500}, 60)
    kept = memory.get_many([f"frag:{name}" for name in "abcde"])
    assert set(kept) == {"frag:a", "frag:c", "frag:d", "frag:e"}


def test_a_value_too_big_for_a_quarter_of_the_memory_is_not_kept():
    memory = LocalMemory(max_bytes=4000, max_age=600)
    memory.set_many({"frag:small": "s", "frag:big": "b" * 1000}, 60)
    assert memory.get_many(["frag:small", "frag:big"]) == {"frag:small": "s"}


def test_an_entry_lives_no_longer_than_its_timeout_nor_the_maximum_age(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(two_tier.time, "monotonic", lambda: now[0])
    memory = LocalMemory(max_bytes=10_000, max_age=100)
    memory.set_many({"frag:short": "x"}, 30)
    memory.set_many({"frag:long": "y"}, None)  # no expiry in Redis: the maximum age here
    memory.set_many({"frag:none": "z"}, 0)  # Redis deletes it at once: not kept
    now[0] += 31
    assert memory.get_many(["frag:short", "frag:long", "frag:none"]) == {"frag:long": "y"}
    now[0] += 70
    assert memory.get_many(["frag:long"]) == {}
    assert len(memory) == 0


def test_a_kept_object_is_a_fresh_copy_for_every_reader():
    memory = LocalMemory(max_bytes=10_000, max_age=600)
    memory.set_many({"frag:ids": [1, 2, 3]}, 60)
    first = memory.get_many(["frag:ids"])["frag:ids"]
    first.append(99)
    assert memory.get_many(["frag:ids"])["frag:ids"] == [1, 2, 3]


def test_nothing_is_kept_when_the_memory_is_turned_off():
    memory = LocalMemory(max_bytes=0, max_age=600)
    memory.set_many({"frag:a": "a"}, 60)
    assert memory.get_many(["frag:a"]) == {}


@pytest.fixture
def two_processes():
    """Two caches over the same Redis database, each with its own memory, as two web processes have."""
    url = os.environ.get("REDIS_URL", "")
    try:
        redis.Redis.from_url(url or "redis://127.0.0.1:1").ping()
    except (redis.RedisError, ValueError):
        pytest.skip("needs redis: no Redis server at REDIS_URL")
    caches = []
    for _ in range(2):
        cache = RedisCacheWithMemory(url, {"KEY_PREFIX": "memtest", "OPTIONS": {"LOCAL_MEMORY_BYTES": 100_000}})
        cache.memory = LocalMemory(100_000, 600)  # one memory each (one process each)
        caches.append(cache)
    yield caches
    caches[0].clear()


@pytest.mark.redis
def test_a_fragment_is_served_from_memory_and_a_generation_always_from_redis(two_processes):
    one, other = two_processes
    one.set_many({"frag:page": "<p>rows</p>", "gen:reference": "g1"}, 60)
    assert one.get_many(["frag:page", "gen:reference"]) == {"frag:page": "<p>rows</p>", "gen:reference": "g1"}
    other.set_many({"gen:reference": "g2"}, None)  # another process bumps the generation
    original = two_tier.RedisCache.get_many
    with mock.patch.object(two_tier.RedisCache, "get_many", autospec=True, side_effect=original) as redis_reads:
        assert one.get_many(["frag:page", "gen:reference"]) == {"frag:page": "<p>rows</p>", "gen:reference": "g2"}
    (call,) = redis_reads.call_args_list
    assert list(call.args[1]) == ["gen:reference"]  # the fragment was not asked of Redis


@pytest.mark.redis
def test_a_fragment_another_process_wrote_is_read_from_redis_then_kept(two_processes):
    one, other = two_processes
    other.set_many({"frag:row": "<tr>1</tr>"}, 60)
    assert one.get_many(["frag:row"]) == {"frag:row": "<tr>1</tr>"}
    assert one.memory.get_many(["frag:row"]) == {"frag:row": "<tr>1</tr>"}


@pytest.mark.redis
def test_clearing_the_cache_empties_the_memory_too(two_processes):
    one, _other = two_processes
    one.set_many({"frag:page": "x"}, 60)
    one.clear()
    assert one.get_many(["frag:page"]) == {}
    assert len(one.memory) == 0


@pytest.mark.redis
def test_nothing_is_kept_in_memory_when_redis_refuses_the_write(two_processes):
    one, _other = two_processes
    with mock.patch.object(two_tier.RedisCache, "set_many", side_effect=redis.ConnectionError("down")), \
            pytest.raises(redis.ConnectionError):
        one.set_many({"frag:page": "x"}, 60)
    assert len(one.memory) == 0


def test_a_request_reads_every_generation_in_one_round_trip(settings):
    from django.core.cache import cache

    fragments._request_started()
    try:
        with mock.patch.object(cache, "get_many", wraps=cache.get_many) as reads:
            tokens = {name: fragments.generation(name) for name in ("reference", "notices", "findings")}
            assert fragments.generation("notices") == tokens["notices"]
        assert reads.call_count == 1
        assert {"gen:reference", "gen:notices", "gen:findings"} <= set(reads.call_args.args[0])
        fragments.bump("notices")  # the request's own bump is seen at once; the others stay as read
        assert fragments.generation("notices") != tokens["notices"]
        assert fragments.generation("reference") == tokens["reference"]
    finally:
        fragments._request_finished()


@pytest.mark.redis
def test_caches_with_other_key_prefixes_keep_separate_memories_and_versioned_calls_bypass_them(two_processes):
    url = os.environ["REDIS_URL"]
    first = RedisCacheWithMemory(url, {"KEY_PREFIX": "memtest-a"})
    second = RedisCacheWithMemory(url, {"KEY_PREFIX": "memtest-b"})
    assert first.memory is not second.memory
    assert first.memory is RedisCacheWithMemory(url, {"KEY_PREFIX": "memtest-a"}).memory  # one per process
    first.set_many({"frag:page": "a"}, 60)
    assert second.get_many(["frag:page"]) == {}
    first.memory.clear()
    first.set_many({"frag:page": "v2"}, 60, version=2)
    assert len(first.memory) == 0
    assert first.get_many(["frag:page"], version=2) == {"frag:page": "v2"}
