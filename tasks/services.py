"""Writes for the responsibility list. Every change to a task goes through one of these functions.

Each one runs in a transaction, locks the task row, checks the version the
caller saw (``expected_version``; a stale one raises :class:`StaleEdit` and
changes nothing), checks the role (``tasks.rules``) and the status rules of
DESIGN.md section 4, writes exactly one :class:`TaskUpdate`, bumps the
version and rolls the change up the parent chain (the rule: ``tasks.rules.rolled_up``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from campaign.core import outbox
from campaign.core.errors import StaleEdit
from campaign.core.uploads import CleanedUpload, build_private_file, clean_upload
from campaign.models import Campaign, Standard
from tasks import rules
from tasks.models import Attachment, Task, TaskUpdate

Status = Task.Status
Kind = TaskUpdate.Kind


def _locked(task: Task, expected_version: int | None) -> Task:
    """Lock the row and compare versions; ``None`` means the caller holds no version (new data only)."""
    # No join: the caller has usually read the task's unit already (the rules need its path), and any
    # other related row a change needs is looked up when used.
    row = _as_loaded(Task.objects.select_for_update().get(pk=task.pk))
    if row.unit_id == task.unit_id and Task.unit.is_cached(task):
        row.unit = task.unit
    if expected_version is not None and int(expected_version) != row.version:
        raise StaleEdit(current=row)
    return row


def _as_loaded(task: Task) -> Task:
    """Remember the locked row's values, so :func:`_record` writes back only the columns that changed."""
    task._loaded = {field.attname: getattr(task, field.attname) for field in Task._meta.concrete_fields}
    return task


def _record(task: Task, *, by: User, kind: str, note: str = "", **changes) -> TaskUpdate:
    """Bump the version, touch the activity timestamps and write the history row."""
    now = timezone.now()
    rules.record_change(task, by_id=by.pk, kind=kind, at=now)
    loaded = getattr(task, "_loaded", None)
    if loaded is None:
        task.save()
    else:  # an UPDATE of the changed columns only (the row is locked, so nobody else changed the others)
        task.save(update_fields=[name for name, value in loaded.items() if getattr(task, name) != value])
        task._loaded = {name: getattr(task, name) for name in loaded}
    update = TaskUpdate(task=task, kind=kind, by=by, at=now, note=note, version=task.version, **changes)
    # The row's own values are checked; its task, people and (task, version) need no query each: the
    # task is locked and its version was just bumped, and the objects are in hand.
    update.full_clean(exclude=["task", "by", "assignee_before", "assignee_after"], validate_constraints=False)
    update.save()
    return update


def _notify(update: TaskUpdate) -> None:
    """Queue the notice to the people concerned through the outbox: it commits with the change, so a broker
    outage delays the notice but never loses it, and never fails the update."""
    outbox.enqueue("reports.jobs.notify_task_change", update.pk)


def _clean_files(files: Iterable | None) -> list[CleanedUpload]:
    """Validate every file before anything is stored; one bad file refuses the whole update."""
    cleaned, errors = [], []
    for upload in files or ():
        try:
            cleaned.append(clean_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return cleaned


def _next_seq(campaign: Campaign) -> int:
    # The campaign row lock serialises numbering between concurrent creators.
    list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk", flat=True))
    return (Task.objects.filter(campaign=campaign).aggregate(m=Max("seq"))["m"] or 0) + 1


@transaction.atomic
def task_create(
    *, campaign: Campaign, by: User, content: str, unit: Unit, responsible: User, deadline,
    criteria: str = "", supervisor: User | None = None, standards: Sequence[Standard] = (),
    parent: Task | None = None, seq: int | None = None,
) -> Task:
    """Create a task (a bureau item, a squad's own item, or a child of ``parent``)."""
    if not rules.can_create_in(by, unit):
        raise PermissionDenied(_("You may not create tasks for %(unit)s.") % {"unit": unit.name})
    if parent is not None:
        parent = _locked(parent, None)
        if not rules.can_manage(by, parent):
            raise PermissionDenied(_("You may not split this task."))
        if parent.status == Status.DONE:
            raise ValidationError({"parent": _("This task is done; reopen it before adding items to it.")})
    if any(s.framework_id != campaign.framework_id for s in standards):
        raise ValidationError({"standards": _("Standards must come from the campaign's evaluation framework.")})
    now = timezone.now()
    task = Task(
        campaign=campaign, parent=parent, content=content.strip(), criteria=(criteria or "").strip(),
        deadline=deadline, unit=unit, responsible=responsible, supervisor=supervisor, created_by=by,
        seq=seq or _next_seq(campaign), created_at=now, updated_at=now, assigned_at=now, last_activity_at=now,
    )
    task.level = task.derive_level()
    task.full_clean(exclude=["standards"])
    task.save()
    task.standards.set(standards)
    rules.creation(task, by_id=by.pk, at=now).save()
    if parent is not None:
        _roll_up(parent.pk, by=by)
    return task


@transaction.atomic
def task_split(*, parent: Task, by: User, items: Sequence[dict]) -> list[Task]:
    """Break ``parent`` into several child tasks at once, all or none.

    ``items`` are keyword sets for :func:`task_create` (content, unit,
    responsible, deadline …); the parent's progress is rolled up after each.
    """
    return [task_create(campaign=parent.campaign, parent=parent, by=by, **item) for item in items]


@transaction.atomic
def task_update_status(
    *, task: Task, by: User, status: str, progress: int | None = None, note: str = "",
    files: Iterable | None = None, expected_version: int | None,
) -> TaskUpdate:
    """Change status and progress with a note and evidence: the everyday update from a phone."""
    task = _locked(task, expected_version)
    if not rules.can_update(by, task):
        raise PermissionDenied(_("Only the responsible person or the unit's leader may update this task."))
    note = (note or "").strip()
    cleaned = _clean_files(files)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if task.status == Status.DONE and status != Status.DONE:
        raise ValidationError({"status": _("This task is done; reopen it (with a reason) to change it.")})
    has_children = task.has_children()
    if has_children and progress is not None and progress != task.progress and status != Status.DONE:
        raise ValidationError({"progress": _("This task's progress is worked out from its items.")})
    if has_children and status == Status.DONE and task.children.exclude(status=Status.DONE).exists():
        raise ValidationError({"status": _("Finish every item of this task before marking it done.")})
    if status == Status.DONE and not note and not cleaned:
        raise ValidationError({"note": _("Say what was done, or attach evidence, to mark the task done.")})
    if status == Status.BLOCKED and not note:
        raise ValidationError({"note": _("Give the reason the task is blocked.")})
    progress = task.progress if progress is None else int(progress)
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is between 0 and 100 %.")})
    status, progress = rules.normalised(status, progress)
    if status == task.status and progress == task.progress and not note and not cleaned:
        raise ValidationError(_("Nothing changed: change the status or progress, or add a note or evidence."))
    before_status, before_progress = task.status, task.progress
    rules.set_status(task, status, progress, at=timezone.now())
    changed = status != before_status or progress != before_progress
    update = _record(
        task, by=by, kind=Kind.STATUS if changed else Kind.NOTE, note=note,
        status_before=before_status, status_after=status,
        progress_before=before_progress, progress_after=progress,
    )
    for upload in cleaned:
        build_private_file(Attachment, upload, by=by, update=update)
    if changed and task.parent_id:
        _roll_up(task.parent_id, by=by)
    if status != before_status and by.pk != task.responsible_id:
        _notify(update)
    return update


@transaction.atomic
def task_assign(*, task: Task, by: User, responsible: User, note: str = "",
                expected_version: int | None) -> TaskUpdate:
    """Hand a task to another person of its unit; the wait for a first response starts again."""
    task = _locked(task, expected_version)
    if not rules.can_manage(by, task):
        raise PermissionDenied(_("Only the unit's leader may assign this task."))
    if responsible.pk == task.responsible_id:
        raise ValidationError({"responsible": _("%(person)s is already responsible for this task.") % {
            "person": responsible.display_name}})
    if not responsible.is_active:
        raise ValidationError({"responsible": _("This person's account is switched off.")})
    if responsible.unit is None or not responsible.unit.path.startswith(task.unit.path):
        raise ValidationError({"responsible": _("%(person)s does not belong to %(unit)s.") % {
            "person": responsible.display_name, "unit": task.unit.name}})
    before = task.responsible
    task.responsible = responsible
    task.assigned_at = timezone.now()
    task.first_response_at = None
    update = _record(task, by=by, kind=Kind.ASSIGN, note=(note or "").strip(),
                     assignee_before=before, assignee_after=responsible)
    _notify(update)
    return update


@transaction.atomic
def task_reopen(*, task: Task, by: User, note: str, expected_version: int | None) -> TaskUpdate:
    """Send a done task back to work, with the reason (DESIGN.md section 4)."""
    task = _locked(task, expected_version)
    if not rules.can_reopen(by, task):
        raise PermissionDenied(_("Only the unit's leader, a bureau leader or an inspector may reopen a task."))
    if task.status != Status.DONE:
        raise ValidationError({"status": _("Only a done task can be reopened.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give the reason for reopening the task.")})
    # A reopened leaf is not finished any more; a parent's progress stays its children's mean.
    progress = task.progress if task.children.exists() else 90
    rules.set_status(task, Status.IN_PROGRESS, progress, at=timezone.now())
    update = _record(task, by=by, kind=Kind.REOPEN, note=note, status_before=Status.DONE,
                     status_after=Status.IN_PROGRESS, progress_before=100, progress_after=progress)
    if task.parent_id:
        _roll_up(task.parent_id, by=by)
    return update


EDITABLE_FIELDS = ("content", "criteria", "deadline", "supervisor", "unit", "responsible")


@transaction.atomic
def task_edit(*, task: Task, by: User, expected_version: int | None, note: str = "",
              standards: Sequence[Standard] | None = None, **fields) -> TaskUpdate | None:
    """Change what a task says: text, deadline, supervisor, unit and person, standards.

    Changing the person here restarts the wait for a first response, as
    :func:`task_assign` does; it is how a task moves to another unit with its new owner.
    """
    task = _locked(task, expected_version)
    if not rules.can_manage(by, task):
        raise PermissionDenied(_("Only the unit's leader may edit this task."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"task_edit cannot change {sorted(unknown)}")
    if "unit" in fields and fields["unit"].pk != task.unit_id and not rules.can_create_in(by, fields["unit"]):
        raise PermissionDenied(_("You may not move tasks to %(unit)s.") % {"unit": fields["unit"].name})
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    old_standards = set(task.standards.values_list("pk", flat=True))
    if standards is not None:
        if any(s.framework_id != task.campaign.framework_id for s in standards):
            raise ValidationError({"standards": _("Standards must come from the campaign's evaluation framework.")})
        if {s.pk for s in standards} != old_standards:
            changed.append("standards")
    if not changed:
        return None
    children = list(task.children.values_list("deadline", flat=True))
    if children and "unit" in changed:
        raise ValidationError({"unit": _("This task has items in its unit; move or finish them first.")})
    if children and "deadline" in changed and max(children) > fields["deadline"]:
        raise ValidationError({"deadline": _("Some of this task's items are due later (%(d)s); change them first.")
                               % {"d": max(children).isoformat()}})
    before = task.responsible
    for name, value in fields.items():
        setattr(task, name, value)
    if task.parent_id is None and not children:
        task.level = task.derive_level()  # a top-level task moved between the bureau and a unit
    task.full_clean(exclude=["standards"])
    if task.responsible_id != before.pk:
        task.assigned_at, task.first_response_at = timezone.now(), None
    labels = ", ".join(str(_field_label(name)) for name in changed)
    summary = _("Changed: %(fields)s.") % {"fields": labels}
    update = _record(task, by=by, kind=Kind.EDIT, note=f"{summary} {note}".strip(),
                     assignee_before=before if task.responsible_id != before.pk else None,
                     assignee_after=task.responsible if task.responsible_id != before.pk else None)
    if standards is not None:
        task.standards.set(standards)
    return update


def _field_label(name: str) -> str:
    if name == "standards":
        return Task._meta.get_field("standards").verbose_name
    return Task._meta.get_field(name).verbose_name


def _roll_up(parent_id: int, *, by: User) -> None:
    """Recompute the parent from its children, write a roll-up row if it changed, and go up."""
    parent = _as_loaded(Task.objects.select_for_update().get(pk=parent_id))
    children = list(parent.children.order_by().values_list("status", "progress"))
    status, progress = rules.rolled_up(parent.status, parent.progress, children)
    if status == parent.status and progress == parent.progress:
        return
    before_status, before_progress = parent.status, parent.progress
    rules.set_status(parent, status, progress, at=timezone.now())
    _record(parent, by=by, kind=Kind.ROLLUP, status_before=before_status, status_after=status,
            progress_before=before_progress, progress_after=progress)
    if parent.parent_id:
        _roll_up(parent.parent_id, by=by)
