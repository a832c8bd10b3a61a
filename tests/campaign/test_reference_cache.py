"""Cached reference data (campaign/core/cache.py): the campaigns and the unit tree, flushed by a change to
exactly those rows, and a bulletin version's body, which never changes. No page is cached.

A change must show at once on the next request, a reader that read the rows before a change must not be
able to store them after it, and a failing cache must only cost speed.
"""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts.access import unit_paths, visible_unit_ids
from accounts.models import Unit
from accounts.services import unit_save, user_save
from campaign.core import cache as reference
from campaign.models import Campaign
from campaign.selectors import current_campaign
from tests.factories import CampaignFactory, UnitFactory, member, squad_leader
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def squad_items():
    campaign, squad = CampaignFactory(), UnitFactory(name="第一中队")
    chief, owner = squad_leader(squad), member(squad)
    items = [make_task(campaign=campaign, unit=squad, by=chief, responsible=owner, content=f"整治{k}")
             for k in range(3)]
    return chief, owner, items


def _page(client, url: str, **headers) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 200
    return response.content.decode()


def _tombstones_aged_out() -> None:
    """As if the short while after the last change had passed (see campaign/core/cache.py)."""
    cache.delete_many([reference.campaigns_key(), reference.unit_paths_key()])


def test_the_campaigns_are_read_once_and_then_from_the_cache(django_assert_num_queries):
    campaign = CampaignFactory()
    _tombstones_aged_out()
    with django_assert_num_queries(1):
        assert current_campaign() == campaign
    with django_assert_num_queries(0):
        assert current_campaign() == campaign


def test_a_renamed_campaign_is_current_under_its_new_name_at_once():
    campaign = CampaignFactory(name="旧名")
    assert current_campaign().name == "旧名"
    campaign.name = "新名"
    campaign.save()
    assert current_campaign().name == "新名"


def test_a_campaign_that_ends_early_stops_being_current_at_once():
    today = datetime.date(2026, 12, 2)
    first = CampaignFactory(start_date=today - datetime.timedelta(days=20),
                            end_date=today + datetime.timedelta(days=80))
    assert current_campaign(today) == first
    Campaign.objects.filter(pk=first.pk).update(end_date=today - datetime.timedelta(days=1))  # no signal …
    reference.flush(reference.campaigns_key())  # … so a bulk write flushes by itself, as seed_large does
    second = CampaignFactory(start_date=today, end_date=today + datetime.timedelta(days=99))
    assert current_campaign(today) == second


def test_a_person_moved_to_another_unit_sees_that_units_list_at_once(client, squad_items):
    chief, owner, items = squad_items
    other = UnitFactory(name="第二中队")
    theirs = make_task(campaign=items[0].campaign, unit=other, by=squad_leader(other), content="别队的事")
    client.force_login(chief)
    assert f'data-task="{items[0].pk}"' in _page(client, reverse("tasks:list"))
    chief.unit = other
    user_save(user=chief)
    page = _page(client, reverse("tasks:list"))
    assert f'data-task="{theirs.pk}"' in page
    assert f'data-task="{items[0].pk}"' not in page


def test_a_unit_moved_under_another_follows_the_visibility_rules_at_once(squad_items):
    chief, _owner, items = squad_items
    squad = items[0].unit
    team = UnitFactory(name="一组", kind=Unit.Kind.OFFICE, parent=UnitFactory(name="别处"))
    assert team.pk not in visible_unit_ids(chief)
    team.parent = squad
    unit_save(unit=team)
    assert team.pk in visible_unit_ids(chief)


def test_a_reader_who_read_the_rows_before_a_change_cannot_store_them_after_it(squad_items):
    chief, _owner, items = squad_items
    squad = items[0].unit
    _tombstones_aged_out()
    old_rows = unit_paths()  # what a slow request read before the change committed
    moved = UnitFactory(name="新设中队")
    assert (moved.pk, moved.path) not in old_rows
    reference.cached(reference.unit_paths_key(), lambda: old_rows)  # that request now tries to store them
    assert (moved.pk, moved.path) in unit_paths()
    assert squad.pk in visible_unit_ids(chief)


def test_signing_in_does_not_flush_anything(client, squad_items, django_assert_num_queries):
    chief, _owner, _items = squad_items
    _tombstones_aged_out()
    current_campaign()
    client.login(username=chief.username, password="campaign100")  # saves last_login only
    with django_assert_num_queries(0):
        current_campaign()


def test_pages_still_render_when_the_cache_fails(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    failing = ConnectionError("cache down")
    with mock.patch.object(cache, "get", side_effect=failing), mock.patch.object(cache, "add", side_effect=failing), \
            mock.patch.object(cache, "set", side_effect=failing), \
            mock.patch.object(cache, "set_many", side_effect=failing):
        page = _page(client, reverse("tasks:list"))
        items[0].unit.name = "断网时改名"
        unit_save(unit=items[0].unit)  # a flush that cannot reach the cache must not fail the write
    assert all(f'data-task="{t.pk}"' in page for t in items)


def test_the_squad_list_says_it_varies_with_htmx(client, squad_items):
    chief, _owner, items = squad_items
    client.force_login(chief)
    full = client.get(reverse("tasks:list"))
    fragment = client.get(reverse("tasks:list"), HTTP_HX_REQUEST="true")
    assert "HX-Request" in full["Vary"] and "HX-Request" in fragment["Vary"]
    assert "<html" in full.content.decode() and "<html" not in fragment.content.decode()
    assert f'data-task="{items[0].pk}"' in fragment.content.decode()


def test_every_page_is_rendered_for_its_reader_with_their_own_csrf_token(squad_items):
    from django.test import Client

    chief, owner, items = squad_items
    tokens = []
    for person in (chief, owner):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(person)
        page = _page(browser, reverse("tasks:detail", args=[items[0].pk]))
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
        assert person.display_name in page
        response = browser.post(reverse("tasks:update", args=[items[0].pk]), {
            "csrfmiddlewaretoken": tokens[-1], "status": "in_progress", "progress": 10, "note": "在办",
            "version": items[0].__class__.objects.get(pk=items[0].pk).version})
        assert response.status_code in (200, 302)
    assert tokens[0] != tokens[1]


def test_the_bulletin_body_is_rendered_once_per_version_and_language(client):
    from reports import charts
    from reports import services as report_services
    from tests.reports.builders import WEEK, build_week

    scene = build_week()
    bulletin, _created = report_services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0],
                                                        iso_week=WEEK[1])
    client.force_login(scene.leader)
    url = reverse("reports:bulletin", args=[bulletin.pk])
    body = re.compile(r'<section class="card bulletin-summary">.*<div class="chart-wrap">', re.S)
    with mock.patch("reports.views.trend_svg", wraps=charts.trend_svg) as chart:
        first, second = _page(client, url), _page(client, url)
        assert chart.call_count == 1
        client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert chart.call_count == 2
        # A new version is a new row: its body is rendered afresh.
        new = report_services.regenerate_bulletin(bulletin=bulletin, by=scene.admin)
        _page(client, reverse("reports:bulletin", args=[new.pk]))
        assert chart.call_count == 3
    assert body.search(first).group(0) == body.search(second).group(0)


def test_the_cache_has_a_redis_database_of_its_own_and_a_prefix_per_release():
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert settings.CACHES["default"]["LOCATION"] != settings.CELERY_BROKER_URL
    assert settings.CACHES["default"]["KEY_PREFIX"]


@pytest.mark.parametrize("changed", ["reports/services/bulletins.py", "templates/reports/_bulletin_body.html",
                                     "static/css/print.css", "campaign/locale/zh_Hans/LC_MESSAGES/django.mo"])
def test_the_release_prefix_changes_with_the_code_the_templates_the_styles_and_the_translations(
        tmp_path, monkeypatch, changed):
    from campaign import settings as project_settings

    for name in ("reports/services/bulletins.py", "templates/reports/_bulletin_body.html", "static/css/print.css",
                 "campaign/locale/zh_Hans/LC_MESSAGES/django.mo", "static/vendor/big.js"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"as released")
    monkeypatch.setattr(project_settings, "BASE_DIR", tmp_path)
    before = project_settings._release()
    (tmp_path / "static/vendor/big.js").write_bytes(b"a vendored file is not read")
    assert project_settings._release() == before
    (tmp_path / changed).write_bytes(b"changed")
    assert project_settings._release() != before
