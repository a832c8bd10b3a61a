"""Cached HTML fragments: list rows ("Russian-doll" caching) and frozen documents such as a bulletin.

Rendering Django templates is most of what a 50-row list page costs (issue 7).
A row's HTML depends only on what its key names, so it is rendered once and
then served from the cache until something it shows changes:

* the object's ``pk`` and ``version`` (every service that changes a task or a
  finding bumps its version, so an update shows at once);
* whatever else the row shows that can change WITHOUT a version bump (a
  unit's or a person's name, the traffic light, days overdue): the caller's
  ``key`` function returns those values and they are hashed into the key;
* the active language, and a fingerprint of the templates and the compiled
  translation catalogues, so a deployment that changes either never serves
  rows rendered by the old one.

No entry is ever deleted: a changed input makes a new key and the old entry
ages out. The cache is an optimisation only: when it fails (Redis
down) the rows are rendered as if every lookup missed.

Whole list pages are cached the same way (:func:`cached_fragment` with
``LIST_TIMEOUT``): their key names the page's rows by pk and version, read by
one narrow query, and the **reference generation**. That is a token in the
cache that moves on with any change to the reference data a page shows but
that has no version of its own: units, people, the framework, categories,
sites, point types (:func:`watch`, connected by each app's ``ready()``;
bulk writes call :func:`bump_after_commit` themselves). Other generations
work the same way: ``findings`` (cached counts), ``notices`` (the unread
count). The cache must be shared by every web process (Redis in
production). Since a ``frag:`` key names all its entry shows, each process
also keeps such entries in its own memory in front of Redis
(campaign/cache.py); generations are always read from Redis, all of them in
one round trip per request.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

log = logging.getLogger(__name__)

ROW_TIMEOUT = 24 * 3600          # rows: a day; a changed row gets a new key long before that
FROZEN_TIMEOUT = 30 * 24 * 3600  # documents whose content never changes (a bulletin version)
LIST_TIMEOUT = 3600              # a list page or a filter form: keyed by rows and the reference generation
REFERENCE = "reference"


def fingerprint(*template_names: str, files: tuple[str, ...] = ()) -> str:
    """A short hash of the templates' sources, other source ``files`` and the compiled catalogues.

    Computed once per process (a deployment that changes any of them starts on fresh keys), except
    with DEBUG on, where the development server reloads edited templates without restarting.
    """
    if settings.DEBUG:
        return _fingerprint.__wrapped__(*template_names, files=files)
    return _fingerprint(*template_names, files=files)


@functools.cache
def _fingerprint(*template_names: str, files: tuple[str, ...] = ()) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for name in template_names:
        digest.update(get_template(name).template.source.encode())
    for path in files:
        digest.update(Path(path).read_bytes())
    for locale_dir in settings.LOCALE_PATHS:
        for mo in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.mo")):
            stat = mo.stat()
            digest.update(f"{mo}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def fragment_key(namespace: str, parts: Iterable[Any], *, templates: Sequence[str] = (),
                 files: Sequence[str] = ()) -> str:
    """``namespace:fingerprint:language:hash(parts)``: short, ASCII, safe for every cache backend."""
    raw = "\x1f".join("" if part is None else str(part) for part in parts)
    hashed = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    return f"frag:{namespace}:{fingerprint(*templates, files=tuple(files))}:{get_language() or '-'}:{hashed}"


def _get_many(keys: list[str]) -> dict[str, str]:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 (the cache is an optimisation: any failure means "render it")
        log.warning("fragment cache unavailable for reading", exc_info=True)
        return {}


def _set_many(values: dict[str, str], timeout: int) -> None:
    try:
        cache.set_many(values, timeout)
    except Exception:  # noqa: BLE001
        log.warning("fragment cache unavailable for writing", exc_info=True)


class LazyRows:
    """Rows rendered when the page's template first iterates them, so the page's own template renders first."""

    def __init__(self, render: Callable[[], list[SafeString]]):
        self._render, self._rows = render, None

    def _all(self) -> list[SafeString]:
        if self._rows is None:
            self._rows = self._render()
        return self._rows

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:
        return bool(self._all())


def cached_rows(
    objects: Iterable[Any], template_name: str, *, name: str, key: Callable[[Any], Iterable[Any]],
    context: dict[str, Any] | None = None, depends: Sequence[str] = (), timeout: int = ROW_TIMEOUT,
) -> LazyRows:
    """Each object's row HTML: one ``get_many`` for the page, and only the misses are rendered.

    ``template_name`` renders one row with the object as ``name`` plus
    ``context`` (which must be the same for every row and must not vary
    between users: put anything that does into ``key``). ``depends`` names
    templates the row includes, so changing them changes the fingerprint.
    Nothing is read or rendered until the rows are first iterated.
    """
    return LazyRows(lambda: _render_rows(list(objects), template_name, name=name, key=key, context=context,
                                         depends=depends, timeout=timeout))


def _render_rows(objects: list[Any], template_name: str, *, name: str, key: Callable[[Any], Iterable[Any]],
                 context: dict[str, Any] | None, depends: Sequence[str], timeout: int) -> list[SafeString]:
    if not objects:
        return []
    templates = (template_name, *depends)
    keys = [fragment_key(template_name, key(obj), templates=templates) for obj in objects]
    found = _get_many(keys)
    template = get_template(template_name)
    base = dict(context or {})
    rows, missed = [], {}
    for cache_key, obj in zip(keys, objects, strict=True):
        html = found.get(cache_key)
        if html is None:
            html = missed[cache_key] = template.render({**base, name: obj})
        rows.append(mark_safe(html))  # noqa: S308 (rendered by our own autoescaping template)
    if missed:
        _set_many(missed, timeout)
    return rows


def cached_fragment(
    namespace: str, parts: Iterable[Any], render: Callable[[], str], *, templates: Sequence[str],
    timeout: int = FROZEN_TIMEOUT, files: Sequence[str] = (),
) -> SafeString:
    """One fragment, rendered by ``render()`` on a miss; for content that never changes under its key."""
    return cached_fragments([Fragment(namespace, tuple(parts), render, tuple(templates), tuple(files))],
                            timeout=timeout)[0]


class Fragment(NamedTuple):
    namespace: str
    parts: tuple
    render: Callable[[], str]
    templates: tuple[str, ...]
    files: tuple[str, ...] = ()  # source files that shape the HTML besides the templates (a filter set's)


def cached_fragments(fragments: Sequence[Fragment], *, timeout: int) -> list[SafeString]:
    """Several fragments with one cache round trip each way; ``render()`` runs only for the misses."""
    keys = [fragment_key(f.namespace, f.parts, templates=f.templates, files=f.files) for f in fragments]
    found = _get_many(keys)
    html, missed = [], {}
    for cache_key, fragment in zip(keys, fragments, strict=True):
        text = found.get(cache_key)
        if text is None:
            text = missed[cache_key] = str(fragment.render())
        html.append(mark_safe(text))  # noqa: S308 (rendered by our own autoescaping templates)
    if missed:
        _set_many(missed, timeout)
    return html


# A cached fragment with forms carries this instead of the CSRF token, which is per person: the view puts
# the reader's own token in its place (see with_csrf).
CSRF_SLOT = "csrfslot7f3a9c1e5b"


def with_csrf(html: str, request) -> SafeString:
    from django.middleware.csrf import get_token

    return mark_safe(html.replace(CSRF_SLOT, get_token(request)))  # noqa: S308 (the token is alphanumeric)


def cached_value(namespace: str, parts: Iterable[Any], compute: Callable[[], Any], *, files: Sequence[str],
                 timeout: int = LIST_TIMEOUT) -> Any:
    """A value (a model instance, say) from the cache, or ``compute()`` on a miss; ``None`` is never kept.

    ``files`` are the source files that shape the value (a model's module), so a deployment that changes
    them never unpickles an old value.
    """
    cache_key = fragment_key(namespace, parts, files=files)
    memo = getattr(_request, "values", None)  # within a request, each value is fetched once
    if memo is not None and cache_key in memo:
        return memo[cache_key]
    value = _get_many([cache_key]).get(cache_key)
    if value is None:
        value = compute()
        if value is not None:
            _set_many({cache_key: value}, timeout)
    if memo is not None:
        memo[cache_key] = value
    return value


def cached_items(
    objects: Sequence[Any], *, namespace: str, key: Callable[[Any], Iterable[Any]], build: Callable[[Any], Any],
    files: Sequence[str], timeout: int = ROW_TIMEOUT,
) -> list[Any]:
    """Like :func:`cached_rows` for data instead of HTML (an API list's items): ``build(obj)`` on a miss.

    ``files`` are the source files that shape an item (the serializer's module), so changing the code
    changes every key.
    """
    if not objects:
        return []
    keys = [fragment_key(namespace, key(obj), files=files) for obj in objects]
    found = _get_many(keys)
    items, missed = [], {}
    for cache_key, obj in zip(keys, objects, strict=True):
        item = found.get(cache_key)
        if item is None:
            item = missed[cache_key] = build(obj)
        items.append(item)
    if missed:
        _set_many(missed, timeout)
    return items


# --- generations ----------------------------------------------------------------------------------

_request = threading.local()


def _request_started(**kwargs) -> None:
    _request.generations, _request.values = {}, {}


def _request_finished(**kwargs) -> None:
    _request.generations = _request.values = None


request_started.connect(_request_started, dispatch_uid="fragments-request-started")
request_finished.connect(_request_finished, dispatch_uid="fragments-request-finished")


def generation(name: str = REFERENCE) -> str:
    """The current token of ``name``; a new one is made when the cache has none (first use, or flushed).

    Read it BEFORE reading the data a fragment shows: a change bumps the token again after it commits,
    so no fragment is stored under the final token with data older than the change. Within a request
    the tokens are read from the cache once, every known generation in one round trip (a bump made by
    the request itself is seen at once).
    """
    memo = getattr(_request, "generations", None)
    if memo is not None and name in memo:
        return memo[name]
    _NAMES.add(name)
    tokens = _read_generations(sorted(_NAMES) if memo is not None else [name])
    if memo is None:
        return tokens[name]
    for other, token in tokens.items():
        memo.setdefault(other, token)  # one read before the data was read stays: see above
    return memo[name]


# Every generation a page may ask for (``watch`` adds its names): one request reads them all at once.
_NAMES: set[str] = {REFERENCE}


def _read_generations(names: list[str]) -> dict[str, str]:
    keys = {f"gen:{name}": name for name in names}
    try:
        found = cache.get_many(list(keys))
        for key in keys.keys() - found.keys():
            cache.add(key, uuid.uuid4().hex[:12], None)  # the first of two racing requests wins
            found[key] = cache.get(key)
    except Exception:  # noqa: BLE001 (cache down: tokens of their own, so nothing cached is trusted)
        log.warning("fragment cache unavailable for the generations %s", names, exc_info=True)
        found = {}
    return {name: found.get(key) or uuid.uuid4().hex[:12] for key, name in keys.items()}


def bump(name: str = REFERENCE) -> None:
    memo = getattr(_request, "generations", None)
    if memo:
        memo.pop(name, None)
    try:
        cache.set(f"gen:{name}", uuid.uuid4().hex[:12], None)
    except Exception:  # noqa: BLE001
        log.warning("fragment cache unavailable: the %s generation was not bumped", name, exc_info=True)


def bump_after_commit(name: str = REFERENCE) -> None:
    """Bump now (so the transaction itself sees its change) and again once it commits: a request that
    read the first token and the data before the commit may have cached the old data under it."""
    bump(name)
    transaction.on_commit(lambda: bump(name))


def _bumper(name: str):
    def changed(sender, update_fields=None, action="", **kwargs) -> None:
        if update_fields and set(update_fields) <= {"last_login"}:
            return  # signing in touches the user row but nothing any page shows of them
        if action.startswith("pre_"):
            return  # a many-to-many change: bump once, on its post_ signal
        bump_after_commit(name)
    return changed


_BUMPERS: dict[str, Callable] = {}


def watch(*models, links: tuple = (), name: str = REFERENCE) -> None:
    """Bump generation ``name`` after any save or delete of ``models`` (and of their many-to-many links),
    and after any change of the many-to-many ``links`` (e.g. ``Task.standards``) of other models."""
    _NAMES.add(name)
    changed = _BUMPERS.setdefault(name, _bumper(name))  # kept here: signals hold their receivers weakly
    for model in models:
        uid = f"fragments-{name}-{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(changed, sender=model, dispatch_uid=uid + "-delete")
        links += tuple(field.remote_field.through for field in model._meta.local_many_to_many)
    for through in links:
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"fragments-{name}-{through._meta.label}")
