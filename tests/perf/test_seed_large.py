"""seed_large at a tiny scale: the counts the plan promises, and rows every invariant of the app accepts."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Unit, User
from campaign.large import CAMPAIGN_NAME, LARGE_PASSWORD, Plan
from campaign.models import Campaign
from inspections.models import Finding, FindingPhoto, Rectification, Verification
from inspections.rules import YELLOW_SHARE
from inspections.services import find_rebound_source
from tasks.models import Task, TaskUpdate

SCALE = 0.002


@pytest.fixture
def large(db, settings):
    call_command("seed_large", scale=SCALE, seed=3, force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Campaign.objects.get(name=CAMPAIGN_NAME)


def test_it_builds_the_counts_of_the_plan(large):
    plan = Plan.for_scale(SCALE)
    assert Unit.objects.filter(kind=Unit.Kind.SQUAD).count() == plan.squads
    assert User.objects.count() == plan.people
    assert Task.objects.filter(campaign=large).count() == plan.tasks
    assert TaskUpdate.objects.count() == plan.updates
    assert Finding.objects.filter(campaign=large).count() == plan.findings
    assert FindingPhoto.objects.count() == plan.findings  # one "before" photo each


def test_the_full_plan_is_the_district_of_the_issue():
    plan = Plan.for_scale(1)
    assert (plan.squads, plan.people, plan.tasks, plan.updates, plan.findings) == (30, 600, 20_000, 100_000, 50_000)


def test_five_districts_keep_one_districts_shape_per_squad():
    one, five = Plan.for_scale(1), Plan.for_scale(5)
    assert (five.squads, five.people, five.tasks, five.updates, five.findings) == (
        150, 3_000, 100_000, 500_000, 250_000)
    # The same 40 bureau tasks, each split to every squad: a squad's list is as long as in one district.
    assert one.bureau_tasks == five.bureau_tasks == 40
    assert five.sites_per_squad == one.sites_per_squad


def test_it_refuses_a_scale_past_five(db):
    with pytest.raises(CommandError, match="between 0"):
        call_command("seed_large", scale=5.5, force=True)


def test_units_carry_the_path_the_real_rule_gives(large):
    for unit in Unit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected


def test_people_share_one_password_that_works(large):
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert User.objects.get(username="squad1").check_password(LARGE_PASSWORD)
    for person in User.objects.select_related("unit"):
        person.full_clean(exclude=["password"])


def test_tasks_pass_validation_and_keep_the_tree_rules(large):
    tasks = list(Task.objects.filter(campaign=large).select_related("parent", "unit", "responsible__unit",
                                                                    "campaign"))
    assert sorted(t.seq for t in tasks) == list(range(1, len(tasks) + 1))
    for task in tasks:
        task.full_clean()
        assert task.level == task.derive_level()
        if task.parent:
            assert task.deadline <= task.parent.deadline
        assert (task.status == Task.Status.DONE) == (task.done_at is not None)
    assert {t.level for t in tasks} == set(Task.Level.values)


def test_each_history_matches_its_task(large):
    history = defaultdict(list)
    for row in TaskUpdate.objects.order_by("at", "version"):
        history[row.task_id].append(row)
    for task in Task.objects.filter(campaign=large):
        rows = sorted(history[task.pk], key=lambda r: r.version)
        assert [r.version for r in rows] == list(range(1, task.version + 1))
        assert rows[0].kind == TaskUpdate.Kind.CREATE and rows[0].at == task.created_at
        assert rows[0].assignee_after_id == task.responsible_id
        assert [r.at for r in rows] == sorted(r.at for r in rows)
        assert task.last_activity_at == rows[-1].at == task.updated_at
        answers = [r.at for r in rows if r.by_id == task.responsible_id
                   and r.kind in (TaskUpdate.Kind.STATUS, TaskUpdate.Kind.NOTE)]
        assert task.first_response_at == (answers[0] if answers else None)
        moves = [r for r in rows if r.status_after]
        assert (moves[-1].status_after, moves[-1].progress_after) == (task.status, task.progress)
        if task.status == Task.Status.DONE:
            assert task.done_at == moves[-1].at


def test_a_parent_is_its_items_rolled_up(large):
    items = defaultdict(list)
    for task in Task.objects.filter(campaign=large, parent__isnull=False):
        items[task.parent_id].append(task)
    parents = Task.objects.filter(pk__in=list(items))
    assert parents.count() == len(items) > 0
    for parent in parents:
        children = items[parent.pk]
        if all(c.status == Task.Status.DONE for c in children):
            assert (parent.status, parent.progress) == (Task.Status.DONE, 100)
            continue
        assert parent.progress == round(sum(c.progress for c in children) / len(children))
        started = parent.progress > 0 or any(c.status != Task.Status.NOT_STARTED for c in children)
        assert parent.status == (Task.Status.IN_PROGRESS if started else Task.Status.NOT_STARTED)
    rollups = TaskUpdate.objects.filter(kind=TaskUpdate.Kind.ROLLUP).select_related("task")
    assert rollups.exists() and all(r.task_id in items for r in rollups)


def test_findings_follow_the_closed_loop(large):
    verifications = defaultdict(list)
    for v in Verification.objects.order_by("at"):
        verifications[v.finding_id].append(v)
    rectifications = defaultdict(list)
    for r in Rectification.objects.order_by("at"):
        rectifications[r.finding_id].append(r)
    for finding in Finding.objects.filter(campaign=large).select_related("category", "inspection"):
        finding.full_clean()
        verdicts, answers = verifications[finding.pk], rectifications[finding.pk]
        returns = [v for v in verdicts if v.result == Verification.Result.RETURNED]
        assert finding.rework_count == len(returns)
        assert finding.clock_start == (returns[-1].at if returns else finding.dispatched_at)
        if returns:
            assert finding.deadline == returns[-1].new_deadline
        yellow = finding.clock_start + (finding.deadline - finding.clock_start) * float(YELLOW_SHARE)
        assert abs(finding.yellow_at - yellow) < datetime.timedelta(seconds=1)
        assert (finding.status == Finding.Status.CLOSED) == (finding.closed_at is not None)
        assert finding.rectified_at == (answers[-1].at if answers else None)
        assert finding.first_rectified_at == (answers[0].at if answers else None)
        assert finding.version == 1 + len(answers) + len(verdicts)  # one per step, as the services count
        if finding.status == Finding.Status.CLOSED:
            assert verdicts[-1].result == Verification.Result.CLOSED
            assert finding.closed_on_time == (finding.rectified_at <= finding.deadline)
        assert finding.inspection.tier == finding.tier and finding.inspection.created_by_id == finding.reporter_id


def test_rebounds_are_what_the_real_rule_finds(large):
    findings = list(Finding.objects.filter(campaign=large).select_related("site", "category"))
    assert any(f.is_rebound for f in findings) or len(findings) < 50
    for finding in findings:
        source = find_rebound_source(campaign=large, category=finding.category, site=finding.site,
                                     latitude=finding.latitude, longitude=finding.longitude, at=finding.reported_at)
        assert finding.rebound_of_id == (source.pk if source else None)
        assert finding.is_rebound == (source is not None)


def test_findings_are_spread_over_the_weeks(large):
    weeks = Counter(f.reported_at.isocalendar()[:2] for f in Finding.objects.filter(campaign=large))
    assert len(weeks) >= 20


def test_it_refuses_a_database_that_already_has_units(large):
    with pytest.raises(CommandError, match="already has units"):
        call_command("seed_large", scale=SCALE, force=True)


@pytest.mark.django_db
def test_it_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off|PostgreSQL"):
        call_command("seed_large", scale=SCALE)
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_it_refuses_sqlite_without_force(settings):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite refusal needs SQLite")
    settings.DEBUG = True
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_large", scale=SCALE)
    assert not Unit.objects.exists()
