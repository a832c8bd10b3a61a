"""Cached fragments (issue 7): list pages under their rows' stamps, rows per object version, the bulletin
body per bulletin.

A change must show at once (the version, or the changed value, or the reference generation is in the
key), a warm list page runs fewer queries than a cold one (it reads only its rows' stamps) and never more,
and a failing cache must only cost speed.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks import services
from tasks.models import Task
from tests.factories import CampaignFactory, UnitFactory, member, squad_leader
from tests.inspections.factories import log_finding, overdue, rectify
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db


def _row(html: str, marker: str) -> str:
    """The <tr> that contains ``marker``."""
    match = re.search(r"<tr\b(?:(?!<tr\b).)*?" + re.escape(marker) + r".*?</tr>", html, re.S)
    assert match, marker
    return match.group(0)


def _tbody(html: str) -> str:
    """The table body (the rest of the page carries a per-request CSRF token)."""
    return re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture
def squad_items():
    campaign, squad = CampaignFactory(), UnitFactory(name="第一中队")
    chief, owner = squad_leader(squad), member(squad)
    items = [make_task(campaign=campaign, unit=squad, by=chief, responsible=owner, content=f"整治{k}")
             for k in range(3)]
    return chief, owner, items


def test_a_status_change_shows_at_once_in_the_cached_squad_list(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    url = reverse("tasks:list")
    cold, cold_queries = _get(client, url)
    warm, warm_queries = _get(client, url)
    # The warm page comes from the cache: the same HTML, read with the rows' stamps only (no rows, no
    # filter menus).
    assert _tbody(warm) == _tbody(cold)
    assert warm_queries < cold_queries
    item = items[1]
    assert "status-not_started" in _row(warm, f'data-task="{item.pk}"')
    services.task_update_status(task=item, by=chief, status=Task.Status.DONE, progress=100, note="已完成",
                                expected_version=item.version)
    after, after_queries = _get(client, url)
    assert "status-done" in _row(after, f'data-task="{item.pk}"')
    assert "status-not_started" in _row(after, f'data-task="{items[0].pk}"')
    assert warm_queries < after_queries <= cold_queries  # the rows are read again; the menus were not


def test_a_renamed_unit_shows_at_once_in_the_cached_filter_menu_and_rows(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    _get(client, reverse("tasks:list"))
    unit = items[0].unit
    unit.name = "改名后的中队"
    unit.save()
    page, _n = _get(client, reverse("tasks:list"))
    assert "改名后的中队" in _row(page, f'data-task="{items[0].pk}"')
    assert re.search(r'<select name="unit"[^>]*>.*改名后的中队.*</select>', page, re.S)


def test_a_cached_list_never_shows_tasks_the_reader_may_not_see(client, squad_items):
    chief, _owner, items = squad_items
    other = UnitFactory(name="第二中队")
    outsider = squad_leader(other)
    client.force_login(chief)
    _get(client, reverse("tasks:list"))
    client.force_login(outsider)
    page, _n = _get(client, reverse("tasks:list"))
    assert not any(f'data-task="{t.pk}"' in page for t in items)


def test_a_renamed_person_shows_at_once_although_no_task_version_moved(client, squad_items):
    chief, owner, items = squad_items
    client.force_login(chief)
    _get(client, reverse("tasks:list"))
    owner.full_name = "改名后的队员"
    owner.save(update_fields=["full_name"])
    page, _n = _get(client, reverse("tasks:list"))
    assert "改名后的队员" in _row(page, f'data-task="{items[0].pk}"')


def test_rows_are_cached_per_language(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    english = client.get(reverse("tasks:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("tasks:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-label="Deadline"' in _row(english, f'data-task="{items[0].pk}"')
    assert 'data-label="Deadline"' not in _row(chinese, f'data-task="{items[0].pk}"')


def test_the_list_still_renders_when_the_cache_fails(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("cache down")), \
            mock.patch.object(cache, "set_many", side_effect=ConnectionError("cache down")):
        page, _n = _get(client, reverse("tasks:list"))
    assert all(f'data-task="{t.pk}"' in page for t in items)


@pytest.fixture
def people(district):
    return district.people


def test_a_rectified_finding_shows_its_new_status_at_once_in_the_cached_list(client, people):
    findings = [log_finding(by=people["inspector1"]) for _ in range(2)]
    client.force_login(people["leader"])
    url = reverse("inspections:finding_list")
    cold, cold_queries = _get(client, url)
    warm, warm_queries = _get(client, url)
    assert _tbody(warm) == _tbody(cold) and warm_queries < cold_queries
    marker = f">#{findings[0].pk}</a>"
    assert "status-dispatched" in _row(warm, marker)
    rectify(findings[0], people["squad1"])
    after, after_queries = _get(client, url)
    assert "status-rectified" in _row(after, marker)
    assert warm_queries < after_queries <= cold_queries


def test_a_new_finding_shows_at_once_with_the_new_count(client, people):
    log_finding(by=people["inspector1"])
    client.force_login(people["leader"])
    url = reverse("inspections:finding_list")
    assert "<small>(1)</small>" in _get(client, url)[0]
    newer = log_finding(by=people["inspector1"])
    page, _n = _get(client, url)
    assert "<small>(2)</small>" in page and f">#{newer.pk}</a>" in page


def test_a_finding_turning_red_shows_at_once_although_its_version_did_not_move(client, people):
    finding = log_finding(by=people["inspector1"])
    client.force_login(people["leader"])
    url = reverse("inspections:finding_list")
    marker = f">#{finding.pk}</a>"
    assert "badge red light-dot" not in _row(_get(client, url)[0], marker)
    overdue(finding)  # moves the clock, not the version
    assert "badge red light-dot" in _row(_get(client, url)[0], marker)


def test_the_bulletin_body_is_rendered_once_and_then_served_from_the_cache(client):
    from reports import services as report_services
    from tests.reports.builders import WEEK, build_week

    scene = build_week()
    bulletin, _created = report_services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0],
                                                        iso_week=WEEK[1])
    client.force_login(scene.leader)
    url = reverse("reports:bulletin", args=[bulletin.pk])
    with mock.patch("reports.views.trend_svg", wraps=__import__("reports.charts").charts.trend_svg) as chart:
        first, first_queries = _get(client, url)
        second, second_queries = _get(client, url)
    assert chart.call_count == 1
    body = re.compile(r'<section class="card bulletin-summary">.*<div class="chart-wrap">', re.S)
    assert body.search(first).group(0) == body.search(second).group(0)
    assert second_queries < first_queries  # the figures are not even read again
    assert "第一中队" in second
    # A new version is a new row: its body is rendered afresh.
    new = report_services.regenerate_bulletin(bulletin=bulletin, by=scene.admin)
    with mock.patch("reports.views.trend_svg", wraps=__import__("reports.charts").charts.trend_svg) as chart:
        _get(client, reverse("reports:bulletin", args=[new.pk]))
    assert chart.call_count == 1


def test_the_tasks_api_list_shows_a_change_at_once_and_costs_fewer_queries_warm(client, squad_items):
    chief, owner, items = squad_items
    client.force_login(chief)
    url = reverse("task-list") + f"?unit={items[0].unit_id}"

    def read():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return {row["id"]: row for row in response.json()["results"]}, len(queries)

    cold, cold_queries = read()
    warm, warm_queries = read()
    assert warm == cold and warm_queries < cold_queries
    services.task_update_status(task=items[0], by=chief, status=Task.Status.IN_PROGRESS, progress=40,
                                expected_version=items[0].version)
    owner.full_name = "改名后的队员"
    owner.save(update_fields=["full_name"])
    after, after_queries = read()
    assert (after[items[0].pk]["status"], after[items[0].pk]["progress"]) == ("in_progress", 40)
    assert after[items[1].pk]["responsible"]["name"] == "改名后的队员"
    assert warm_queries < after_queries <= cold_queries


def test_the_findings_api_list_shows_a_change_at_once(client, people):
    finding = log_finding(by=people["inspector1"])
    client.force_login(people["leader"])
    url = reverse("finding-list")

    def read():
        response = client.get(url)
        assert response.status_code == 200
        return {row["id"]: row for row in response.json()["results"]}[finding.pk]

    before = read()
    assert before == read()
    assert before["status"] == "dispatched" and len(before["photos"]) == 1 and before["rectifications"] == []
    rectify(finding, people["squad1"])
    after = read()
    assert after["status"] == "rectified" and len(after["photos"]) == 2 and len(after["rectifications"]) == 1


def test_a_changed_source_changes_the_keys_at_once_in_debug(settings, tmp_path):
    from campaign.fragments import fragment_key

    source = tmp_path / "serializers.py"
    source.write_text("v1")
    settings.DEBUG = True  # the development server reloads code and templates without a new process
    first = fragment_key("x", (1, 1), files=(str(source),))
    source.write_text("v2")
    assert fragment_key("x", (1, 1), files=(str(source),)) != first


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def test_the_cached_task_page_gives_each_reader_their_own_working_csrf_token(squad_items):
    from django.test import Client

    from campaign.fragments import CSRF_SLOT

    chief, _owner, items = squad_items
    item, url = items[0], reverse("tasks:detail", args=[items[0].pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(chief)
    second.force_login(chief)
    page_one = first.get(url).content.decode()
    page_two = second.get(url).content.decode()  # its forms come from the cache
    assert CSRF_SLOT not in page_one + page_two
    assert _tokens(page_one) and _tokens(page_two) and not _tokens(page_one) & _tokens(page_two)
    response = second.post(reverse("tasks:update", args=[item.pk]), {
        "csrfmiddlewaretoken": _tokens(page_two).pop(), "version": item.version, "status": "in_progress",
        "progress": 30, "note": "开始整治"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.progress) == ("in_progress", 30)


def test_the_cached_task_page_shows_a_change_at_once(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    url = reverse("tasks:detail", args=[items[0].pk])
    _get(client, url)
    services.task_update_status(task=items[0], by=chief, status=Task.Status.IN_PROGRESS, progress=60,
                                note="过半了", expected_version=items[0].version)
    page, _n = _get(client, url)
    assert '<span id="task-progress">60</span>' in page
    assert "过半了" in page
    assert f'name="version" value="{items[0].version + 1}"' in page  # the forms post the new version


def test_the_cached_top_bar_shows_a_new_notice_and_its_reading_at_once(client, squad_items):
    from reports import services as report_services

    chief, _owner, _items = squad_items
    client.force_login(chief)
    url = reverse("tasks:list")
    assert "Reminders (1)" not in _get(client, url)[0]
    report_services.notify(user=chief, kind="overdue", key="overdue:1", message="逾期")
    assert "Reminders (1)" in _get(client, url)[0]
    report_services.mark_notices_read(user=chief)
    assert "Reminders (1)" not in _get(client, url)[0]


def test_a_cached_visibility_follows_a_person_moving_to_another_unit(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    assert f'data-task="{items[0].pk}"' in _get(client, reverse("tasks:list"))[0]
    chief.unit = UnitFactory(name="新中队")
    chief.save()
    assert f'data-task="{items[0].pk}"' not in _get(client, reverse("tasks:list"))[0]


def test_the_cached_top_bar_follows_a_renamed_person_and_signs_out_with_its_own_token(squad_items):
    from django.test import Client

    chief, _owner, _items = squad_items
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(chief)
    second.force_login(chief)
    url = reverse("tasks:list")
    first.get(url)
    chief.full_name = "改名后的中队长"
    chief.save(update_fields=["full_name"])
    page = second.get(url).content.decode()
    assert "改名后的中队长" in re.search(r'<header class="topbar">.*?</header>', page, re.S).group(0)
    token = re.search(r'action="/accounts/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
                      page)
    assert token, "the sign-out form carries a token"
    assert second.post(reverse("logout"), {"csrfmiddlewaretoken": token.group(1)}).status_code == 302
    assert second.get(url).status_code == 302  # signed out: the list sends to the sign-in page


@pytest.mark.parametrize(("url_name", "template", "module"), [
    ("tasks:list", "tasks/_filters.html", "tasks/filters.py"),
    ("inspections:finding_list", "inspections/_finding_filters.html", "inspections/filters.py"),
])
def test_a_cached_filter_form_is_rendered_afresh_when_its_filter_set_changes(client, squad_items, settings,
                                                                              url_name, template, module):
    from pathlib import Path

    chief, _owner, _items = squad_items
    client.force_login(chief)
    settings.DEBUG = True  # keys follow edited sources at once, as with the development server

    def rendered() -> bool:
        response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return template in [t.name for t in response.templates]

    assert rendered()
    assert not rendered()  # served from the cache
    original = Path.read_bytes

    def edited(path):
        content = original(path)
        return content + b"\n# edited" if str(path).endswith(module) else content

    with mock.patch.object(Path, "read_bytes", edited):
        assert rendered()
