"""Writes for units and people."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import is_admin
from accounts.models import Unit, User


def _path_for(unit: Unit) -> str:
    parent_path = unit.parent.path if unit.parent_id else "/"
    return f"{parent_path}{unit.pk}/"


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Validate and save a unit, then refresh the materialised paths of it and everything under it."""
    unit.full_clean()
    unit.save()
    _refresh_paths(unit)
    return unit


def _refresh_paths(unit: Unit) -> None:
    # Depth is tiny (bureau → squad → team), so walking the subtree is cheap.
    new_path = _path_for(unit)
    if unit.path != new_path:
        Unit.objects.filter(pk=unit.pk).update(path=new_path)
        unit.path = new_path
    for child in Unit.objects.filter(parent=unit).select_related("parent"):
        child.parent = unit
        _refresh_paths(child)


@transaction.atomic
def user_save(*, user: User, password: str | None = None, by: User | None = None) -> User:
    """Validate and save a person; ``password`` (when given) is hashed, never stored as typed.

    ``by`` is the admin making the change: nobody may take away their own admin role or switch themselves
    off, since nobody else may be left to undo it."""
    if by is not None and by.pk == user.pk and not (is_admin(user) or user.is_superuser):
        raise ValidationError(_("You cannot take away your own administrator role or deactivate yourself."))
    if password:
        user.set_password(password)
    # The Django admin is for admins (DESIGN.md section 6): staff status follows the role.
    user.is_staff = user.is_superuser or user.role == User.Role.ADMIN
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_set_channels(*, user: User, phone: str, notify_by_sms: bool, notify_by_email: bool,
                      quiet_from, quiet_until) -> User:
    """A person's own choice of channels and quiet hours, and their mobile number; nothing else changes."""
    user.phone, user.notify_by_sms, user.notify_by_email = phone, notify_by_sms, notify_by_email
    user.quiet_from, user.quiet_until = quiet_from, quiet_until
    user.full_clean(exclude=["password", "username"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=["phone", "notify_by_sms", "notify_by_email", "quiet_from", "quiet_until"])
    return user
