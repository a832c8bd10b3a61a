"""Writes for findings: every state change of the closed loop goes through here.

Each service checks the rule (``rules``) and raises PermissionDenied with a
readable message, validates input and raises ValidationError, and changes
nothing unless everything holds: the whole service is one transaction, and
photos are validated before the first row is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from accounts.selectors import unit_for_point
from campaign.core import outbox
from campaign.core.errors import VERSION_MISSING, StaleEdit, VersionRequired
from campaign.core.geo import bounding_box
from campaign.core.uploads import CleanedUpload, build_private_file, clean_upload
from campaign.models import Campaign, CheckItem, EventCategory, PointType, Site, Standard
from inspections import rules
from inspections.models import ExtensionRequest, Finding, FindingPhoto, Inspection, Rectification, Verification
from inspections.services.inspections import inspection_record_checks, running_campaign


def _clean_photos(photos: Sequence, *, required_message: str) -> list[CleanedUpload]:
    """Validate every photo with the shared upload code before anything is saved."""
    if not photos:
        raise ValidationError({"photos": required_message}, code="photo_required")
    errors, cleaned = [], []
    for upload in photos:
        try:
            cleaned.append(clean_upload(upload, images_only=True))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return cleaned


def check_version(finding: Finding, expected_version: int | None) -> None:
    """``finding`` is the locked row; ``None`` means the caller holds no version (a job, the demo data)."""
    if expected_version is VERSION_MISSING:
        raise VersionRequired
    if expected_version is not None and int(expected_version) != finding.version:
        raise StaleEdit(current=finding)


def locked(finding: Finding) -> Finding:
    return (Finding.objects.select_for_update(of=("self",))
            .select_related("responsible_unit", "reporter", "category").get(pk=finding.pk))


# --- findings -----------------------------------------------------------------

@dataclass
class Proposal:
    """What the finding form proposes for the responsible unit and deadline; the inspector may change both."""

    responsible_unit: Unit | None
    deadline: datetime.datetime | None


def propose(*, category: EventCategory | None, site: Site | None, latitude=None, longitude=None,
            now: datetime.datetime | None = None) -> Proposal:
    """The site's unit, else the unit whose jurisdiction holds the point; now + the category's time limit."""
    now = now or timezone.now()
    unit = site.unit if site is not None else None
    if unit is None and latitude is not None and longitude is not None:
        unit = unit_for_point(latitude, longitude)
    return Proposal(unit, rules.proposed_deadline(category, now))


def _locate(latitude, longitude, site: Site | None, photos: list[CleanedUpload]):
    """The browser's position, else the picked site's, else the first photo's EXIF GPS."""
    if latitude is not None and longitude is not None:
        return Decimal(str(latitude)), Decimal(str(longitude)), Finding.LocationSource.BROWSER
    if site is not None:
        return site.latitude, site.longitude, Finding.LocationSource.SITE
    for photo in photos:
        if photo.latitude is not None and photo.longitude is not None:
            return photo.latitude, photo.longitude, Finding.LocationSource.PHOTO
    raise ValidationError({"latitude": _(
        "No location: allow the phone to share its location, pick a site, or use a photo taken with "
        "location turned on.")}, code="location_required")


def find_rebound_source(
    *, campaign: Campaign, category: EventCategory, site: Site | None, latitude, longitude,
    at: datetime.datetime,
) -> Finding | None:
    """The most recently closed finding this one repeats: same category, same site or within the radius, in the window.

    The rule is ``rules.repeats``; here SQL only narrows the candidates to it (a bounding box, which an
    index on latitude, longitude serves, or the same site), and the rule decides.
    """
    radius = campaign.rebound_radius_m
    since = at - datetime.timedelta(days=campaign.rebound_window_days)
    min_lat, max_lat, min_lon, max_lon = bounding_box(float(latitude), float(longitude), radius)
    near = Q(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
    if site is not None:
        near |= Q(site=site)
    candidates = (Finding.objects
                  .filter(near, campaign=campaign, category=category, status=Finding.Status.CLOSED,
                          closed_at__gte=since, closed_at__lte=at)
                  .order_by("-closed_at", "-pk"))
    return rules.rebound_source(candidates, campaign=campaign, category_id=category.pk,
                                site_id=site.pk if site is not None else None, latitude=latitude,
                                longitude=longitude, at=at)


def checked_category(category) -> EventCategory:
    if category is None or not isinstance(category, EventCategory) or category.parent_id is None \
            or not category.is_active:
        raise ValidationError({"category": _("Choose an event sub-category (小类) from the list.")},
                              code="bad_category")
    return category


def _logged_where(by, inspection: Inspection | None, campaign: Campaign | None):
    """The (locked) inspection, campaign and tier a new finding is logged in, or why ``by`` may not log it."""
    if inspection is not None:
        # Re-read under a lock: the inspection may have been finished since the form was opened.
        inspection = Inspection.objects.select_for_update().select_related("campaign").get(pk=inspection.pk)
        if not rules.can_log_in(by, inspection):
            raise PermissionDenied(_("Only the inspectors of this open inspection may add findings to it."))
        return inspection, inspection.campaign, inspection.tier
    tier = rules.default_tier(by)
    if tier is None:
        raise PermissionDenied(_("Only bureau leaders, the inspection squad and tier-3 inspectors log findings."))
    return None, running_campaign(campaign), tier


@transaction.atomic
def finding_create(
    *, by, category: EventCategory | None, description: str, photos: Sequence,
    latitude=None, longitude=None, site: Site | None = None, point_type: PointType | None = None,
    check_item: CheckItem | None = None, standard: Standard | None = None,
    severity: str = Finding.Severity.GENERAL, address: str = "", responsible_unit: Unit | None = None,
    deadline: datetime.datetime | None = None, inspection: Inspection | None = None,
    check_results: dict[CheckItem, bool] | None = None, campaign: Campaign | None = None,
) -> Finding:
    """Report a finding on site and dispatch it to the responsible unit in one step: the inspector names the
    unit and the deadline on the spot (both proposed). Refuses a finding without a photo or a location, with
    an unknown category or a past deadline, and one outside the inspector's tier.
    """
    now = timezone.now()
    inspection, campaign, tier = _logged_where(by, inspection, campaign)
    category = checked_category(category)
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe what is wrong.")})
    cleaned = _clean_photos(photos, required_message=_("Add at least one photo of the problem."))
    latitude, longitude, source = _locate(latitude, longitude, site, cleaned)
    proposal = propose(category=category, site=site, latitude=latitude, longitude=longitude, now=now)
    responsible_unit = responsible_unit or proposal.responsible_unit
    if responsible_unit is None:
        raise ValidationError({"responsible_unit": _(
            "This place is in no squad's jurisdiction: choose the responsible unit.")})
    if not rules.can_inspect_unit(by, tier, responsible_unit) or (
            site is not None and not rules.can_inspect_unit(by, tier, site.unit)):
        raise PermissionDenied(_("A tier-3 inspector logs findings only inside their own squad."))
    deadline = deadline or proposal.deadline
    if deadline <= now:
        raise ValidationError({"deadline": _("The deadline must be in the future.")}, code="deadline_past")
    if check_item is not None:
        point_type, standard = point_type or check_item.point_type, standard or check_item.standard
    point_type = point_type or (site.point_type if site else None)
    rebound_of = find_rebound_source(campaign=campaign, category=category, site=site, latitude=latitude,
                                     longitude=longitude, at=now)
    finding = Finding(
        campaign=campaign, inspection=inspection, tier=tier, reporter=by, site=site, point_type=point_type,
        check_item=check_item, standard=standard, category=category, description=description.strip(),
        severity=severity, latitude=latitude, longitude=longitude, location_source=source,
        address=(address or (site.address if site else "")).strip()[:200], responsible_unit=responsible_unit,
        status=Finding.Status.DISPATCHED, is_rebound=rebound_of is not None,
        rebound_of=rebound_of, reported_at=now, dispatched_at=now,
    )
    rules.start_period(finding, at=now, deadline=deadline)
    finding.full_clean()
    finding.save()
    _file_and_dispatch(finding, cleaned, check_results)
    return finding


def _file_and_dispatch(finding: Finding, photos: list[CleanedUpload], check_results) -> None:
    """A new finding's photos and check list, and its dispatch announced to the unit (after the commit)."""
    inspection, site = finding.inspection, finding.site
    for photo in photos:
        build_private_file(FindingPhoto, photo, by=finding.reporter, finding=finding,
                           phase=FindingPhoto.Phase.BEFORE)
    if inspection is not None and check_results:
        inspection_record_checks(inspection=inspection, by=finding.reporter, site=site, results=check_results)
    if inspection is not None and site is not None:
        inspection.target_sites.add(site)
    # The unit's leaders and group robots are told by the reports app's job, named, not imported.
    outbox.enqueue("reports.jobs.announce_dispatch", finding.pk)


@transaction.atomic
def finding_rectify(*, finding: Finding, by, note: str, photos: Sequence,
                    expected_version: int | None = None) -> Rectification:
    """整改: the responsible unit answers with what it did and at least one after-photo."""
    finding = locked(finding)
    if not rules.can_rectify(by, finding):
        raise PermissionDenied(_("Only the responsible unit's people rectify this finding."))
    check_version(finding, expected_version)
    if not finding.is_open:
        raise ValidationError(_("This finding is not waiting for rectification (it is %(status)s).")
                              % {"status": finding.get_status_display()}, code="bad_state")
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done.")})
    cleaned = _clean_photos(photos, required_message=_("Add at least one photo after rectification."))
    now = timezone.now()
    rectification = Rectification.objects.create(finding=finding, by=by, note=note.strip(), at=now)
    # Answered: a request for more time still waiting has nothing left to decide.
    finding.extensions.filter(status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.LAPSED, decided_by=by, decided_at=now)
    for photo in cleaned:
        build_private_file(FindingPhoto, photo, by=by, finding=finding, rectification=rectification,
                           phase=FindingPhoto.Phase.AFTER)
    finding.save(update_fields=rules.mark_rectified(finding, at=now))
    outbox.enqueue("reports.jobs.announce_rectified", rectification.pk)  # the inspector must now verify
    return rectification


def _verifiable(finding: Finding, by, expected_version: int | None) -> Finding:
    finding = locked(finding)
    if not rules.is_dispatcher(by, finding):
        if rules.belongs_to_unit(by, finding.responsible_unit):
            raise PermissionDenied(_("A unit never verifies its own finding; the inspectors do."))
        raise PermissionDenied(_("Only the reporting inspector, the inspection squad or a bureau leader verifies."))
    check_version(finding, expected_version)
    if finding.status != Finding.Status.RECTIFIED:
        raise ValidationError(_("Only a rectified finding can be verified (this one is %(status)s).")
                              % {"status": finding.get_status_display()}, code="bad_state")
    return finding


@transaction.atomic
def finding_close(*, finding: Finding, by, note: str = "", expected_version: int | None = None) -> Verification:
    """销号: the rectification holds; the finding is closed, on time if it was rectified before the deadline."""
    finding = _verifiable(finding, by, expected_version)
    now = timezone.now()
    verification = Verification.objects.create(finding=finding, by=by, result=Verification.Result.CLOSED,
                                               note=(note or "").strip(), at=now)
    finding.save(update_fields=rules.mark_closed(finding, at=now))
    outbox.enqueue("reports.jobs.announce_closed", verification.pk)  # the unit hears it is finished
    return verification


@transaction.atomic
def finding_return(
    *, finding: Finding, by, note: str, new_deadline: datetime.datetime, expected_version: int | None = None,
) -> Verification:
    """返工: the rectification does not hold; back to the unit with a reason and a new deadline, counted."""
    finding = _verifiable(finding, by, expected_version)
    now = timezone.now()
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the rectification is not accepted.")})
    if new_deadline is None or new_deadline <= now:
        raise ValidationError({"new_deadline": _("The new deadline must be in the future.")}, code="deadline_past")
    verification = Verification(finding=finding, by=by, result=Verification.Result.RETURNED, note=note.strip(),
                                new_deadline=new_deadline, at=now)
    verification.full_clean()
    verification.save()
    finding.save(update_fields=rules.mark_returned(finding, at=now, new_deadline=new_deadline))
    outbox.enqueue("reports.jobs.announce_returned", verification.pk)  # the unit must act again
    return verification
