"""Logging a finding: photos, location (browser, site, photo GPS), category, deadline; bad input saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaign.models import EventCategory
from inspections import services
from inspections.models import Finding, FindingPhoto
from tests.inspections.factories import log_finding, not_a_photo, photo, street_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(district):
    return district.people["inspector1"]


def _create(inspector, **kw):
    kw.setdefault("category", street_category())
    kw.setdefault("description", "占道经营")
    kw.setdefault("photos", [photo()])
    return services.finding_create(by=inspector, **kw)


def _assert_nothing_saved():
    assert not Finding.objects.exists()
    assert not FindingPhoto.objects.exists()


def test_without_a_photo_nothing_is_saved(inspector):
    with pytest.raises(ValidationError) as exc:
        _create(inspector, photos=[], latitude=30.265, longitude=120.15)
    assert "photos" in exc.value.message_dict
    _assert_nothing_saved()


def test_a_file_that_is_not_a_photo_is_refused_by_the_shared_upload_checks(inspector):
    with pytest.raises(ValidationError) as exc:
        _create(inspector, photos=[photo(), not_a_photo()], latitude=30.265, longitude=120.15)
    assert "notes.pdf" in " ".join(exc.value.message_dict["photos"])
    _assert_nothing_saved()


def test_without_any_location_nothing_is_saved(inspector):
    with pytest.raises(ValidationError) as exc:
        _create(inspector)
    assert "latitude" in exc.value.message_dict
    _assert_nothing_saved()


def test_the_photos_exif_gps_is_used_when_the_browser_gives_none(inspector, district):
    finding = _create(inspector, photos=[photo(gps=(30.2651, 120.1502))])
    assert (finding.latitude, finding.longitude) == (Decimal("30.265100"), Decimal("120.150200"))
    assert finding.location_source == Finding.LocationSource.PHOTO
    assert finding.responsible_unit == district.squads[0]
    stored = finding.photos.get()
    assert stored.has_location and stored.captured_at is not None


def test_the_browser_location_wins_over_the_photo(inspector):
    finding = _create(inspector, latitude=Decimal("30.266"), longitude=Decimal("120.151"),
                      photos=[photo(gps=(30.2651, 120.1502))])
    assert finding.location_source == Finding.LocationSource.BROWSER
    assert finding.latitude == Decimal("30.266")


def test_a_picked_site_gives_coordinates_unit_point_type_and_address(inspector, district):
    site = district.sites[5]
    finding = _create(inspector, site=site)
    assert finding.location_source == Finding.LocationSource.SITE
    assert (finding.latitude, finding.responsible_unit, finding.point_type) == (site.latitude, site.unit,
                                                                                 site.point_type)
    assert finding.address == site.address


def test_a_past_deadline_is_refused(inspector):
    with pytest.raises(ValidationError) as exc:
        _create(inspector, latitude=30.265, longitude=120.15, deadline=timezone.now() - datetime.timedelta(hours=1))
    assert "deadline" in exc.value.message_dict
    _assert_nothing_saved()


def test_a_major_category_or_none_is_refused(inspector):
    major = EventCategory.objects.get(name="街面秩序", parent=None)
    for bad in (major, None):
        with pytest.raises(ValidationError) as exc:
            _create(inspector, latitude=30.265, longitude=120.15, category=bad)
        assert "category" in exc.value.message_dict
    _assert_nothing_saved()


def test_a_point_outside_every_jurisdiction_needs_a_unit(inspector, district):
    with pytest.raises(ValidationError) as exc:
        _create(inspector, latitude=31.5, longitude=121.5)
    assert "responsible_unit" in exc.value.message_dict
    finding = _create(inspector, latitude=31.5, longitude=121.5, responsible_unit=district.squads[3])
    assert finding.responsible_unit == district.squads[3]


def test_a_failed_check_brings_its_standard(inspector, district):
    site = district.sites[0]
    check = site.point_type.checks.exclude(standard=None).first() or site.point_type.checks.first()
    finding = log_finding(by=inspector, site=site, check_item=check)
    assert finding.check_item == check
    assert finding.standard == check.standard
    assert finding.point_type == check.point_type


def test_several_photos_are_all_kept(inspector):
    finding = log_finding(by=inspector, photos=[photo("a.jpg"), photo("b.jpg"), photo("c.jpg")])
    assert finding.photos.count() == 3
