"""Who may do what with a task, on top of ``accounts.access`` (DESIGN.md section 6).

Seeing a task is decided by ``tasks.selectors.tasks_visible_to``; these
predicates decide the actions on a task the user can already see. Services call
them and raise ``PermissionDenied`` with a readable message; templates call them
to show only the forms a person can use.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from accounts.access import can_act_in_all_units, can_act_in_unit, can_see_all_units
from accounts.models import Unit, User
from tasks.models import Task, TaskUpdate

Role = User.Role
Status = Task.Status
Kind = TaskUpdate.Kind


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


# --- what a change does to a task, whoever makes it ----------------------------------

#: The kinds of change by which the responsible person answers: the first one ends the wait for a response.
ANSWERS = (Kind.STATUS, Kind.NOTE, Kind.REOPEN)


def creation(task: Task, *, by_id: int, at: datetime.datetime) -> TaskUpdate:
    """The row every history starts with (version 1): who created the task, for whom, in its first state."""
    return TaskUpdate(task=task, kind=Kind.CREATE, by_id=by_id, at=at, status_after=task.status,
                      progress_after=task.progress, assignee_after_id=task.responsible_id, version=task.version)


def record_change(task: Task, *, by_id: int, kind: str, at: datetime.datetime) -> None:
    """Every change (one history row) bumps the version and the activity time; the first answer is remembered."""
    task.version += 1
    task.updated_at = task.last_activity_at = at
    if task.first_response_at is None and by_id == task.responsible_id and kind in ANSWERS:
        task.first_response_at = at


def normalised(status: str, progress: int) -> tuple[str, int]:
    """A status update as the list keeps it: done is 100 %, and progress on a not-started item means it started."""
    if status == Status.DONE:
        return status, 100
    if status == Status.NOT_STARTED and progress > 0:
        return Status.IN_PROGRESS, progress
    return status, progress


def set_status(task: Task, status: str, progress: int, *, at: datetime.datetime) -> None:
    """Move to ``status`` and ``progress``; ``done_at`` is when the task became done, and only while it is."""
    task.status, task.progress = status, progress
    task.done_at = (task.done_at or at) if status == Status.DONE else None


def rolled_up(status: str, progress: int, children: Sequence[tuple[str, int]]) -> tuple[str, int]:
    """A parent's status and progress from its children's ``(status, progress)``.

    Progress is the rounded mean of the children's; the parent becomes done when
    every child is done, leaves done (back to in progress) when one is reopened,
    and starts (not started → in progress) when any child has progress. A blocked
    child does not block its parent: the block is visible on the child, and the
    parent's other items go on. Without children nothing changes.
    """
    if not children:
        return status, progress
    if all(s == Status.DONE for s, _p in children):
        return Status.DONE, 100
    progress = round(sum(p for _s, p in children) / len(children))
    started = progress > 0 or any(s != Status.NOT_STARTED for s, _p in children)
    if status == Status.DONE or (status == Status.NOT_STARTED and started):
        status = Status.IN_PROGRESS
    return status, progress
