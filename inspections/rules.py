"""Who may inspect where, rectify what and verify what: DESIGN.md sections 4 and 6 for this app.

Pure functions of the user and the object, so services enforce them (raising
PermissionDenied) and templates and serializers use the same answers to decide
which forms and actions to offer. Visibility (what answers 404) lives in
``selectors``; these rules decide what answers 403.
"""

from __future__ import annotations

from accounts.access import is_leader
from accounts.models import Unit, User
from inspections.models import Finding, Inspection, Tier

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


def can_verify(user, finding: Finding) -> bool:
    """The reporter, the inspection squad or a bureau leader verifies; never the responsible unit's own people."""
    if not _signed_in(user) or belongs_to_unit(user, finding.responsible_unit):
        return False
    return finding.reporter_id == user.pk or user.role == Role.INSPECTOR or is_leader(user)


def can_finish(user, inspection: Inspection) -> bool:
    return inspection.is_open and (inspection.created_by_id == user.pk or is_leader(user))
