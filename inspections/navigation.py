"""Entries of the three-tier inspection in the top navigation and on the dashboard, per role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import can_see_all_units, is_admin, is_leader
from accounts.models import User
from campaign.core.navigation import Entry
from inspections import rules


def entries(user) -> list[Entry]:
    entries: list[Entry] = []
    if rules.can_inspect(user):
        entries += [
            Entry(_("Log a finding"), reverse("inspections:finding_new"),
                  _("Photos, location, check list: send a problem to the responsible unit"), "📷", 10),
            Entry(_("Start an inspection"), reverse("inspections:inspection_start"),
                  _("Record an inspection's targets and check lists"), "🔍", 30),
        ]
    if user.role in (User.Role.SQUAD_LEADER, User.Role.MEMBER):
        entries.append(Entry(_("Our open findings"), reverse("inspections:unit_findings"),
                             _("Problems the inspectors found in our area, with deadlines"), "🚦", 15))
    if can_see_all_units(user) or rules.can_inspect(user) or user.role == User.Role.SQUAD_LEADER:
        entries.append(Entry(_("Findings"), reverse("inspections:finding_list"),
                             _("All findings with filters, traffic lights and Excel export"), "📋", 20))
        entries.append(Entry(_("Inspections"), reverse("inspections:inspection_list"),
                             _("Inspections of the three tiers and their reports"), "🗂", 35))
    if is_leader(user) or is_admin(user) or user.role == User.Role.INSPECTOR:
        entries.append(Entry(_("Relapse places"), reverse("inspections:relapse_places"),
                             _("Places where problems keep coming back"), "♻", 40))
    return entries
