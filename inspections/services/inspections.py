"""Writes for inspections: start one, record its check lists, finish it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from campaign.models import Campaign, CheckItem, Site
from campaign.selectors import current_campaign
from inspections import rules
from inspections.models import CheckResult, Inspection, Tier


def running_campaign(campaign: Campaign | None) -> Campaign:
    """``campaign``, else the current one; refused when there is none."""
    campaign = campaign or current_campaign()
    if campaign is None:
        raise ValidationError(_("There is no campaign yet; an administrator sets one up first."))
    return campaign


@transaction.atomic
def inspection_start(
    *, by, tier: int, topic: str, date: datetime.date, inspectors: Iterable = (),
    target_units: Iterable[Unit] = (), target_sites: Iterable[Site] = (), campaign: Campaign | None = None,
) -> Inspection:
    """Start an inspection of one tier; a tier-3 inspection stays inside the inspector's squad."""
    campaign = running_campaign(campaign)
    if tier not in rules.tiers_for(by):
        raise PermissionDenied(_("You may not run a %(tier)s.") % {"tier": Tier(tier).label})
    target_units, target_sites = list(target_units), list(target_sites)
    squad = by.unit if tier == Tier.INTERNAL else None
    if squad is not None and not target_units:
        target_units = [squad]
    for unit in target_units + [site.unit for site in target_sites]:
        if not rules.can_inspect_unit(by, tier, unit):
            raise PermissionDenied(_("A tier-3 inspection stays inside your own squad; %(unit)s is outside it.")
                                   % {"unit": unit.name})
    if tier == Tier.DIRECTED and not (target_units or target_sites):
        raise ValidationError({"target_units": _("A directed inspection names the units or sites it is aimed at.")})
    others = [p for p in inspectors if p.pk != by.pk]
    if squad is not None and any(not rules.belongs_to_unit(p, squad) for p in others):
        raise ValidationError({"inspectors": _("A tier-3 inspection is made by people of the squad.")})
    if date and not (campaign.start_date <= date <= campaign.end_date):
        raise ValidationError({"date": _("The date must fall within the campaign (%(start)s – %(end)s).") % {
            "start": campaign.start_date, "end": campaign.end_date}})
    inspection = Inspection(campaign=campaign, tier=tier, topic=topic, date=date, created_by=by, squad=squad)
    inspection.full_clean()
    inspection.save()
    inspection.inspectors.set([by, *others])
    inspection.target_units.set(target_units)
    inspection.target_sites.set(target_sites)
    return inspection


@transaction.atomic
def inspection_record_checks(
    *, inspection: Inspection, by, site: Site | None, results: dict[CheckItem, bool], notes: dict | None = None,
) -> list[CheckResult]:
    """Record pass / fail for check-list lines at a site; a repeated check overwrites its earlier answer."""
    if not rules.can_log_in(by, inspection):
        raise PermissionDenied(_("Only the inspectors of this open inspection may record its check list."))
    if site is not None and not rules.can_inspect_unit(by, inspection.tier, site.unit):
        raise PermissionDenied(_("%(site)s is outside the area you may inspect.") % {"site": site.name})
    notes = notes or {}
    saved = []
    for check, passed in results.items():
        row, _created = CheckResult.objects.update_or_create(
            inspection=inspection, site=site, check_item=check,
            defaults={"passed": passed, "note": notes.get(check, "")[:300], "checked_by": by},
        )
        saved.append(row)
    return saved


@transaction.atomic
def inspection_finish(*, inspection: Inspection, by, summary: str = "") -> Inspection:
    """Close an inspection: its report is final, no more results or findings are added to it."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not rules.can_finish(by, inspection):
        raise PermissionDenied(_("Only the lead inspector finishes an open inspection."))
    inspection.status = Inspection.Status.FINISHED
    inspection.summary = summary.strip()
    inspection.finished_at = timezone.now()
    inspection.full_clean()
    inspection.save(update_fields=["status", "summary", "finished_at"])
    return inspection
