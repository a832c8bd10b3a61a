"""Reads for units and people."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import restrict_to_units
from accounts.models import Unit, User


def unit_tree() -> list[Unit]:
    """All units in tree order (parents before children), with depth, in one query."""
    units = list(Unit.objects.select_related("parent").order_by("path"))
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent_id, depth):
        for unit in sorted(by_parent.get(parent_id, []), key=lambda u: (u.sort_order, u.code)):
            unit.depth = depth
            ordered.append(unit)
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def squads() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=Unit.Kind.SQUAD)


def unit_for_point(latitude, longitude) -> Unit | None:
    """The squad (or other unit) whose jurisdiction boundary contains the point, if any."""
    for unit in Unit.objects.exclude(boundary=[]).order_by("kind", "sort_order"):
        if unit.contains_point(latitude, longitude):
            return unit
    return None


def people_visible_to(user) -> QuerySet[User]:
    return restrict_to_units(User.objects.select_related("unit"), user).filter(is_active=True)
