"""The benchmark district's responsibility list and its history, built in bulk as the services would leave it.

``campaign.large`` builds the district and runs this step (registered in ``TasksConfig.ready``).
Bulk inserts skip ``save()`` and the services, so this module keeps their invariants by construction:

* a task's level comes from ``Task.derive_level``; seq is 1…N in the campaign;
  a child's deadline never passes its parent's; a parent's status and progress
  are rolled up from its children as ``tasks.services._roll_up`` does;
* each task's history starts with its "create" row (version 1) and its
  versions run 1…n; ``done_at`` is set iff the task is done,
  ``first_response_at`` is the first status/note row by the responsible
  person, ``last_activity_at``/``updated_at`` the last row.

Task evidence files are not generated.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from campaign.core import bulk
from campaign.large.base import Built, Plan
from campaign.models import Standard
from tasks.models import Task, TaskUpdate

S = Task.Status
K = TaskUpdate.Kind


def _between(rng: random.Random, a: datetime.datetime, b: datetime.datetime) -> datetime.datetime:
    if b <= a:
        return a
    return a + (b - a) * rng.random()


def seed_large(built: Built) -> None:
    """The responsibility list of the large district: bureau tasks split to every squad, personal items below."""
    plan, campaign, squads, people, rng, now = (built.plan, built.campaign, built.squads, built.people, built.rng,
                                                built.now)
    admin = people["admin"][0]
    start_dt = datetime.datetime.combine(campaign.start_date, datetime.time(9), tzinfo=now.tzinfo)
    n_bureau = plan.bureau_tasks
    n_unit = min(n_bureau * len(squads), plan.tasks - n_bureau)
    n_personal = plan.tasks - n_bureau - n_unit
    seq = iter(range(1, plan.tasks + 1))
    standards = list(Standard.objects.filter(framework=campaign.framework_id, bureau_scope=True)
                     .values_list("pk", flat=True)) or [None]

    def task(parent, unit, responsible, content, deadline, created_at):
        row = Task(campaign=campaign, parent=parent, unit=unit, responsible=responsible, created_by=admin,
                   seq=next(seq), content=content, criteria="按测评标准完成整治，现场无反弹", deadline=deadline,
                   created_at=created_at, assigned_at=created_at, updated_at=created_at,
                   last_activity_at=created_at, supervisor=people["leaders"][0] if parent is None else None)
        row.level = row.derive_level()
        return row

    bureau_tasks = []
    for b in range(n_bureau):
        deadline = campaign.start_date + datetime.timedelta(days=rng.randint(40, (campaign.end_date
                                                                                  - campaign.start_date).days))
        created = start_dt + datetime.timedelta(days=rng.uniform(0, 10))
        bureau_tasks.append(task(None, built.bureau, people["leaders"][b % 2], f"局级责任事项{b + 1}：重点区域市容整治",
                                 deadline, created))
    Task.objects.bulk_create(bureau_tasks, batch_size=bulk.BATCH)
    unit_tasks = []
    for u in range(n_unit):
        parent, squad = bureau_tasks[u % n_bureau], squads[u // n_bureau % len(squads)]
        deadline = max(campaign.start_date, parent.deadline - datetime.timedelta(days=rng.randint(0, 5)))
        created = parent.created_at + datetime.timedelta(days=rng.uniform(0, 3))
        unit_tasks.append(task(parent, squad, people[f"leader:{squad.pk}"][0], f"{squad.name}：{parent.content[:20]}",
                               deadline, created))
    Task.objects.bulk_create(unit_tasks, batch_size=bulk.BATCH)
    personal = []
    for p in range(n_personal):
        parent = unit_tasks[p % n_unit]
        members = people[f"members:{parent.unit_id}"]
        deadline = max(campaign.start_date, parent.deadline - datetime.timedelta(days=rng.randint(0, 6)))
        created = parent.created_at + datetime.timedelta(days=rng.uniform(0, 5))
        personal.append(task(parent, parent.unit, members[p % len(members)], f"个人事项{p + 1}：责任路段巡查整改",
                             deadline, created))
    # Histories first (they decide status and timestamps), then insert.
    updates: list[TaskUpdate] = []
    per_task = _update_counts(plan, rng)
    for index, row in enumerate(personal):
        updates += _leaf_history(row, per_task[n_bureau + n_unit + index], rng, now)
    Task.objects.bulk_create(personal, batch_size=bulk.BATCH)
    children: dict[int, list[Task]] = defaultdict(list)
    for row in personal:
        children[row.parent_id].append(row)
    for index, row in enumerate(unit_tasks):
        updates += _parent_history(row, children[row.pk], per_task[n_bureau + index], rng, now)
        children[row.parent_id].append(row)
    for index, row in enumerate(bureau_tasks):
        updates += _parent_history(row, children[row.pk], per_task[index], rng, now)
    Task.objects.bulk_update(bureau_tasks + unit_tasks, [
        "status", "progress", "version", "updated_at", "first_response_at", "done_at", "last_activity_at"],
        batch_size=bulk.UPDATE_BATCH)
    for u in updates:
        u.task_id = u.task.pk
    bulk.insert(TaskUpdate, updates)
    tasks = bureau_tasks + unit_tasks + personal
    through = Task.standards.through
    if standards[0] is not None:
        links = [through(task_id=t.pk, standard_id=standards[i % len(standards)])
                 for i, t in enumerate(bureau_tasks + unit_tasks)]
        through.objects.bulk_create(links, batch_size=bulk.BATCH)
    built.counts.update(tasks=len(tasks), task_updates=len(updates))


def _update_counts(plan: Plan, rng: random.Random) -> list[int]:
    """How many history rows each task gets: exactly ``plan.updates`` in all, at least one (the creation) each."""
    base, extra = divmod(plan.updates, plan.tasks)
    counts = [base + (1 if i < extra else 0) for i in range(plan.tasks)]
    for _ in range(plan.tasks // 2):  # some busier, some quieter, same total
        a, b = rng.randrange(plan.tasks), rng.randrange(plan.tasks)
        if counts[a] > 1:
            counts[a] -= 1
            counts[b] += 1
    return counts


def _history_times(rng, task: Task, n: int, now: datetime.datetime) -> list[datetime.datetime]:
    end = min(now - datetime.timedelta(minutes=5),
              datetime.datetime.combine(task.deadline, datetime.time(18), tzinfo=now.tzinfo)
              + datetime.timedelta(days=7))
    end = max(end, task.created_at)
    return sorted(_between(rng, task.created_at, end) for _ in range(n))


def _create_row(task: Task) -> TaskUpdate:
    return TaskUpdate(task=task, kind=K.CREATE, by=task.created_by, at=task.created_at,
                      status_after=S.NOT_STARTED, progress_after=0, version=1, note="")


def _apply(task: Task, row: TaskUpdate) -> TaskUpdate:
    """Move ``task`` to the state after ``row``, the way ``tasks.services._record`` does."""
    task.version += 1
    row.version = task.version
    task.updated_at = task.last_activity_at = row.at
    if task.first_response_at is None and row.by_id == task.responsible_id and row.kind in (K.STATUS, K.NOTE):
        task.first_response_at = row.at
    if row.status_after:
        task.status = row.status_after
        task.progress = row.progress_after
        task.done_at = row.at if task.status == S.DONE else None
    return row


def _leaf_history(task: Task, n: int, rng: random.Random, now: datetime.datetime) -> list[TaskUpdate]:
    task.status, task.progress, task.version, task.done_at, task.first_response_at = S.NOT_STARTED, 0, 1, None, None
    rows = [_create_row(task)]
    moves = n - 1
    if moves == 0:
        return rows
    past_deadline = task.deadline < timezone.localdate(now)
    roll = rng.random()
    if roll < 0.08:
        final = None  # nobody answered: only the creator's notes (the pressure gauge's "no response")
    elif past_deadline:
        final = S.DONE if roll < 0.8 else (S.BLOCKED if roll < 0.85 else S.IN_PROGRESS)
    else:
        final = S.DONE if roll < 0.3 else (S.BLOCKED if roll < 0.35 else S.IN_PROGRESS)
    for k, at in enumerate(_history_times(rng, task, moves, now), start=1):
        if final is None:
            rows.append(_apply(task, TaskUpdate(task=task, kind=K.NOTE, by=task.created_by, at=at,
                                                note="请尽快反馈进展")))
            continue
        last = k == moves
        status = final if last else S.IN_PROGRESS
        progress = 100 if status == S.DONE else min(95, max(task.progress, round(90 * k / moves)))
        rows.append(_apply(task, TaskUpdate(
            task=task, kind=K.STATUS, by=task.responsible, at=at, status_before=task.status, status_after=status,
            progress_before=task.progress, progress_after=progress,
            note="已完成整治，现场照片附后" if status == S.DONE else ("待相关部门配合" if status == S.BLOCKED
                                                          else "按计划推进中"))))
    return rows


def _parent_history(task: Task, children: list[Task], n: int, rng: random.Random,
                    now: datetime.datetime) -> list[TaskUpdate]:
    """The responsible person acknowledges, then roll-ups bring the parent to its children's state."""
    task.status, task.progress, task.version, task.done_at, task.first_response_at = S.NOT_STARTED, 0, 1, None, None
    rows = [_create_row(task)]
    if n == 1:
        task.status, task.progress = S.NOT_STARTED, 0  # never touched: children may be ahead (no roll-up row yet)
        return rows
    target = round(sum(c.progress for c in children) / len(children)) if children else 0
    all_done = bool(children) and all(c.status == S.DONE for c in children)
    last_child = max((c.last_activity_at for c in children), default=task.created_at)
    times = sorted(_between(rng, task.created_at, max(task.created_at, last_child)) for _ in range(n - 1))
    rows.append(_apply(task, TaskUpdate(task=task, kind=K.NOTE, by=task.responsible, at=times[0],
                                        note="已分解落实到人")))
    for k, at in enumerate(times[1:], start=1):
        last = k == len(times) - 1
        status = S.DONE if (last and all_done) else S.IN_PROGRESS
        progress = 100 if status == S.DONE else (target if last else max(task.progress, target * k // len(times)))
        if status == task.status and progress == task.progress:
            rows.append(_apply(task, TaskUpdate(task=task, kind=K.NOTE, by=task.responsible, at=at, note="跟踪督办")))
            continue
        rows.append(_apply(task, TaskUpdate(
            task=task, kind=K.ROLLUP, by=children[0].responsible if children else task.responsible, at=at,
            status_before=task.status, status_after=status, progress_before=task.progress, progress_after=progress)))
    return rows
