"""The bulletin's figures, computed in the database with grouped, filtered aggregates.

Everything is "as of the end of the week": a task is due when its deadline is
on or before the week's last day, done when it was done before the week ended,
and so on; the week's own activity (new findings, rebounds) counts findings
reported inside the week. Rates follow the city-management formulas in
``campaign/data/urban_management_cases.yaml``:

* 按期整改率 = findings rectified on time / findings due (deadline passed);
* 返工率 = reworks / findings closed;
* task completion = leaf tasks done / leaf tasks due; on time = done by the deadline / due.

Rows are grouped per squad in SQL: each task's or finding's unit is mapped to
its squad with a CASE expression, so one query per table answers every squad,
whatever the number of rows. A rate whose denominator is 0 counts as 100 %:
nothing was due, so nothing was missed.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Unit
from campaign.models import Campaign
from inspections.models import Finding
from tasks.models import Task

OPEN = (Finding.Status.DISPATCHED, Finding.Status.RETURNED)
RECTIFIED = (Finding.Status.RECTIFIED, Finding.Status.CLOSED)
#: The two hand-overs of the pressure gauge: bureau → squad leader (unit tasks), squad leader → member.
GAUGE_LEVELS = {"bureau_to_squad": Task.Level.UNIT, "squad_to_member": Task.Level.PERSONAL}


@dataclass(frozen=True)
class Week:
    campaign: Campaign
    start: datetime.date
    end: datetime.date

    @classmethod
    def iso(cls, campaign: Campaign, iso_year: int, iso_week: int) -> Week:
        start = datetime.date.fromisocalendar(iso_year, iso_week, 1)
        return cls(campaign, start, start + datetime.timedelta(days=6))

    @property
    def end_dt(self) -> datetime.datetime:
        """The first instant after the week, in the campaign's time zone."""
        tz = timezone.get_default_timezone()
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)

    @property
    def start_dt(self) -> datetime.datetime:
        tz = timezone.get_default_timezone()
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=tz)


def rate(numerator: int | float, denominator: int | float) -> float:
    return 1.0 if not denominator else min(1.0, numerator / denominator)


class SquadGroups:
    """The squads, and CASE expressions mapping a unit id to its squad's id, from ONE query over the units.

    A bulletin groups tasks (by ``unit_id``) and findings (by ``responsible_unit_id``) the same way;
    the unit tree is read once for both.
    """

    def __init__(self):
        units = list(Unit.objects.order_by("sort_order", "code"))
        self.squads = [u for u in units if u.kind == Unit.Kind.SQUAD]
        self.members: dict[int, list[int]] = {
            squad.pk: [u.pk for u in units if u.path.startswith(squad.path)] for squad in self.squads}

    def case(self, field: str) -> Case:
        """``field`` (a unit id) → its squad's id; NULL outside every squad."""
        whens = [When(**{f"{field}__in": ids}, then=Value(pk)) for pk, ids in self.members.items() if ids]
        return Case(*whens, default=Value(None), output_field=IntegerField())


def leaf_tasks(campaign: Campaign) -> QuerySet[Task]:
    """Tasks nobody split further: counting parents too would count the same work twice."""
    return Task.objects.filter(campaign=campaign).filter(~Exists(Task.objects.filter(parent=OuterRef("pk"))))


def task_aggregates(week: Week) -> dict:
    end, end_dt = week.end, week.end_dt
    due = Q(deadline__lte=end)
    done_by_end = Q(done_at__lt=end_dt)
    idle_since = end_dt - datetime.timedelta(days=week.campaign.idle_days)
    return {
        "tasks_total": Count("pk", filter=Q(created_at__lt=end_dt)),
        "tasks_due": Count("pk", filter=due),
        "tasks_done": Count("pk", filter=due & done_by_end),
        "tasks_done_on_time": Count("pk", filter=due & done_by_end & Q(done_at__date__lte=F("deadline"))),
        "tasks_overdue": Count("pk", filter=due & ~done_by_end),
        "tasks_idle": Count("pk", filter=Q(created_at__lt=end_dt) & ~done_by_end
                            & Q(last_activity_at__lt=idle_since)),
        "progress_avg": Avg("progress", filter=Q(created_at__lt=end_dt)),
    }


def finding_aggregates(week: Week) -> dict:
    start_dt, end_dt = week.start_dt, week.end_dt
    in_week = Q(reported_at__gte=start_dt, reported_at__lt=end_dt)
    due = Q(reported_at__lt=end_dt, deadline__lt=end_dt)
    closed = Q(closed_at__lt=end_dt)
    return {
        "findings_tier1": Count("pk", filter=in_week & Q(tier=1)),
        "findings_tier2": Count("pk", filter=in_week & Q(tier=2)),
        "findings_tier3": Count("pk", filter=in_week & Q(tier=3)),
        "findings_total": Count("pk", filter=Q(reported_at__lt=end_dt)),
        "findings_due": Count("pk", filter=due),
        "rectified_on_time": Count("pk", filter=due & Q(status__in=RECTIFIED, rectified_at__lt=end_dt,
                                                        rectified_at__lte=F("deadline"))),
        "findings_closed": Count("pk", filter=closed),
        "reworks": Sum("rework_count", filter=closed, default=0),
        "rebounds_week": Count("pk", filter=in_week & Q(is_rebound=True)),
        "rebounds_total": Count("pk", filter=Q(reported_at__lt=end_dt, is_rebound=True)),
        "open_past_deadline": Count("pk", filter=Q(reported_at__lt=end_dt, status__in=OPEN, deadline__lt=end_dt)),
    }


class Median(Aggregate):
    """PostgreSQL's ordered-set median; works on intervals as well as numbers."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def gauge(week: Week, group: Case | None = None) -> dict:
    """Median wait from assignment to first response, per hand-over level (and per squad with ``group``).

    Returns {level: {group_key: {"median_hours", "responded", "waiting"}}}. On
    PostgreSQL the median is an aggregate; SQLite (the demo database) has none,
    so there the answered waits are fetched and the median taken in Python.
    """
    end_dt = week.end_dt
    wait = F("first_response_at") - F("assigned_at")
    result: dict[str, dict] = {}
    for name, level in GAUGE_LEVELS.items():
        qs = Task.objects.filter(campaign=week.campaign, level=level, assigned_at__lt=end_dt)
        if group is not None:
            qs = qs.annotate(g=group)
        key = "g" if group is not None else None
        answered = Q(first_response_at__isnull=False, first_response_at__lt=end_dt)
        counting = {"responded": Count("pk", filter=answered),
                    "waiting": Count("pk", filter=~answered & ~Q(done_at__lt=end_dt))}
        counts = (qs.values(key).annotate(**counting).order_by() if key
                  else [{**qs.aggregate(**counting), "g": "all"}])
        rows = {row["g"]: {"responded": row["responded"], "waiting": row["waiting"], "median_hours": None}
                for row in counts}
        for group_key, median in _medians(qs.filter(answered), key, wait).items():
            rows.setdefault(group_key, {"responded": 0, "waiting": 0})["median_hours"] = median
        result[name] = rows
    return result


def _medians(qs: QuerySet, key: str | None, wait) -> dict:
    if connection.vendor == "postgresql":
        median = Median(wait, output_field=DurationField())
        if key is None:
            return {"all": _hours(qs.aggregate(m=median)["m"])}
        return {row[key]: _hours(row["m"]) for row in qs.values(key).annotate(m=median).order_by()}
    waits: dict = {}
    for group_key, value in qs.annotate(w=wait).values_list(key or "pk", "w"):
        waits.setdefault(group_key if key else "all", []).append(value.total_seconds())
    return {k: round(statistics.median(v) / 3600, 1) for k, v in waits.items()}


def _hours(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def unit_table(week: Week) -> list[dict]:
    """One row per squad with every indicator, the composite score and the rank; queries do not grow with rows."""
    campaign = week.campaign
    groups = SquadGroups()
    squads, task_group, finding_group = groups.squads, groups.case("unit_id"), groups.case("responsible_unit_id")
    tasks = {r["g"]: r for r in leaf_tasks(campaign).annotate(g=task_group).values("g")
             .annotate(**task_aggregates(week)).order_by()}
    findings = {r["g"]: r for r in Finding.objects.filter(campaign=campaign).annotate(g=finding_group)
                .values("g").annotate(**finding_aggregates(week)).order_by()}
    gauges = gauge(week, task_group)
    rows = []
    for order, squad in enumerate(squads):
        row = {"unit_id": squad.pk, "unit": squad.name, "unit_short": squad.label, "order": order}
        row.update(_blank(task_aggregates(week)) | _strip(tasks.get(squad.pk, {})))
        row.update(_blank(finding_aggregates(week)) | _strip(findings.get(squad.pk, {})))
        for level, by_group in gauges.items():
            g = by_group.get(squad.pk, {})
            row[f"{level}_median_hours"] = g.get("median_hours")
            row[f"{level}_waiting"] = g.get("waiting", 0)
        rows.append(score_row(row, campaign))
    return rank(rows)


def overall(week: Week, *, with_gauge: bool = True) -> dict:
    """The whole campaign's figures for the week, without grouping."""
    row = _blank(task_aggregates(week)) | _strip(leaf_tasks(week.campaign).aggregate(**task_aggregates(week)))
    row |= _strip(Finding.objects.filter(campaign=week.campaign).aggregate(**finding_aggregates(week)))
    for level, by_group in (gauge(week) if with_gauge else {}).items():
        g = by_group.get("all", {})
        row[f"{level}_median_hours"] = g.get("median_hours")
        row[f"{level}_waiting"] = g.get("waiting", 0)
    return score_row(row, week.campaign)


def _blank(aggregates: dict) -> dict:
    return dict.fromkeys(aggregates, 0)


def _strip(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k != "g"}
    if out.get("progress_avg") is not None:
        out["progress_avg"] = round(float(out["progress_avg"]), 1)
    return out


def score_row(row: dict, campaign: Campaign) -> dict:
    rates = {
        "task_completion": rate(row["tasks_done"], row["tasks_due"]),
        "task_on_time": rate(row["tasks_done_on_time"], row["tasks_due"]),
        "rectification_on_time": rate(row["rectified_on_time"], row["findings_due"]),
        "rework": 1 - rate(row["reworks"] or 0, row["findings_closed"]) if row["findings_closed"] else 1.0,
        "rebound": 1 - rate(row["rebounds_total"], row["findings_total"]) if row["findings_total"] else 1.0,
    }
    weights = campaign.weights
    row["rates"] = {k: round(v * 100, 1) for k, v in rates.items()}
    row["rework_rate"] = round(100 - row["rates"]["rework"], 1)
    row["on_time_rectification_rate"] = row["rates"]["rectification_on_time"]
    row["score"] = round(sum(weights[k] * v for k, v in rates.items()), 1)
    return row


def rank(rows: list[dict]) -> list[dict]:
    """Competition ranking (1, 2, 2, 4) by score, best first."""
    ordered = sorted(rows, key=lambda r: (-r["score"], r.get("order", 0), r["unit"]))
    previous_score, previous_rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row["score"] != previous_score:
            previous_rank, previous_score = position, row["score"]
        row["rank"] = previous_rank
    return ordered
