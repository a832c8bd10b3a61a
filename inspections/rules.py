"""Who may inspect where, rectify what and verify what, and what each step of the closed loop does: DESIGN.md
sections 4 and 6 for this app.

Pure functions of the user and the object, so services enforce them (raising
PermissionDenied) and templates and serializers use the same answers to decide
which forms and actions to offer. Visibility (what answers 404) lives in
``selectors``; these rules decide what answers 403.

The closed loop's steps and the rebound rule are pure functions of the finding
too: the services apply them to the row they lock and save, the bulk seeding
(``inspections.seeding``) to rows it builds in memory, so there is one copy of
each rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from accounts.access import is_leader
from accounts.models import Unit, User
from campaign.core.geo import distance_m
from campaign.models import Campaign, EventCategory
from inspections.models import Finding, FindingEvent, Inspection, Tier

Role = User.Role


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def tiers_for(user) -> list[int]:
    """The tiers ``user`` may run: 1 for a bureau leader, 2 for the inspection squad, 3 for a designated member."""
    if not _signed_in(user):
        return []
    tiers = []
    if is_leader(user):
        tiers.append(Tier.BUREAU)
    if user.role == Role.INSPECTOR:
        tiers.append(Tier.DIRECTED)
    if user.is_tier3_inspector and user.unit_id and user.unit.kind == Unit.Kind.SQUAD:
        tiers.append(Tier.INTERNAL)
    return tiers


def default_tier(user) -> int | None:
    tiers = tiers_for(user)
    return tiers[0] if tiers else None


def can_inspect(user) -> bool:
    return bool(tiers_for(user))


def can_inspect_unit(user, tier: int, unit: Unit | None) -> bool:
    """Tiers 1 and 2 work anywhere; a tier-3 inspector only inside their own squad."""
    if tier not in tiers_for(user) or unit is None:
        return False
    if tier == Tier.INTERNAL:
        return unit.path.startswith(user.unit.path)
    return True


def takes_part_in(user, inspection: Inspection) -> bool:
    """The lead inspector and the named inspectors may add results and findings to an inspection."""
    if not _signed_in(user):
        return False
    if inspection.created_by_id == user.pk:
        return True
    return any(person.pk == user.pk for person in inspection.inspectors.all())


def can_log_in(user, inspection: Inspection) -> bool:
    return inspection.is_open and inspection.tier in tiers_for(user) and takes_part_in(user, inspection)


def belongs_to_unit(user, unit: Unit) -> bool:
    """Whether ``user`` works in ``unit`` or under it: such a person answers for it and never verifies it."""
    return bool(user.unit_id) and user.unit.path.startswith(unit.path)


def can_rectify(user, finding: Finding) -> bool:
    """The responsible unit answers: its squad leader or one of its members."""
    if not _signed_in(user) or user.role not in (Role.SQUAD_LEADER, Role.MEMBER):
        return False
    unit = finding.responsible_unit
    return unit.kind != Unit.Kind.BUREAU and belongs_to_unit(user, unit)


def is_dispatcher(user, finding: Finding) -> bool:
    """The dispatching side: the reporter, the inspection squad or a bureau leader, never anyone of the
    responsible unit. They verify its rectification, re-dispatch it and decide on more time for it."""
    if not _signed_in(user) or belongs_to_unit(user, finding.responsible_unit):
        return False
    return finding.reporter_id == user.pk or user.role == Role.INSPECTOR or is_leader(user)


def can_verify(user, finding: Finding) -> bool:
    return finding.status == Finding.Status.RECTIFIED and is_dispatcher(user, finding)


def can_send_back(user, finding: Finding) -> bool:
    """退回: the responsible unit's squad leader, before the unit has answered it in any way."""
    return (finding.status == Finding.Status.DISPATCHED and finding.first_rectified_at is None
            and _signed_in(user) and user.role == Role.SQUAD_LEADER and can_rectify(user, finding))


def can_redispatch(user, finding: Finding) -> bool:
    """改派: a finding sent back, or one its unit has not answered yet, to another unit."""
    movable = finding.status == Finding.Status.SENT_BACK or (
        finding.status == Finding.Status.DISPATCHED and finding.first_rectified_at is None)
    return movable and is_dispatcher(user, finding)


def can_redispatch_to(user, finding: Finding, unit: Unit) -> bool:
    """A finding goes to a squad or an office, never to the bureau itself; a tier-3 one stays in its squad."""
    if unit.kind == Unit.Kind.BUREAU:
        return False
    return finding.tier != Tier.INTERNAL or is_leader(user) or user.role == Role.INSPECTOR \
        or can_inspect_unit(user, finding.tier, unit)


def unit_has_acted(finding: Finding) -> bool:
    """Since its current dispatch the unit rectified it, sent it back or asked for more time (from the finding's
    events and requests, prefetched on a page)."""
    since = finding.dispatched_at
    return (finding.first_rectified_at is not None
            or any(request.at >= since for request in finding.extensions.all())
            or any(e.kind == FindingEvent.Kind.SENT_BACK and e.at >= since for e in finding.events.all()))


def can_correct(user, finding: Finding) -> bool:
    """Its reporter corrects or withdraws (作废) a finding until the unit has acted on it."""
    return (_signed_in(user) and finding.reporter_id == user.pk and finding.status == Finding.Status.DISPATCHED
            and not unit_has_acted(finding))


def can_assign(user, finding: Finding) -> bool:
    """交办: the responsible unit's squad leader hands an open finding to one of the unit's people."""
    return finding.is_open and _signed_in(user) and user.role == Role.SQUAD_LEADER and can_rectify(user, finding)


def can_handle(person, finding: Finding) -> bool:
    """Who a finding may be handed to: an active member or squad leader of the responsible unit or under it."""
    return (bool(person and person.is_active) and person.role in (Role.SQUAD_LEADER, Role.MEMBER)
            and belongs_to_unit(person, finding.responsible_unit))


def can_ask_extension(user, finding: Finding) -> bool:
    """申请延期: the responsible unit, while the finding waits for its rectification."""
    return finding.is_open and can_rectify(user, finding)


def can_finish(user, inspection: Inspection) -> bool:
    return inspection.is_open and (inspection.created_by_id == user.pk or is_leader(user))


# --- the closed loop, whoever moves a finding along it ---------------------------------------
# Each step sets the fields it changes and returns their names (the services save exactly those).

#: The traffic light turns yellow when this share of the current period is used, red at the deadline.
YELLOW_SHARE = Decimal("0.8")


def proposed_deadline(category: EventCategory | None, at: datetime.datetime) -> datetime.datetime | None:
    """The category's time limit from ``at``: the deadline a dispatch proposes."""
    if category is None or not category.time_limit_hours:
        return None
    return at + datetime.timedelta(hours=category.time_limit_hours)


def start_period(finding: Finding, *, at: datetime.datetime, deadline: datetime.datetime) -> list[str]:
    """A period begins (the dispatch, or a return for rework): its clock, its deadline, when the light turns yellow."""
    finding.clock_start, finding.deadline = at, deadline
    # Stored beside the deadline, so the light is a plain comparison in SQL (``selectors.light_expression``).
    finding.yellow_at = at + (deadline - at) * float(YELLOW_SHARE)
    return ["clock_start", "deadline", "yellow_at"]


def mark_rectified(finding: Finding, *, at: datetime.datetime) -> list[str]:
    """整改: the unit has answered; the last answer counts for on time, the first for the response time."""
    finding.status = Finding.Status.RECTIFIED
    finding.rectified_at = at
    finding.first_rectified_at = finding.first_rectified_at or at
    finding.version += 1
    return ["status", "rectified_at", "first_rectified_at", "version"]


def mark_closed(finding: Finding, *, at: datetime.datetime) -> list[str]:
    """销号: closed, on time if the last rectification came before the deadline in force."""
    finding.status = Finding.Status.CLOSED
    finding.closed_at = at
    finding.closed_on_time = finding.rectified_at <= finding.deadline
    finding.version += 1
    return ["status", "closed_at", "closed_on_time", "version"]


def mark_redispatched(finding: Finding, *, at: datetime.datetime, unit: Unit,
                      deadline: datetime.datetime) -> list[str]:
    """改派: the rightful unit's clock starts at its own dispatch; a move to another unit is counted."""
    moved = unit.pk != finding.responsible_unit_id
    finding.redispatch_count += int(moved)
    finding.responsible_unit, finding.status, finding.dispatched_at = unit, Finding.Status.DISPATCHED, at
    finding.handler = None  # the rightful unit's squad leader hands it on afresh
    finding.version += 1
    return ["responsible_unit", "status", "dispatched_at", "handler", "redispatch_count", "version",
            *start_period(finding, at=at, deadline=deadline)]


def mark_extended(finding: Finding, *, deadline: datetime.datetime) -> list[str]:
    """延期 granted: the period keeps its start and ends later, so the light is judged against the new end."""
    finding.extension_count += 1
    finding.version += 1
    return ["extension_count", "version", *start_period(finding, at=finding.clock_start, deadline=deadline)]


def mark_returned(finding: Finding, *, at: datetime.datetime, new_deadline: datetime.datetime) -> list[str]:
    """返工: back to the unit, counted, with a new period up to ``new_deadline``."""
    finding.status = Finding.Status.RETURNED
    finding.rework_count += 1
    finding.version += 1
    return ["status", "rework_count", "version", *start_period(finding, at=at, deadline=new_deadline)]


# --- rebound (反弹) ---------------------------------------------------------------------------

def repeats(earlier: Finding, *, campaign: Campaign, category_id: int, site_id: int | None, latitude, longitude,
            at: datetime.datetime) -> bool:
    """Whether a finding of ``category_id`` reported ``at`` at this place repeats ``earlier``.

    It does when ``earlier`` is of the same category, was closed within the
    campaign's window before ``at``, and is at the same site or within the
    campaign's radius (both campaign settings).
    """
    if earlier.category_id != category_id or earlier.status != Finding.Status.CLOSED:
        return False
    if not at - datetime.timedelta(days=campaign.rebound_window_days) <= earlier.closed_at <= at:
        return False
    if site_id is not None and earlier.site_id == site_id:
        return True
    return distance_m(float(latitude), float(longitude), float(earlier.latitude),
                      float(earlier.longitude)) <= campaign.rebound_radius_m


def rebound_source(newest_first: Iterable[Finding], **place) -> Finding | None:
    """The finding a new one rebounds from: the most recently closed one it repeats (see :func:`repeats`).

    ``newest_first`` holds the candidates, latest closed first; ``place`` is :func:`repeats`' keywords.
    """
    return next((earlier for earlier in newest_first if repeats(earlier, **place)), None)
