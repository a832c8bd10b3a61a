"""The benchmark district's responsibility list and its history, built in bulk as the services would leave it.

``campaign.large`` builds the district and runs this step (registered in ``TasksConfig.ready``).
Bulk inserts skip ``save()`` and the services, so this module applies the services' own rules
(``tasks.rules``) to the rows it builds:

* a task's level comes from ``Task.derive_level``; seq is 1…N in the campaign; a child's
  deadline never passes its parent's;
* each history starts with the service's creation row (``creation``, version 1), and every
  later row moves the task as the services do (``record_change``, ``normalised``,
  ``set_status``): versions run 1…n, ``done_at`` is set iff the task is done,
  ``first_response_at`` is the responsible person's first answer, ``last_activity_at`` and
  ``updated_at`` the last row;
* a parent's roll-up rows come from replaying its children's histories through the roll-up
  rule (``rolled_up``): each is the parent's state at the moment a child changed, and the
  last is its children's final state rolled up. A busy parent keeps only some of the roll-up
  rows the services would have written (the plan fixes the number of history rows), never
  a state they would not have reached.

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
from tasks import rules
from tasks.models import Task, TaskUpdate

S = Task.Status
K = TaskUpdate.Kind


def seed_large(built: Built) -> None:
    """The responsibility list of the large district: bureau tasks split to every squad, personal items below."""
    rng, now = built.rng, built.now
    bureau, units, personal = _tree(built)
    parents = bureau + units
    per_task = _update_counts(built.plan, rng, parents=len(parents))
    # Histories first (they decide status and timestamps), then insert; a parent's follows its children's.
    histories: dict[int, list[TaskUpdate]] = {}
    for row, n in zip(personal, per_task[len(parents):], strict=True):
        histories[id(row)] = _leaf_history(row, n, rng, now)
    Task.objects.bulk_create(personal, batch_size=bulk.BATCH)
    children: dict[int, list[Task]] = defaultdict(list)
    for row in personal + units:
        children[row.parent_id].append(row)
    for row, n in zip(units + bureau, per_task[len(bureau):len(parents)] + per_task[:len(bureau)], strict=True):
        histories[id(row)] = _parent_history(row, [histories[id(c)] for c in children[row.pk]], n, rng)
    Task.objects.bulk_update(parents, [
        "status", "progress", "version", "updated_at", "first_response_at", "done_at", "last_activity_at"],
        batch_size=bulk.UPDATE_BATCH)
    updates = [u for rows in histories.values() for u in rows]
    for u in updates:
        u.task_id = u.task.pk
    bulk.insert(TaskUpdate, updates)
    _link_standards(built, parents)
    built.counts.update(tasks=len(parents) + len(personal), task_updates=len(updates))


def _tree(built: Built) -> tuple[list[Task], list[Task], list[Task]]:
    """Bureau tasks, each split to every squad, and personal items under the squads' tasks (those not yet saved)."""
    plan, campaign, squads, people, rng = built.plan, built.campaign, built.squads, built.people, built.rng
    start_dt = datetime.datetime.combine(campaign.start_date, datetime.time(9), tzinfo=built.now.tzinfo)
    n_bureau = plan.bureau_tasks
    n_unit = min(n_bureau * len(squads), plan.tasks - n_bureau)
    seq = iter(range(1, plan.tasks + 1))

    def task(parent, unit, responsible, content, deadline, created_at):
        row = Task(campaign=campaign, parent=parent, unit=unit, responsible=responsible, created_by=people["admin"][0],
                   seq=next(seq), content=content, criteria="按测评标准完成整治，现场无反弹", deadline=deadline,
                   created_at=created_at, assigned_at=created_at, updated_at=created_at,
                   last_activity_at=created_at, supervisor=people["leaders"][0] if parent is None else None)
        row.level = row.derive_level()
        return row

    days = (campaign.end_date - campaign.start_date).days
    bureau = [task(None, built.bureau, people["leaders"][b % 2], f"局级责任事项{b + 1}：重点区域市容整治",
                   campaign.start_date + datetime.timedelta(days=rng.randint(40, days)),
                   start_dt + datetime.timedelta(days=rng.uniform(0, 10)))
              for b in range(n_bureau)]
    Task.objects.bulk_create(bureau, batch_size=bulk.BATCH)
    units = []
    for u in range(n_unit):
        parent, squad = bureau[u % n_bureau], squads[u // n_bureau % len(squads)]
        deadline = max(campaign.start_date, parent.deadline - datetime.timedelta(days=rng.randint(0, 5)))
        created = parent.created_at + datetime.timedelta(days=rng.uniform(0, 3))
        units.append(task(parent, squad, people[f"leader:{squad.pk}"][0], f"{squad.name}：{parent.content[:20]}",
                          deadline, created))
    Task.objects.bulk_create(units, batch_size=bulk.BATCH)
    personal = []
    for p in range(plan.tasks - n_bureau - n_unit):
        parent = units[p % n_unit]
        members = people[f"members:{parent.unit_id}"]
        deadline = max(campaign.start_date, parent.deadline - datetime.timedelta(days=rng.randint(0, 6)))
        created = parent.created_at + datetime.timedelta(days=rng.uniform(0, 5))
        personal.append(task(parent, parent.unit, members[p % len(members)], f"个人事项{p + 1}：责任路段巡查整改",
                             deadline, created))
    return bureau, units, personal


def _link_standards(built: Built, tasks: list[Task]) -> None:
    standards = list(Standard.objects.filter(framework=built.campaign.framework_id, bureau_scope=True)
                     .values_list("pk", flat=True))
    if standards:
        through = Task.standards.through
        through.objects.bulk_create([through(task_id=t.pk, standard_id=standards[i % len(standards)])
                                     for i, t in enumerate(tasks)], batch_size=bulk.BATCH)


def _update_counts(plan: Plan, rng: random.Random, *, parents: int) -> list[int]:
    """How many history rows each task gets: exactly ``plan.updates`` in all, at least one (the creation) each.

    The first ``parents`` tasks keep at least two: a parent whose items moved has at least one roll-up row.
    """
    base, extra = divmod(plan.updates, plan.tasks)
    counts = [base + (1 if i < extra else 0) for i in range(plan.tasks)]
    for _ in range(plan.tasks // 2):  # some busier, some quieter, same total
        a, b = rng.randrange(plan.tasks), rng.randrange(plan.tasks)
        if counts[a] > (2 if a < parents else 1):
            counts[a] -= 1
            counts[b] += 1
    return counts


def _between(rng: random.Random, a: datetime.datetime, b: datetime.datetime) -> datetime.datetime:
    if b <= a:
        return a
    return a + (b - a) * rng.random()


def _history_times(rng, task: Task, n: int, now: datetime.datetime) -> list[datetime.datetime]:
    end = min(now - datetime.timedelta(minutes=5),
              datetime.datetime.combine(task.deadline, datetime.time(18), tzinfo=now.tzinfo)
              + datetime.timedelta(days=7))
    end = max(end, task.created_at)
    return sorted(_between(rng, task.created_at, end) for _ in range(n))


def _start(task: Task) -> list[TaskUpdate]:
    task.status, task.progress, task.version, task.done_at, task.first_response_at = S.NOT_STARTED, 0, 1, None, None
    return [rules.creation(task, by_id=task.created_by_id, at=task.created_at)]


def _apply(task: Task, row: TaskUpdate) -> TaskUpdate:
    """Move ``task`` to the state after ``row``, as the services do when they write it."""
    rules.record_change(task, by_id=row.by_id, kind=row.kind, at=row.at)
    row.version = task.version
    if row.status_after:
        rules.set_status(task, row.status_after, row.progress_after, at=row.at)
    return row


def _leaf_history(task: Task, n: int, rng: random.Random, now: datetime.datetime) -> list[TaskUpdate]:
    rows = _start(task)
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
        status, progress = rules.normalised(final if k == moves else S.IN_PROGRESS,
                                            min(95, max(task.progress, round(90 * k / moves))))
        rows.append(_apply(task, TaskUpdate(
            task=task, kind=K.STATUS, by=task.responsible, at=at, status_before=task.status, status_after=status,
            progress_before=task.progress, progress_after=progress,
            note="已完成整治，现场照片附后" if status == S.DONE else ("待相关部门配合" if status == S.BLOCKED
                                                          else "按计划推进中"))))
    return rows


def _rollups(children: list[list[TaskUpdate]]) -> list[tuple[datetime.datetime, int, str, int]]:
    """The roll-ups the services would write for a parent: ``(at, by, status, progress)`` each time a child's
    change (its creation included) changes the parent's state, replayed from the children's histories."""
    changes = sorted((row.at, index, row.version, row.by_id, row.status_after, row.progress_after)
                     for index, rows in enumerate(children) for row in rows if row.status_after)
    state: dict[int, tuple[str, int]] = {}
    status, progress, found = S.NOT_STARTED, 0, []
    for at, index, _version, by_id, child_status, child_progress in changes:
        state[index] = (child_status, child_progress)
        after = rules.rolled_up(status, progress, list(state.values()))
        if after != (status, progress):
            status, progress = after
            found.append((at, by_id, status, progress))
    return found


def _parent_history(task: Task, children: list[list[TaskUpdate]], n: int, rng: random.Random) -> list[TaskUpdate]:
    """The roll-ups of the children's changes, the responsible person's acknowledgement, notes to fill the plan."""
    rows = _start(task)
    found = _rollups(children)
    # The last roll-up is the children's final state: always kept. The others, as many as the plan allows.
    keep = min(len(found), max(1, n - 2))
    kept = sorted(rng.sample(range(len(found) - 1), keep - 1)) + [len(found) - 1] if found else []
    later = [TaskUpdate(task=task, kind=K.ROLLUP, by_id=by_id, at=at, status_before="", status_after=status,
                        progress_after=progress) for at, by_id, status, progress in (found[i] for i in kept)]
    last = max((row.at for rows in children for row in rows), default=task.created_at)
    notes = (["已分解落实到人"] + ["跟踪督办"] * (n - 2 - len(later)))[:max(0, n - 1 - len(later))]
    times = sorted(_between(rng, task.created_at, last) for _ in notes)  # the acknowledgement first
    later += [TaskUpdate(task=task, kind=K.NOTE, by=task.responsible, at=at, note=note)
              for at, note in zip(times, notes, strict=True)]
    for row in sorted(later, key=lambda r: r.at):
        if row.kind == K.ROLLUP:
            row.status_before, row.progress_before = task.status, task.progress
        rows.append(_apply(task, row))
    return rows
