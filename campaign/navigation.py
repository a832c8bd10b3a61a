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


# Moved on by every notice written or read (reports): the reminders entry shows the unread count.
NOTICES = "notices"


def entries(user) -> list[Entry]:
    """Every page's top bar asks: cached per user and language under the reference generation (roles,
    units) and the notices generation (the unread count); see campaign/fragments.py."""
    if not user.is_authenticated:
        return []
    from campaign import fragments

    parts = (user.pk, fragments.generation(), fragments.generation(NOTICES))
    return fragments.cached_value("navigation", parts, lambda: _entries(user), files=(__file__,))


def _entries(user) -> list[Entry]:
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
    # Plain strings in the reader's language, so the list can be kept in the cache.
    return sorted((Entry(str(e.title), e.url, str(e.description), e.icon, e.order) for e in found),
                  key=lambda e: e.order)


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
