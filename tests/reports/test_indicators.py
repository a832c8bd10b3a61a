"""Every indicator of the weekly bulletin on a hand-built week with known answers (tests/reports/builders.py).

Week 2026-W47 (Mon 11-16 to Sun 11-22). Squad A: leaf tasks a1 (due 11-18, done 11-17: on time), a2 (due
11-19, done 11-21: late), a3 (due 11-20, open: overdue, never answered), a4 (due 12-10, idle since 11-01);
findings f1 (tier 2, on time, closed), f2 (tier 3, one rework, on time, closed), f3 (tier 1, open past
deadline), f4 (last week, on time, closed), f5 (tier 2, a rebound of f4, not yet due). Squad B: b1 (due
11-20, done on time), b2 (due 11-25, waiting); f6 (tier 2, rectified late, closed).
"""

import pytest

from reports import figures, indicators
from reports.indicators import Week
from tests.reports.builders import WEEK, build_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return build_week()


@pytest.fixture
def table(scene):
    rows = indicators.unit_table(Week.iso(scene.campaign, *WEEK))
    return {row["unit"]: row for row in rows}


def test_task_counts_per_squad(table):
    a, b = table["第一中队"], table["第二中队"]
    assert (a["tasks_total"], a["tasks_due"], a["tasks_done"], a["tasks_done_on_time"], a["tasks_overdue"]) == (
        4, 3, 2, 1, 1)
    assert (b["tasks_total"], b["tasks_due"], b["tasks_done"], b["tasks_done_on_time"], b["tasks_overdue"]) == (
        2, 1, 1, 1, 0)


def test_items_idle_for_seven_days(table):
    assert table["第一中队"]["tasks_idle"] == 1  # a4, untouched since 11-01
    assert table["第二中队"]["tasks_idle"] == 0


def test_findings_by_tier_in_the_week(table):
    a, b = table["第一中队"], table["第二中队"]
    assert (a["findings_tier1"], a["findings_tier2"], a["findings_tier3"]) == (1, 2, 1)
    assert (b["findings_tier1"], b["findings_tier2"], b["findings_tier3"]) == (0, 1, 0)


def test_on_time_rectification_rework_rebound_and_open_past_deadline(table):
    a, b = table["第一中队"], table["第二中队"]
    assert (a["findings_due"], a["rectified_on_time"], a["on_time_rectification_rate"]) == (4, 3, 75.0)
    assert (a["findings_closed"], a["reworks"], a["rework_rate"]) == (3, 1, 33.3)
    assert (a["rebounds_week"], a["rebounds_total"], a["open_past_deadline"]) == (1, 1, 1)
    assert (b["findings_due"], b["rectified_on_time"], b["on_time_rectification_rate"]) == (1, 0, 0.0)
    assert (b["rework_rate"], b["open_past_deadline"]) == (0.0, 0)


def test_pressure_gauge_per_squad(table):
    a, b = table["第一中队"], table["第二中队"]
    assert (a["bureau_to_squad_median_hours"], a["bureau_to_squad_waiting"]) == (6.0, 0)
    assert (b["bureau_to_squad_median_hours"], b["bureau_to_squad_waiting"]) == (24.0, 0)
    assert (a["squad_to_member_median_hours"], a["squad_to_member_waiting"]) == (4.0, 1)
    assert (b["squad_to_member_median_hours"], b["squad_to_member_waiting"]) == (1.0, 1)


def test_pressure_gauge_for_the_whole_campaign(scene):
    total = indicators.overall(Week.iso(scene.campaign, *WEEK))
    assert total["bureau_to_squad_median_hours"] == 15.0
    assert total["squad_to_member_median_hours"] == 3.0
    assert total["squad_to_member_waiting"] == 2


def test_composite_score_uses_the_campaign_weights_and_ranks_units(table):
    # A: 30·2/3 + 20·1/3 + 20·3/4 + 15·(1 − 1/3) + 15·(1 − 1/5) = 63.67; B: 30 + 20 + 0 + 15 + 15 = 80.
    assert table["第一中队"]["score"] == 63.7
    assert table["第二中队"]["score"] == 80.0
    assert (table["第二中队"]["rank"], table["第一中队"]["rank"]) == (1, 2)


def test_changing_the_weights_changes_the_score(scene):
    campaign = scene.campaign
    campaign.weight_task_completion, campaign.weight_rectification_on_time = 10, 40
    campaign.save()
    rows = {r["unit"]: r for r in indicators.unit_table(Week.iso(campaign, *WEEK))}
    # A: 10·2/3 + 20·1/3 + 40·3/4 + 15·2/3 + 15·4/5 = 65.33; B: 10 + 20 + 0 + 15 + 15 = 60.
    assert rows["第一中队"]["score"] == 65.3 and rows["第二中队"]["score"] == 60.0
    assert rows["第一中队"]["rank"] == 1


def test_whole_campaign_figures(scene):
    total = indicators.overall(Week.iso(scene.campaign, *WEEK))
    assert (total["tasks_due"], total["tasks_done"], total["tasks_done_on_time"], total["tasks_overdue"]) == (
        4, 3, 2, 1)
    assert (total["findings_due"], total["rectified_on_time"], total["findings_closed"], total["reworks"]) == (
        5, 3, 4, 1)
    assert total["rates"]["task_completion"] == 75.0


def test_ties_share_a_rank():
    rows = indicators.rank([{"unit": "甲", "score": 90.0}, {"unit": "乙", "score": 90.0},
                            {"unit": "丙", "score": 70.0}])
    assert [r["rank"] for r in rows] == [1, 1, 3]


def test_a_unit_with_nothing_due_is_not_penalised():
    row = indicators.score_row({"tasks_done": 0, "tasks_due": 0, "tasks_done_on_time": 0, "rectified_on_time": 0,
                                "findings_due": 0, "reworks": 0, "findings_closed": 0, "rebounds_total": 0,
                                "findings_total": 0}, type("C", (), {"weights": {
                                    "task_completion": 30, "task_on_time": 20, "rectification_on_time": 20,
                                    "rework": 15, "rebound": 15}})())
    assert row["score"] == 100.0


def test_the_trend_counts_each_week_as_that_weeks_own_figures_would(scene):
    # Rows whose dates fall on the edges of the campaign-local week (Sunday 23:xx in Hangzhou is still
    # Sunday there and already Sunday afternoon in UTC), and rows judged by dates weeks apart.
    from tests.reports.builders import at, d, finding, task

    m1 = scene.members_a[0]
    task(scene, "e1", unit=scene.a, responsible=m1, deadline=d(11, 22), assigned=at(11, 16), done=at(11, 22, 23, 50))
    task(scene, "e2", unit=scene.a, responsible=m1, deadline=d(11, 9), assigned=at(11, 2), done=at(11, 30, 0, 10))
    task(scene, "e6", unit=scene.a, responsible=m1, deadline=d(11, 20), assigned=at(10, 26), done=at(11, 3))
    finding(scene, "e3", unit=scene.b, tier=2, reported=at(11, 22, 23, 30), deadline=at(11, 23, 0, 30),
            rectified=at(11, 22, 23, 59))
    finding(scene, "e4", unit=scene.b, tier=1, reported=at(11, 1), deadline=at(11, 3), rectified=at(11, 24),
            closed=at(11, 25))
    finding(scene, "e5", unit=scene.b, tier=3, reported=at(11, 8, 23, 59), deadline=at(11, 9, 0, 1))
    campaign = scene.campaign
    weeks = [Week.iso(campaign, *iso) for iso in figures.campaign_weeks(campaign, d(12, 14))]
    expected = []
    for week in weeks:
        total = indicators.overall(week, with_gauge=False)
        expected.append({"task_completion": total["rates"]["task_completion"],
                         "rectification_on_time": total["rates"]["rectification_on_time"],
                         "open_past_deadline": total["open_past_deadline"]})
    assert indicators.trend_points(campaign, weeks) == expected
    assert len({p["task_completion"] for p in expected}) > 2  # the weeks differ: a flat trend would prove nothing


def test_the_bulletins_trend_uses_stored_weeks_and_computes_the_rest(scene):
    campaign = scene.campaign
    points = figures.trend(campaign, Week.iso(campaign, *WEEK))
    assert [p["label"] for p in points] == [str(n) for n in range(1, 8)]
    assert points[-1]["task_completion"] == indicators.overall(Week.iso(campaign, *WEEK))["rates"]["task_completion"]
