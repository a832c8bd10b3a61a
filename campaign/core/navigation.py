"""The entry points a user's role has: the top navigation and the dashboard tiles come from here.

Each app registers a provider ``entries(user) -> list[Entry]`` in its ``ready()``; a provider returns
only entries for pages that exist and that the user may open, so nothing on the dashboard is a
placeholder. Registering (instead of this module importing the apps) keeps the import graph one-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    description: str = ""
    icon: str = "•"
    order: int = 100


_providers: dict[str, Callable[[object], list[Entry]]] = {}


def register(app_label: str, provider: Callable[[object], list[Entry]]) -> None:
    _providers[app_label] = provider  # by app: a second ready() (tests reload apps) replaces, never repeats


def entries(user) -> list[Entry]:
    """The entries of every registered app that ``user`` may open, in their order."""
    if not user.is_authenticated:
        return []
    found = [entry for provider in _providers.values() for entry in provider(user)]
    return sorted(found, key=lambda e: e.order)
