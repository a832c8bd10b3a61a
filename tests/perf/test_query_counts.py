"""Query counts of the benchmarked pages do not depend on the size of the district (issue 7).

The same pages are read on a tiny and on a five-times larger seed_large
district, with a long task history and a finding with many photos on the
larger one; every page must cost exactly the same number of queries on both.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Unit, User
from campaign.large import CAMPAIGN_NAME
from campaign.models import Campaign, Site
from inspections.models import Finding, FindingPhoto
from reports.figures import bulletin_figures
from reports.services import previous_iso_week, write_bulletin
from tasks.models import Task, TaskUpdate

SMALL, LARGE = 0.002, 0.01

# Per page, with the reference data (campaigns, unit tree) cached, as it is but for a moment after it
# changes. Every page: session, user (+ their unit); every full page: the top bar's 待办 count.
EXPECTED = {
    # count, the rows (+unit, people, parent), their standards, filter menus (units, people, standards),
    # the unread count.
    "squad list": 10,
    # task (+unit, parents), its campaign, the responsible person, standards, the history (+people) and its
    # attachments, assignable people for the form, the unread count.
    "task page": 11,
    # count, filter menus (units, categories), the rows (+category, major, unit, reporter, site), the unread
    # count.
    "findings list": 8,
    # finding (+everything shown), photos, rectifications and their photos, verifications, its routing
    # events, its requests for more time, relapses here, the unread count.
    "finding page": 12,
    # the ?unit= filter's unit, count, the rows (+unit, people), their standards.
    "api tasks": 6,
    # the ?unit= filter's unit, count, the rows, photos, rectifications, verifications, routing events,
    # requests for more time.
    "api findings": 10,
    # the bulletin, the unread count; its body was rendered once, when first read.
    "bulletin page": 5,
    # the standards, one row per (standard, task) with the task's columns, the unit labels, the people named,
    # the unread count.
    "coverage page": 8,
    # a check item (none asked for), the categories, the unread count; the menus' plain values: sites (+unit),
    # open inspections, point types, units.
    "finding form": 10,
    # the unit tree (once, for tasks and findings), one grouped aggregate per table and gauge level,
    # the previous bulletin, the whole-district row, relapse places, and the trend: two aggregates per
    # campaign week (26 weeks here at every scale), and the findings per dispatching unit — never one per row.
    "bulletin figures": 24,  # the thermometer reads the tasks, the findings and their pushes once each
}


def _more_history(task: Task, n: int) -> None:
    """Append ``n`` notes to ``task``'s history the way the services would (versions continue)."""
    at = task.last_activity_at
    rows = []
    for k in range(1, n + 1):
        rows.append(TaskUpdate(task=task, kind=TaskUpdate.Kind.NOTE, by=task.responsible,
                               at=at + datetime.timedelta(minutes=k), note=f"跟进{k}", version=task.version + k))
    TaskUpdate.objects.bulk_create(rows)
    Task.objects.filter(pk=task.pk).update(version=task.version + n, last_activity_at=rows[-1].at,
                                           updated_at=rows[-1].at)


def _more_photos(finding: Finding, n: int) -> None:
    first = finding.photos.first()
    FindingPhoto.objects.bulk_create([
        FindingPhoto(finding=finding, phase=first.phase, file=first.file.name, original_name=f"{k}.jpg",
                     content_type=first.content_type, size=first.size, sha256=first.sha256, is_image=True,
                     uploaded_by=first.uploaded_by, uploaded_at=timezone.now()) for k in range(n)])


def _relapse_place(squad: Unit) -> None:
    """Make the last three findings at one of ``squad``'s sites rebounds of the first: a relapse place.

    The bulletin reads the sites of its relapse places in one query, none when there are none; how many a
    tiny district has is chance, so both scales get one and read the same queries.
    """
    site = (Site.objects.filter(unit=squad).annotate(n=Count("findings")).filter(n__gte=4).order_by("pk").first())
    first, *later = Finding.objects.filter(site=site).order_by("reported_at", "pk")[:4]
    Finding.objects.filter(pk__in=[f.pk for f in later]).update(is_rebound=True, rebound_of=first)


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


@pytest.fixture
def counts(request, db, client, settings):
    scale = request.param
    call_command("seed_large", scale=scale, seed=5, force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    squad = Unit.objects.get(code="squad1")
    # Same states at both scales: the page shows different forms for a done task.
    task = (Task.objects.filter(unit=squad, level=Task.Level.PERSONAL, status=Task.Status.IN_PROGRESS)
            .order_by("pk").first())
    finding = Finding.objects.filter(responsible_unit=squad, status=Finding.Status.CLOSED).order_by("pk").first()
    if scale == LARGE:
        _more_history(task, 60)
        _more_photos(finding, 20)
    _relapse_place(squad)
    bulletin, _created = write_bulletin(campaign_id=campaign.pk, iso_year=previous_iso_week()[0],
                                        iso_week=previous_iso_week()[1])
    pages = {
        "squad list": ("squad1", "/tasks/"),
        "task page": ("squad1", f"/tasks/{task.pk}/"),
        "findings list": ("inspector1", "/inspections/findings/"),
        "finding page": ("inspector1", f"/inspections/findings/{finding.pk}/"),
        "api tasks": ("leader", f"/api/v1/tasks/?unit={squad.pk}"),
        "api findings": ("leader", f"/api/v1/findings/?unit={squad.pk}&status=closed"),
        "bulletin page": ("leader", f"/reports/bulletins/{bulletin.pk}/"),
        "coverage page": ("leader", "/tasks/coverage/"),
        "finding form": ("inspector1", "/inspections/findings/new/"),
    }
    result = {}
    for name, (username, url) in pages.items():
        client.force_login(User.objects.get(username=username))
        cache.clear()  # the cached reference data (campaigns, unit tree) is read once, then kept
        assert client.get(url).status_code == 200, name
        result[name] = _count(lambda url=url: client.get(url))
    iso_year, iso_week = previous_iso_week()
    result["bulletin figures"] = _count(lambda: bulletin_figures(campaign, iso_year, iso_week))
    return scale, result


@pytest.mark.parametrize("counts", [SMALL, LARGE], indirect=True)
def test_page_queries_do_not_depend_on_the_size_of_the_district(counts):
    _scale, result = counts
    assert result == EXPECTED
