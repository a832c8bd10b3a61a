"""The responsibility list's entries in the top navigation and on the dashboard, by role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import can_see_all_units
from campaign.core.navigation import Entry
from tasks import rules


def entries(user) -> list[Entry]:
    if not (user.is_authenticated and user.is_active):
        return []
    found = [
        Entry(_("Responsibility list") if can_see_all_units(user) else _("Our list"), reverse("tasks:list"),
              _("Tasks, owners and deadlines; overdue first"), "📋", 10),
    ]
    if user.unit_id:
        found.append(Entry(_("My items"), reverse("tasks:list") + "?mine=on",
                           _("The items you are responsible for"), "✅", 11))
    if rules.can_see_coverage(user):
        found.append(Entry(_("Coverage"), reverse("tasks:coverage"),
                           _("Every standard with its tasks and people; the ones nobody owns"), "🧭", 12))
    if rules.can_import(user):
        found.append(Entry(_("Import / export"), reverse("tasks:import"),
                           _("The responsibility list as Excel"), "📥", 13))
    return found
