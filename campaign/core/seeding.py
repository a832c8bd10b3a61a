"""The steps that fill a database with example data: the demo district (``seed_demo``) and the benchmark's
large one (``seed_large``).

The campaign app builds the district itself (units, people, sites, the campaign). Every other app that
adds rows to it registers its own steps in its ``ready()``: ``demo(district)`` writes through the app's
services, ``large(built)`` builds the app's rows in bulk. The campaign runs the registered steps in their
declared ``order``. Registering (instead of the campaign importing the apps' seeding modules) keeps the
import graph one-way, as the navigation does; an app that registers nothing simply adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Steps:
    app_label: str
    #: Steps run in this order; an app whose rows count another app's (the bulletins count tasks and
    #: findings) declares a larger number than the apps it reads.
    order: int
    demo: Callable[[object], object] | None = None
    large: Callable[[object], object] | None = None


_registered: dict[str, Steps] = {}


def register(app_label: str, *, order: int, demo: Callable[[object], object] | None = None,
             large: Callable[[object], object] | None = None) -> None:
    # By app: a second ready() (tests reload apps) replaces, never repeats.
    _registered[app_label] = Steps(app_label, order, demo=demo, large=large)


def _in_order() -> list[Steps]:
    return sorted(_registered.values(), key=lambda steps: (steps.order, steps.app_label))


def demo_steps() -> list[tuple[str, Callable[[object], object]]]:
    """``(app_label, demo)`` of every app that adds demo activity, in order."""
    return [(steps.app_label, steps.demo) for steps in _in_order() if steps.demo is not None]


def large_steps() -> list[tuple[str, Callable[[object], object]]]:
    """``(app_label, large)`` of every app that adds rows to the large district, in order."""
    return [(steps.app_label, steps.large) for steps in _in_order() if steps.large is not None]
