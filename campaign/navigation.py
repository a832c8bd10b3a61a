"""The entry points a user's role has: the top navigation and the dashboard tiles come from here.

Each app may offer a ``navigation.py`` with ``entries(user) -> list[Entry]``;
only entries for pages that exist and that the user may open are returned, so
nothing on the dashboard is a placeholder.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import is_admin

APPS_WITH_NAVIGATION = ("tasks", "inspections", "reports", "campaign")


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    description: str = ""
    icon: str = "•"
    order: int = 100


def entries(user) -> list[Entry]:
    if not user.is_authenticated:
        return []
    found: list[Entry] = []
    for app in APPS_WITH_NAVIGATION:
        if app not in settings.INSTALLED_APPS:
            continue
        module = sys.modules[__name__] if app == "campaign" else _load(app)
        if module is None:
            continue
        provider = getattr(module, "app_entries", None)
        if provider:
            found.extend(provider(user))
    return sorted(found, key=lambda e: e.order)


def app_entries(user) -> list[Entry]:
    """The campaign app's own entries: set-up for admins."""
    if not is_admin(user):
        return []
    return [
        Entry(_("Set-up"), reverse("setup:index"),
              _("Units, people, campaign, framework, point types, sites, categories"), "⚙", 80),
        Entry(_("Django admin"), reverse("admin:index"), _("Raw data for administrators"), "🛠", 90),
    ]


def _load(app: str):
    try:
        return import_module(f"{app}.navigation")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.navigation":
            raise
        return None
