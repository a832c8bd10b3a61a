"""Assemble a bulletin's and a meeting's figures (plain JSON) from the indicators.

The result is stored on the bulletin as it is, so the web page, the PDF, the
Word document and the API all show the same frozen numbers.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaign.models import Campaign
from inspections.selectors import relapse_places
from reports import indicators, pressure
from reports.indicators import Week
from reports.models import Bulletin

FIGURES_VERSION = 1
#: The bulletin names the worst places and their number; the relapse-places page lists them all.
RELAPSE_PLACES_LISTED = 20


def campaign_weeks(campaign: Campaign, until: datetime.date) -> list[tuple[int, int]]:
    """ISO (year, week) pairs from the campaign's first week to the week containing ``until``."""
    weeks = []
    day = campaign.start_date - datetime.timedelta(days=campaign.start_date.weekday())
    last = min(until, campaign.end_date)
    while day <= last:
        iso = day.isocalendar()
        weeks.append((iso.year, iso.week))
        day += datetime.timedelta(days=7)
    return weeks


def issue_number(campaign: Campaign, iso_year: int, iso_week: int) -> int:
    """第N期: the campaign's Nth ISO week (the week it starts in is 1)."""
    first = campaign.start_date - datetime.timedelta(days=campaign.start_date.weekday())
    return (datetime.date.fromisocalendar(iso_year, iso_week, 1) - first).days // 7 + 1


def bulletin_figures(campaign: Campaign, iso_year: int, iso_week: int) -> dict:
    week = Week.iso(campaign, iso_year, iso_week)
    units = indicators.unit_table(week)
    previous = _previous_ranks(campaign, week)
    for row in units:
        before = previous.get(str(row["unit_id"]))
        row["rank_change"] = None if before is None else before - row["rank"]
    total = indicators.overall(week)
    praised = [r for r in units if r["score"] >= campaign.praise_bar][: campaign.praise_count]
    lagging = [r for r in reversed(units) if r["score"] < campaign.lagging_bar][: campaign.praise_count]
    every_place = relapse_places(campaign)
    places = [
        {"site": p["site"].name if p["site"] else "", "unit": p["site"].unit.name if p["site"] else "",
         "latitude": str(p["latitude"]), "longitude": str(p["longitude"]), "relapses": p["relapses"]}
        for p in every_place[:RELAPSE_PLACES_LISTED]
    ]
    return {
        "version": FIGURES_VERSION,
        "campaign": campaign.name,
        "week": {"iso_year": iso_year, "iso_week": iso_week, "start": week.start.isoformat(),
                 "end": week.end.isoformat()},
        "countdown": {"day_number": campaign.day_number(week.end), "duration_days": campaign.duration_days,
                      "days_to_evaluation": campaign.days_to_evaluation(week.end),
                      "evaluation_date": campaign.evaluation_date.isoformat()},
        "overall": total,
        "units": units,
        "praised": [{"unit": r["unit"], "score": r["score"], "rank": r["rank"]} for r in praised],
        "lagging": [{"unit": r["unit"], "score": r["score"], "rank": r["rank"],
                     "tasks_overdue": r["tasks_overdue"], "open_past_deadline": r["open_past_deadline"]}
                    for r in lagging],
        "relapse_places": places,
        "relapse_places_total": len(every_place),
        "trend": trend(campaign, week),
        "pressure": pressure.overall(pressure.thermometer(campaign, end=week.end_dt)),
        "dispatch": indicators.dispatch_accuracy(week),
        "weights": campaign.weights,
        "generated_at": timezone.now().isoformat(),
    }


def _previous_ranks(campaign: Campaign, week: Week) -> dict[str, int]:
    before = week.start - datetime.timedelta(days=7)
    iso = before.isocalendar()
    prior = Bulletin.objects.filter(campaign=campaign, iso_year=iso.year, iso_week=iso.week,
                                     is_current=True).only("figures").first()
    if prior is None:
        return {}
    return {str(r["unit_id"]): r["rank"] for r in prior.figures.get("units", [])}


def trend(campaign: Campaign, week: Week) -> list[dict]:
    """Week by week: task completion, on-time rectification and open overdue findings.

    Past weeks come from their bulletins as stored (history does not move);
    weeks without a bulletin are computed together, the week itself always is.
    """
    stored = {
        (b.iso_year, b.iso_week): b.figures.get("overall", {})
        for b in Bulletin.objects.filter(campaign=campaign, is_current=True).only("iso_year", "iso_week", "figures")
    }
    this = (week.start.isocalendar().year, week.start.isocalendar().week)
    weeks = campaign_weeks(campaign, week.end)
    missing = [iso for iso in weeks if iso == this or not stored.get(iso)]
    computed = dict(zip(missing, indicators.trend_points(campaign, [Week.iso(campaign, *iso) for iso in missing]),
                        strict=True))
    points = []
    for iso_year, iso_week in weeks:
        point = computed.get((iso_year, iso_week))
        if point is None:
            figures = stored[(iso_year, iso_week)]
            point = {"task_completion": figures["rates"]["task_completion"],
                     "rectification_on_time": figures["rates"]["rectification_on_time"],
                     "open_past_deadline": figures["open_past_deadline"]}
        points.append({"label": f"{issue_number(campaign, iso_year, iso_week)}", **point})
    return points
