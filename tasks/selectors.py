"""Reads for the responsibility list. Every page and endpoint starts from :func:`tasks_visible_to`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.access import can_see_all_units, visible_unit_ids
from accounts.models import Unit, User
from campaign.models import Campaign, Standard
from tasks.models import Attachment, Task, TaskUpdate


def tasks_visible_to(user) -> QuerySet[Task]:
    """The one visibility rule: the tasks of the units the user may see, plus the user's own items.

    Leaders, admins and inspectors see every unit; a squad leader and a member
    see their squad's list (DESIGN.md section 6). Anything else answers 404.
    """
    if not (user and user.is_authenticated and user.is_active):
        return Task.objects.none()
    if can_see_all_units(user):
        return Task.objects.all()
    # Their units' lists, and any item assigned to them in a unit they do not belong to: "unit_id IN
    # (their units, from the cached unit tree) OR responsible = me", which PostgreSQL answers with two
    # indexes; "pk IN (… UNION …)" would hash the union and scan every task.
    return Task.objects.filter(Q(unit_id__in=visible_unit_ids(user)) | Q(responsible=user))


def is_visible(task: Task, user) -> bool:
    """:func:`tasks_visible_to` for one task in hand, without a query."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    units = visible_unit_ids(user)
    return units is None or task.unit_id in units or task.responsible_id == user.pk


def with_overdue(queryset: QuerySet[Task], on: datetime.date | None = None) -> QuerySet[Task]:
    """Annotate ``overdue`` and ``overdue_by`` (a duration) in SQL, so lists sort overdue first."""
    on = on or timezone.localdate()
    late = Q(deadline__lt=on) & ~Q(status=Task.Status.DONE)
    return queryset.annotate(
        overdue=Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()),
        overdue_by=Case(
            When(late, then=ExpressionWrapper(Value(on) - F("deadline"), output_field=DurationField())),
            default=None, output_field=DurationField(),
        ),
    )


def task_list(user, *, campaign: Campaign | None = None, on: datetime.date | None = None) -> QuerySet[Task]:
    """Visible tasks, overdue first (most overdue first), then by deadline, with what a list row shows."""
    qs = tasks_visible_to(user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return _with_row_data(with_overdue(qs, on)).order_by("-overdue", "deadline", "seq")


#: What a row of the list page shows (tasks/templatetags/task_rows.py), and nothing else.
ROW_FIELDS = ("seq", "level", "content", "deadline", "status", "progress", "parent_id", "unit_id", "responsible_id",
              "parent__seq", "unit__name", "unit__short_name", "responsible__username", "responsible__first_name",
              "responsible__last_name", "responsible__full_name")


def task_rows(user, *, campaign: Campaign, on: datetime.date | None = None) -> QuerySet[Task]:
    """:func:`task_list` with only the columns the list page's rows show.

    A row needs a tenth of the columns of a task and the three rows joined to it (no supervisor, no
    password hashes): PostgreSQL plans, sends and Django builds that much less, 25 times a page.
    """
    return task_list(user, campaign=campaign, on=on).select_related(None).select_related(
        "unit", "responsible", "parent").only(*ROW_FIELDS)


def _with_row_data(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.select_related("unit", "responsible", "supervisor", "parent").prefetch_related(
        Prefetch("standards", queryset=Standard.objects.only("id", "code", "content_id")))


def standards_to_filter_by(campaign: Campaign) -> QuerySet[Standard]:
    """The standards a list may be filtered by: the bureau's, and any other one a task of the campaign is under.

    "Has a task" is an EXISTS per standard (a few dozen), not a join through every task's standards made
    DISTINCT: the join read and sorted all of them (thousands in a city) to keep a few dozen rows.
    """
    in_use = Task.standards.through.objects.filter(standard=OuterRef("pk"), task__campaign=campaign)
    return (Standard.objects.filter(Q(bureau_scope=True) | Exists(in_use), framework=campaign.framework_id)
            .order_by("content__sort_order", "number").only("code", "text"))


def task_detail(user, pk: int) -> Task:
    """One visible task, with its unit and breadcrumb parents; raises Task.DoesNotExist otherwise.

    Only the row: its page reads its standards, items and history itself; the forms that post to it need
    no more.
    """
    return _visible_by_key(user, pk, "unit", "parent__parent")


def task_to_change(user, pk: int) -> Task:
    """A visible task a form posts to (the service locks and reads it again); raises Task.DoesNotExist."""
    return _visible_by_key(user, pk, "unit")


def _visible_by_key(user, pk: int, *related: str) -> Task:
    """Read by its key and checked with :func:`is_visible`: the same rule as :func:`tasks_visible_to`,
    without building and planning it for one row."""
    task = Task.objects.select_related(*related).get(pk=pk)
    if not is_visible(task, user):
        raise Task.DoesNotExist
    return mark_overdue(task)


def mark_overdue(task: Task, on: datetime.date | None = None) -> Task:
    """What :func:`with_overdue` annotates, for one task in hand (no CASE to build and compile)."""
    on = on or timezone.localdate()
    task.overdue = task.is_overdue(on)
    task.overdue_by = on - task.deadline if task.overdue else None
    return task


def children_of(task: Task) -> QuerySet[Task]:
    return with_overdue(task.children.select_related("unit", "responsible")).order_by("seq")


def task_history() -> QuerySet[TaskUpdate]:
    return TaskUpdate.objects.select_related("by", "assignee_before", "assignee_after").prefetch_related(
        "attachments").order_by("-at", "-pk")


def attachment_for(user, pk: int) -> Attachment:
    """An evidence file whose task the user may see; raises Attachment.DoesNotExist otherwise."""
    return Attachment.objects.select_related("update").get(pk=pk, update__task__in=tasks_visible_to(user))


def assignable_people(task: Task) -> QuerySet[User]:
    """Who a task may be given to: the active people of its unit and the units under it."""
    return User.objects.filter(unit__path__startswith=task.unit.path, is_active=True).select_related("unit")


def parent_chain(task: Task, user) -> list[Task]:
    """The task's ancestors the user may see, top first (for the breadcrumb)."""
    chain, node = [], task.parent
    while node is not None:  # at most two levels up
        chain.append(node)
        node = node.parent
    return [n for n in reversed(chain) if is_visible(n, user)]


@dataclass(slots=True)
class CoverageTask:
    """One task under a standard on the coverage page: the values its line shows, without a model instance.

    At the scale of a city (thousands of tasks under the bureau's standards) building a Task, its unit and its
    person for each line cost more than everything else on the page.
    """

    pk: int
    seq: int
    content: str
    status: str
    overdue_days: int | None  # None unless it is overdue (what ``with_overdue`` calls ``overdue_by``)
    unit: str  # the unit's label
    responsible: str  # the person's display name


def coverage(campaign: Campaign, on: datetime.date | None = None) -> list[Standard]:
    """Every standard the bureau answers for, with this campaign's tasks and people on it.

    Four queries whatever the number of tasks: the standards, one row per (standard, task) pair with the
    task's own columns (no model instances: thousands of them cost more than the rest of the page), the unit
    labels and the names of the people those rows name. Each standard gets ``campaign_tasks``, a list of
    :class:`CoverageTask` by task number; an empty list means nobody owns it.
    """
    on = on or timezone.localdate()
    standards = list(Standard.objects.filter(framework=campaign.framework_id, bureau_scope=True)
                     .select_related("content").order_by("content__sort_order", "number"))
    rows = list(Task.standards.through.objects.filter(standard__in=standards, task__campaign=campaign)
                .order_by("standard_id", "task__seq")
                .values_list("standard_id", "task_id", "task__seq", "task__content", "task__status",
                             "task__deadline", "task__unit_id", "task__responsible_id"))
    # Every unit (a few hundred at most) is cheaper to read than to pick by a long IN list.
    units = {unit.pk: unit.label for unit in Unit.objects.order_by().only("name", "short_name")}
    people = {person.pk: person.display_name for person in User.objects.filter(pk__in={row[7] for row in rows})
              .order_by().only("full_name", "first_name", "last_name", "username")}
    lines: dict[int, list[CoverageTask]] = {standard.pk: [] for standard in standards}
    done = Task.Status.DONE.value
    for standard_id, pk, seq, content, status, deadline, unit_id, responsible_id in rows:
        late = (on - deadline).days if deadline < on and status != done else None
        lines[standard_id].append(CoverageTask(pk, seq, content, status, late, units[unit_id], people[responsible_id]))
    for standard in standards:
        standard.campaign_tasks = lines[standard.pk]
    return standards
