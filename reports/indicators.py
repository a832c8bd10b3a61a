"""The bulletin's figures, computed in the database with grouped, filtered aggregates.

Everything is "as of the end of the week": a task is due when its deadline is
on or before the week's last day, done when it was done before the week ended,
and so on; the week's own activity (new findings, rebounds) counts findings
reported inside the week. Rates follow the city-management formulas in
``campaign/data/urban_management_cases.yaml``:

* 按期整改率 = findings rectified on time / findings due (deadline passed), judged against the deadline in
  force: an approved extension (延期) moves it;
* 返工率 = reworks / findings closed;
* 延期率 = findings due with an approved extension / findings due;
* 准确派遣率 = findings never re-dispatched to another unit / findings dispatched, per dispatching unit;
* task completion = leaf tasks done / leaf tasks due; on time = done by the deadline / due.

Rows are counted per unit in SQL and folded into squads in Python, so one
query per table answers every squad, whatever the number of rows. A rate whose denominator is 0 counts as 100 %:
nothing was due, so nothing was missed.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncWeek
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
    """The squads, and which squad each unit belongs to, from ONE query over the units.

    The figures are counted per unit in SQL (a plain GROUP BY, linear in the rows) and folded into
    squads here: mapping every row to its squad inside the query would test each row against every
    squad, so its cost would grow with squads × rows.
    """

    def __init__(self):
        units = list(Unit.objects.order_by("sort_order", "code"))
        self.squads = [u for u in units if u.kind == Unit.Kind.SQUAD]
        self.squad_of: dict[int, int] = {}
        for squad in self.squads:
            for unit in units:
                if unit.path.startswith(squad.path):
                    self.squad_of.setdefault(unit.pk, squad.pk)

    def fold(self, rows: Iterable[dict], key: str) -> dict[int, dict]:
        """Rows of additive figures per unit (``key`` holds the unit id) → summed per squad."""
        squads: dict[int, dict] = {}
        for row in rows:
            squad = self.squad_of.get(row.pop(key))
            if squad is None:
                continue
            total = squads.setdefault(squad, dict.fromkeys(row, 0))
            for name, value in row.items():
                total[name] += value or 0
        return squads


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
        # A sum, not an average, so that per-unit rows add up to their squad's; _strip divides.
        "progress_sum": Sum("progress", filter=Q(created_at__lt=end_dt), default=0),
    }


#: A withdrawn finding leaves every figure; one sent back as not its unit's is nobody's until re-dispatched.
UNCOUNTED = (Finding.Status.SENT_BACK, Finding.Status.WITHDRAWN)


def counted_findings(campaign: Campaign) -> QuerySet[Finding]:
    """The findings the units' figures count (see ``UNCOUNTED``)."""
    return Finding.objects.filter(campaign=campaign).exclude(status__in=UNCOUNTED)


def dispatch_accuracy(week: Week) -> list[dict]:
    """准确派遣率 per dispatching unit (the reporter's: the bureau's leaders, the inspection squad, a squad for its
    own tier-3 findings), over the findings it dispatched by the week's end; one query."""
    rows = (Finding.objects.filter(campaign=week.campaign, reported_at__lt=week.end_dt)
            .exclude(status=Finding.Status.WITHDRAWN)
            .values("reporter__unit_id", "reporter__unit__name", "reporter__unit__sort_order")
            .annotate(dispatched=Count("pk"), redispatched=Count("pk", filter=Q(redispatch_count__gt=0)))
            .order_by("reporter__unit__sort_order", "reporter__unit_id"))
    return [{"unit": row["reporter__unit__name"], "dispatched": row["dispatched"],
             "redispatched": row["redispatched"],
             "rate": round(rate(row["dispatched"] - row["redispatched"], row["dispatched"]) * 100, 1)}
            for row in rows]


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
        "findings_extended": Count("pk", filter=due & Q(extension_count__gt=0)),
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


def gauge(week: Week, groups: SquadGroups | None = None) -> dict:
    """Median wait from assignment to first response, per hand-over level (and per squad with ``groups``).

    Returns {level: {group_key: {"median_hours", "responded", "waiting"}}}, the group key being the
    squad's id, or "all". A median does not add up from units to squads, so per squad the answered
    waits are read (one number per answered task) and the median taken here; for the whole campaign
    PostgreSQL's ordered-set aggregate computes it (SQLite, the demo database, has none).
    """
    end_dt = week.end_dt
    answered = Q(first_response_at__isnull=False, first_response_at__lt=end_dt)
    counting = {"responded": Count("pk", filter=answered),
                "waiting": Count("pk", filter=~answered & ~Q(done_at__lt=end_dt))}
    result: dict[str, dict] = {}
    for name, level in GAUGE_LEVELS.items():
        qs = Task.objects.filter(campaign=week.campaign, level=level, assigned_at__lt=end_dt)
        if groups is None:
            rows = {"all": qs.aggregate(**counting)}
        else:
            rows = groups.fold(qs.values("unit_id").annotate(**counting).order_by(), "unit_id")
        for row in rows.values():
            row["median_hours"] = None
        for group_key, median in _medians(qs.filter(answered), groups).items():
            rows.setdefault(group_key, {"responded": 0, "waiting": 0})["median_hours"] = median
        result[name] = rows
    return result


def _medians(qs: QuerySet, groups: SquadGroups | None) -> dict:
    wait = F("first_response_at") - F("assigned_at")
    if groups is None and connection.vendor == "postgresql":
        return {"all": _hours(qs.aggregate(m=Median(wait, output_field=DurationField()))["m"])}
    waits: dict = {}
    for unit_id, value in qs.annotate(w=wait).values_list("unit_id", "w").order_by():
        key = "all" if groups is None else groups.squad_of.get(unit_id)
        if key is not None:
            waits.setdefault(key, []).append(value.total_seconds())
    return {k: round(statistics.median(v) / 3600, 1) for k, v in waits.items()}


def _hours(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def unit_table(week: Week) -> list[dict]:
    """One row per squad with every indicator, the composite score and the rank; queries do not grow with rows."""
    campaign = week.campaign
    groups = SquadGroups()
    tasks = groups.fold(leaf_tasks(campaign).values("unit_id").annotate(**task_aggregates(week)).order_by(),
                        "unit_id")
    findings = groups.fold(counted_findings(campaign).values("responsible_unit_id")
                           .annotate(**finding_aggregates(week)).order_by(), "responsible_unit_id")
    gauges = gauge(week, groups)
    rows = []
    for order, squad in enumerate(groups.squads):
        row = {"unit_id": squad.pk, "unit": squad.name, "unit_short": squad.label, "order": order}
        row.update(_strip(_blank(task_aggregates(week)) | tasks.get(squad.pk, {})))
        row.update(_blank(finding_aggregates(week)) | findings.get(squad.pk, {}))
        for level, by_group in gauges.items():
            g = by_group.get(squad.pk, {})
            row[f"{level}_median_hours"] = g.get("median_hours")
            row[f"{level}_waiting"] = g.get("waiting", 0)
        rows.append(score_row(row, campaign))
    return rank(rows)


def overall(week: Week, *, with_gauge: bool = True) -> dict:
    """The whole campaign's figures for the week, without grouping."""
    row = _strip(leaf_tasks(week.campaign).aggregate(**task_aggregates(week)))
    row |= _strip(counted_findings(week.campaign).aggregate(**finding_aggregates(week)))
    for level, by_group in (gauge(week) if with_gauge else {}).items():
        g = by_group.get("all", {})
        row[f"{level}_median_hours"] = g.get("median_hours")
        row[f"{level}_waiting"] = g.get("waiting", 0)
    return score_row(row, week.campaign)


def trend_points(campaign: Campaign, weeks: list[Week]) -> list[dict]:
    """The trend's three figures for many weeks at once, each as ``overall()`` would give it for its week.

    Every counted row becomes countable in one week (the latest of the weeks of the dates it is judged
    by: a task counts as done once it is due and done) and stays counted after; so the rows are counted
    per combination of those weeks, once, and each week adds up what became countable by its end.
    """
    tz = timezone.get_default_timezone()

    def week_of(field: str) -> TruncWeek:
        """The Monday of the campaign-local week an instant falls in."""
        return TruncWeek(field, tzinfo=tz, output_field=DateField())

    tasks = (leaf_tasks(campaign).values(due=TruncWeek("deadline"), done=week_of("done_at"))
             .annotate(n=Count("pk")))
    findings = (counted_findings(campaign)
                .values("status", reported=week_of("reported_at"), due=week_of("deadline"),
                        rectified=week_of("rectified_at"))
                .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(rectified_at__lte=F("deadline")))))
    counted: dict[str, list[tuple[datetime.date, int]]] = {
        "tasks_due": [], "tasks_done": [], "findings_due": [], "rectified_on_time": [], "open_past_deadline": []}
    for row in tasks.order_by():
        counted["tasks_due"].append((row["due"], row["n"]))
        if row["done"] is not None:
            counted["tasks_done"].append((max(row["due"], row["done"]), row["n"]))
    for row in findings.order_by():
        due = max(row["reported"], row["due"])
        counted["findings_due"].append((due, row["n"]))
        if row["status"] in OPEN:
            counted["open_past_deadline"].append((due, row["n"]))
        if row["status"] in RECTIFIED and row["rectified"] is not None and row["on_time"]:
            counted["rectified_on_time"].append((max(due, row["rectified"]), row["on_time"]))
    points = []
    for week in weeks:
        row = {name: sum(n for since, n in rows if since <= week.start) for name, rows in counted.items()}
        points.append({
            "task_completion": round(rate(row["tasks_done"], row["tasks_due"]) * 100, 1),
            "rectification_on_time": round(rate(row["rectified_on_time"], row["findings_due"]) * 100, 1),
            "open_past_deadline": row["open_past_deadline"],
        })
    return points


def _blank(aggregates: dict) -> dict:
    return dict.fromkeys(aggregates, 0)


def _strip(row: dict) -> dict:
    """Database values as the figures keep them: plain numbers, the progress sum as an average."""
    out = {k: (v or 0) for k, v in row.items()}
    if "progress_sum" in out:
        total = out["tasks_total"]
        out["progress_avg"] = round(out.pop("progress_sum") / total, 1) if total else None
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
    row["extension_rate"] = round(rate(row.get("findings_extended", 0), row["findings_due"]) * 100, 1) \
        if row["findings_due"] else 0.0
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
