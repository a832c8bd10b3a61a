"""Who may see and act on which units: DESIGN.md section 6, in one place.

Every selector that returns unit-owned rows narrows them with
:func:`restrict_to_units`; every service that changes one checks
:func:`can_act_in_unit`. Apps add their object rules (a member edits only their
own task, a tier-3 inspector works only in their squad) on top of these two.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Unit, User
from campaign.core import cache

Role = User.Role

#: Roles that see every unit's lists: leaders, admins and the inspection squad.
BUREAU_WIDE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.INSPECTOR})
#: Roles that may act (change state) on any unit's objects.
ACT_ANYWHERE_ROLES = frozenset({Role.ADMIN, Role.LEADER})


def _is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_see_all_units(user) -> bool:
    return _is_signed_in(user) and (user.is_superuser or user.role in BUREAU_WIDE_ROLES)


def can_act_in_all_units(user) -> bool:
    return _is_signed_in(user) and (user.is_superuser or user.role in ACT_ANYWHERE_ROLES)


def in_own_subtree(user, field: str) -> Q:
    """Rows whose ``field`` is the person's unit or a unit under it, whatever their role: what they answer
    for, rather than what they may see. The units are named by id (from the cached unit tree), so the rows'
    own index on ``field`` serves the filter and no join to the units is needed."""
    if not _is_signed_in(user) or user.unit_id is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__in" if field else "pk__in": own_subtree_ids(user)})


def own_subtree_ids(user) -> list[int]:
    """The ids of the person's unit and every unit under it (materialised paths share its prefix)."""
    prefix = user.unit.path
    return [pk for pk, path in unit_paths() if path.startswith(prefix)]


def units_visible_to(user) -> QuerySet[Unit]:
    """The units whose lists ``user`` may read: all of them, or their own unit and its children."""
    if can_see_all_units(user):
        return Unit.objects.all()
    return Unit.objects.filter(in_own_subtree(user, ""))


def visible_unit_ids(user) -> list[int] | None:
    """The ids of :func:`units_visible_to`, or None for "every unit", from the cached unit tree."""
    if can_see_all_units(user):
        return None
    if not _is_signed_in(user) or user.unit_id is None:
        return []
    return own_subtree_ids(user)


def unit_paths() -> list[tuple[int, str]]:
    """Every unit's id and materialised path: a few dozen rows behind every visibility rule (cached data)."""
    return cache.cached(cache.unit_paths_key(),
                        lambda: list(Unit.objects.order_by("pk").values_list("pk", "path")))


def units_actionable_by(user) -> QuerySet[Unit]:
    """The units in which ``user`` may change things as a unit (a squad leader in their squad)."""
    if can_act_in_all_units(user):
        return Unit.objects.all()
    if _is_signed_in(user) and user.role == Role.SQUAD_LEADER:
        return Unit.objects.filter(in_own_subtree(user, ""))
    return Unit.objects.none()


def restrict_to_units(queryset: QuerySet, user, *, unit_field: str = "unit") -> QuerySet:
    """Narrow ``queryset`` to rows whose ``unit_field`` is a unit ``user`` may see."""
    if can_see_all_units(user):
        return queryset
    return queryset.filter(in_own_subtree(user, unit_field))


def can_act_in_unit(user, unit: Unit | None) -> bool:
    if unit is None or not _is_signed_in(user):
        return False
    if can_act_in_all_units(user):
        return True
    return (
        user.role == Role.SQUAD_LEADER
        and user.unit_id is not None
        and unit.path.startswith(user.unit.path)
    )


def is_admin(user) -> bool:
    return _is_signed_in(user) and (user.is_superuser or user.role == Role.ADMIN)


def is_leader(user) -> bool:
    return _is_signed_in(user) and user.role == Role.LEADER
