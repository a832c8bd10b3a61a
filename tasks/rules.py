"""Who may do what with a task, on top of ``accounts.access`` (DESIGN.md section 6).

Seeing a task is decided by ``tasks.selectors.tasks_visible_to``; these
predicates decide the actions on a task the user can already see. Services call
them and raise ``PermissionDenied`` with a readable message; templates call them
to show only the forms a person can use.
"""

from __future__ import annotations

from accounts.access import can_act_in_all_units, can_act_in_unit, can_see_all_units
from accounts.models import Unit, User
from tasks.models import Task

Role = User.Role


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage(user, task: Task) -> bool:
    """Edit, split and assign: leaders and admins anywhere, a squad leader inside their squad."""
    return can_act_in_unit(user, task.unit)


def can_update(user, task: Task) -> bool:
    """Change status and progress: the managers, and the responsible person on their own item."""
    return can_manage(user, task) or (_signed_in(user) and task.responsible_id == user.pk)


def can_reopen(user, task: Task) -> bool:
    """A done item is reopened by its unit's leader, a bureau leader (or admin) or an inspector."""
    if not _signed_in(user):
        return False
    return can_manage(user, task) or user.role == Role.INSPECTOR


def can_create_in(user, unit: Unit) -> bool:
    return can_act_in_unit(user, unit)


def can_create_any(user) -> bool:
    """Whether the user may create tasks at all (shows the "new task" button)."""
    return _signed_in(user) and (can_act_in_all_units(user) or user.role == Role.SQUAD_LEADER)


def can_import(user) -> bool:
    """Importing writes the whole list across units: admins and bureau leaders."""
    return can_act_in_all_units(user)


def can_see_coverage(user) -> bool:
    """The coverage of the framework is a bureau-wide view: leaders, admins and inspectors."""
    return can_see_all_units(user)
