"""The campaign app's own entries in the navigation: the set-up console and the Django admin, for admins."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import is_admin
from campaign.core.navigation import Entry


def entries(user) -> list[Entry]:
    if not is_admin(user):
        return []
    return [
        Entry(_("Set-up"), reverse("setup:index"),
              _("Units, people, campaign, framework, point types, sites, categories"), "⚙", 80),
        Entry(_("Django admin"), reverse("admin:index"), _("Raw data for administrators"), "🛠", 90),
    ]
