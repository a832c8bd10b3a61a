"""The pressure thermometer (上热中温下冷): how fast each level of the chain acts on what it is handed.

Three levels, as the bureau's diagnosis names them: the bureau's own tasks (leaders), the squads (unit tasks
handed to squad leaders and findings dispatched to their units) and the members (personal items). For each,
the median time from hand-off to first action, how many are still waiting for one, and how many have had no
action for the campaign's idle days (the items a leader presses on, linked from every figure).

A hand-off's clock starts when it reached its people: for a finding, the first push of its dispatch that got
through (robot, SMS or email), else the dispatch itself (no channel, or none got through); so the gauge shows
whether pushes shorten the wait. A task's assignment is pushed in the same commit that makes it, so its clock
starts at the assignment.

The rows are read once per table (a few columns each) and folded here: a median does not add up across
units, and grouping by squad, by person or not at all is then the same fold.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from campaign.models import Campaign
from inspections.models import Finding
from reports.indicators import SquadGroups
from reports.models import Delivery
from tasks.models import Task

#: (level, the task level whose items it holds), from the top of the chain down.
LEVELS = (("bureau", Task.Level.BUREAU), ("squad", Task.Level.UNIT), ("member", Task.Level.PERSONAL))

#: Median hours to a first action, and the temperature it reads as. Within a working day the pressure has
#: arrived (热); within a day it is warm; within three days cooling; beyond that the level is cold (冷).
TEMPERATURES = ((8, "hot"), (24, "warm"), (72, "cool"))


def temperature(median_hours: float | None) -> str:
    if median_hours is None:
        return "none"
    return next((name for bound, name in TEMPERATURES if median_hours <= bound), "cold")


@dataclass
class _Tally:
    waits: list[float] = field(default_factory=list)
    waiting: int = 0
    idle_tasks: int = 0
    idle_findings: int = 0

    def figures(self) -> dict:
        median = round(statistics.median(self.waits) / 3600, 1) if self.waits else None
        return {"median_hours": median, "answered": len(self.waits), "waiting": self.waiting,
                "idle": self.idle_tasks + self.idle_findings, "idle_tasks": self.idle_tasks,
                "idle_findings": self.idle_findings, "temperature": temperature(median)}


def thermometer(campaign: Campaign, *, end: datetime.datetime, by: str | None = None) -> dict:
    """{level: {key: figures}} as of ``end``: :func:`thermometers` for one grouping."""
    return thermometers(campaign, end=end, by=(by or "all",))[by or "all"]


def thermometers(campaign: Campaign, *, end: datetime.datetime, by=("all",)) -> dict:
    """{grouping: {level: {key: figures}}} as of ``end``, from one read of the rows whatever the groupings.

    A grouping is "all" (the key is "all"), "squad" (a squad's id) or "person" (a person's id; tasks only: a
    finding is its unit's, not one person's). figures = {"median_hours", "answered", "waiting", "idle" (and
    its "idle_tasks" and "idle_findings"), "temperature"}.
    """
    idle_before = end - datetime.timedelta(days=campaign.idle_days)
    squad_of = SquadGroups().squad_of if "squad" in by else {}
    keys = {"all": lambda unit_id, person_id: "all", "squad": lambda unit_id, person_id: squad_of.get(unit_id),
            "person": lambda unit_id, person_id: person_id}
    tallies = {grouping: {level: {} for level, _task_level in LEVELS} for grouping in by}
    level_of = {task_level: level for level, task_level in LEVELS}

    def tallies_of(level: str, unit_id, person_id):
        for grouping in by:
            key = keys[grouping](unit_id, person_id)
            if key is not None:
                yield tallies[grouping][level].setdefault(key, _Tally())

    tasks = (Task.objects.filter(campaign=campaign, assigned_at__lt=end)
             .values_list("level", "unit_id", "responsible_id", "assigned_at", "first_response_at", "done_at",
                          "last_activity_at").order_by())
    for level, unit_id, person_id, assigned, answered, done, active in tasks.iterator(chunk_size=5000):
        open_at_end = done is None or done >= end
        for tally in tallies_of(level_of[level], unit_id, person_id):
            if answered is not None and answered < end:
                tally.waits.append(max(0.0, (answered - assigned).total_seconds()))
            elif open_at_end:
                tally.waiting += 1
            if open_at_end and active < idle_before:
                tally.idle_tasks += 1
    if set(by) - {"person"}:
        for unit_id, dispatched, reached, rectified in reached_findings(campaign, end):
            for tally in tallies_of("squad", unit_id, None):
                if rectified is not None and rectified < end:
                    tally.waits.append(max(0.0, (rectified - reached).total_seconds()))
                else:
                    tally.waiting += 1
                    if dispatched < idle_before:  # as the findings list's "idle" filter counts them
                        tally.idle_findings += 1
    return {grouping: {level: {key: tally.figures() for key, tally in by_key.items()}
                       for level, by_key in levels.items()} for grouping, levels in tallies.items()}


def reached_findings(campaign: Campaign, end: datetime.datetime):
    """(unit, dispatched, when the dispatch reached the unit, first rectified) of the findings dispatched
    before ``end``, as a generator.

    The deliveries of a dispatch are keyed ``finding:<id>:dispatched`` (a robot's) or that key and ``@day``
    (a person's), a re-dispatch's ``finding:<id>:dispatched:<moment>``: they are read once, in one query,
    and per finding the first that got through of its latest dispatch is taken, so the rightful unit's
    clock starts at its own dispatch. A finding sent back and not yet re-dispatched waits on nobody below.
    """
    start = datetime.datetime.combine(campaign.start_date, datetime.time(), tzinfo=timezone.get_default_timezone())
    first_push: dict[int, tuple[str, datetime.datetime]] = {}
    pushes = (Delivery.objects.filter(status=Delivery.Status.SENT, created_at__gte=start, sent_at__lt=end,
                                      key__startswith="finding:", key__contains=":dispatched")
              .values_list("key", "sent_at").order_by())
    for key, sent in pushes.iterator(chunk_size=5000):
        _finding, pk, rest = key.split(":", 2)
        dispatch = rest.split("@", 1)[0].partition(":")[2]  # "" for the first, its moment for a re-dispatch
        known = first_push.get(int(pk))
        if known is None or (dispatch, -sent.timestamp()) > (known[0], -known[1].timestamp()):
            first_push[int(pk)] = (dispatch, sent)
    rows = (Finding.objects.filter(campaign=campaign, dispatched_at__lt=end)
            .exclude(status__in=(Finding.Status.SENT_BACK, Finding.Status.WITHDRAWN))
            .values_list("pk", "responsible_unit_id", "dispatched_at", "first_rectified_at").order_by())
    for pk, unit_id, dispatched, rectified in rows.iterator(chunk_size=5000):
        reached = first_push.get(pk, ("", dispatched))[1]
        yield unit_id, dispatched, max(reached, dispatched), rectified  # an earlier dispatch's push is not this one


def overall(figures: dict) -> list[dict]:
    """The three levels of a thermometer's "all" figures, top down, each with its level name, for templates."""
    empty = _Tally().figures()
    return [{"level": level, "task_level": str(task_level), **figures.get(level, {}).get("all", empty)}
            for level, task_level in LEVELS]


@dataclass(frozen=True)
class Board:
    """The leader's pressure page: the thermometer, each squad's levels, each person's, worst first."""

    levels: list[dict]
    squads: list[dict]
    people: list[dict]


def board(campaign: Campaign, *, now: datetime.datetime) -> Board:
    """Three reads of the rows (tasks, findings, their pushes), one of the units, one of the people named: the
    same whatever the district."""
    figures = thermometers(campaign, end=now, by=("all", "squad", "person"))
    empty = _Tally().figures()
    squads = [{"unit": squad, **{level: figures["squad"][level].get(squad.pk, empty)
                                 for level in ("squad", "member")}}
              for squad in SquadGroups().squads]
    task_level = {level: str(value) for level, value in LEVELS}
    rows = [{"person_id": pk, "level": level, "task_level": task_level[level], **tally}
            for level, by_person in figures["person"].items() for pk, tally in by_person.items()]
    named = User.objects.filter(pk__in={row["person_id"] for row in rows}).select_related("unit").only(
        "username", "full_name", "first_name", "last_name", "unit__name", "unit__short_name")
    people = {person.pk: person for person in named}
    for row in rows:
        row["person"] = people.get(row["person_id"])
    rows.sort(key=lambda r: (-r["idle"], -(r["median_hours"] if r["median_hours"] is not None else -1),
                             -r["waiting"], r["person_id"]))
    return Board(levels=overall(figures["all"]), squads=squads, people=[r for r in rows if r["person"]])
