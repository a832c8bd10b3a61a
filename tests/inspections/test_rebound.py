"""Rebound (反弹): same category, same site or within the radius, of a finding closed within the window."""

from decimal import Decimal

import pytest

from campaign.core.geo import distance_m
from inspections.selectors import relapse_count_at, relapse_places
from tests.inspections.factories import closed_finding, log_finding

pytestmark = pytest.mark.django_db

LAT, LON = Decimal("30.265000"), Decimal("120.150000")
# 0.0004° of latitude ≈ 44 m, 0.0006° ≈ 67 m.
NEAR_LAT, FAR_LAT = LAT + Decimal("0.0004"), LAT + Decimal("0.0006")


def _closed(people, **kw):
    return closed_finding(by=people["inspector1"], squad_leader=people["squad1"], **kw)


def test_the_radius_fixtures_are_where_the_test_says():
    assert distance_m(float(LAT), float(LON), float(NEAR_LAT), float(LON)) < 50 < distance_m(
        float(LAT), float(LON), float(FAR_LAT), float(LON))


def test_same_category_inside_radius_and_window_is_a_rebound_linked_to_the_latest_close(people):
    _closed(people, latitude=LAT, longitude=LON, closed_days_ago=10)
    latest = _closed(people, latitude=LAT, longitude=LON, closed_days_ago=2)
    new = log_finding(by=people["inspector2"], latitude=NEAR_LAT, longitude=LON)
    assert new.is_rebound
    assert new.rebound_of == latest


def test_outside_the_radius_is_not_a_rebound(people):
    _closed(people, latitude=LAT, longitude=LON, closed_days_ago=2)
    assert not log_finding(by=people["inspector2"], latitude=FAR_LAT, longitude=LON).is_rebound


def test_outside_the_window_is_not_a_rebound(people, district):
    _closed(people, latitude=LAT, longitude=LON, closed_days_ago=district.campaign.rebound_window_days + 1)
    assert not log_finding(by=people["inspector2"], latitude=LAT, longitude=LON).is_rebound


def test_the_radius_and_window_are_campaign_settings(people, district):
    district.campaign.rebound_radius_m = 100
    district.campaign.save()
    _closed(people, latitude=LAT, longitude=LON, closed_days_ago=2)
    assert log_finding(by=people["inspector2"], latitude=FAR_LAT, longitude=LON).is_rebound


def test_another_category_is_not_a_rebound(people):
    _closed(people, latitude=LAT, longitude=LON, closed_days_ago=1)
    assert not log_finding(by=people["inspector2"], latitude=LAT, longitude=LON, minor="机动车乱停放").is_rebound


def test_an_open_finding_nearby_is_not_a_rebound_source(people):
    log_finding(by=people["inspector1"], latitude=LAT, longitude=LON)
    assert not log_finding(by=people["inspector2"], latitude=LAT, longitude=LON).is_rebound


def test_the_same_site_is_a_rebound_even_far_from_the_first_position(people, district):
    site = district.sites[0]
    far_from_site = {"latitude": site.latitude + Decimal("0.002"), "longitude": site.longitude}
    first = _closed(people, site=site, closed_days_ago=3, **far_from_site)
    new = log_finding(by=people["inspector2"], site=site)
    assert new.is_rebound and new.rebound_of == first


def test_places_with_three_relapses_are_listed_with_their_count(people, district):
    site = district.sites[1]
    for _ in range(3):
        _closed(people, site=site, closed_days_ago=0)
    # a site-less place with two relapses stays off the list
    for _ in range(3):
        _closed(people, latitude=LAT, longitude=LON)
    assert relapse_places(district.campaign) == []  # two relapses at each place so far
    newest = log_finding(by=people["inspector2"], site=site)
    assert [(p["site"], p["relapses"]) for p in relapse_places(district.campaign)] == [(site, 3)]
    assert relapse_count_at(newest) == 3


def test_site_less_findings_are_grouped_by_a_cell_of_about_a_hundred_metres(people, district):
    for _ in range(4):
        _closed(people, latitude=LAT, longitude=LON)
    places = relapse_places(district.campaign)
    assert [(p["site"], p["relapses"]) for p in places] == [(None, 3)]
    assert places[0]["latitude"] == round(LAT, 3)
