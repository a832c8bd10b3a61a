"""The closed loop by role: dispatched → rectified → closed, or returned for rework and rectified again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from campaign.core.errors import StaleEdit
from inspections import services
from inspections.models import Finding, FindingPhoto, Verification
from tests.inspections.factories import close, log_finding, photo, rectify

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(people):
    return log_finding(by=people["inspector1"])


def test_a_logged_finding_is_dispatched_to_the_squad_whose_jurisdiction_holds_it(finding, district):
    assert finding.status == Finding.Status.DISPATCHED
    assert finding.responsible_unit == district.squads[0]
    assert finding.tier == 2
    assert finding.dispatched_at == finding.reported_at
    assert finding.deadline == finding.dispatched_at + datetime.timedelta(hours=finding.category.time_limit_hours)
    assert finding.photos.filter(phase=FindingPhoto.Phase.BEFORE).count() == 1


@pytest.mark.parametrize("username", ["squad1", "member2", "member1"])
def test_the_responsible_squads_people_rectify(finding, people, username):
    finding = rectify(finding, people[username])
    assert finding.status == Finding.Status.RECTIFIED
    assert finding.first_rectified_at == finding.rectified_at
    assert finding.photos.filter(phase=FindingPhoto.Phase.AFTER).count() == 1


@pytest.mark.parametrize("username", ["squad2", "member4", "inspector1", "inspector2", "leader", "admin"])
def test_nobody_else_rectifies(finding, people, username):
    with pytest.raises(PermissionDenied):
        rectify(finding, people[username])
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DISPATCHED
    assert not finding.rectifications.exists()


def test_rectifying_needs_an_after_photo_and_a_note(finding, people):
    with pytest.raises(ValidationError) as exc:
        services.finding_rectify(finding=finding, by=people["squad1"], note="已清理", photos=[])
    assert "photos" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.finding_rectify(finding=finding, by=people["squad1"], note=" ", photos=[photo()])
    assert not finding.rectifications.exists()


@pytest.mark.parametrize("username", ["inspector1", "inspector2", "leader"])
def test_the_reporter_the_inspection_squad_and_leaders_close(finding, people, username):
    finding = close(rectify(finding, people["squad1"]), people[username])
    assert finding.status == Finding.Status.CLOSED
    assert finding.closed_on_time is True
    assert finding.verifications.get().result == Verification.Result.CLOSED


@pytest.mark.parametrize("username", ["squad1", "member1", "member2", "squad2", "member4", "admin"])
def test_the_squad_never_closes_its_own_finding_and_others_cannot_either(finding, people, username):
    finding = rectify(finding, people["squad1"])
    with pytest.raises(PermissionDenied):
        services.finding_close(finding=finding, by=people[username])
    with pytest.raises(PermissionDenied):
        services.finding_return(finding=finding, by=people[username], note="不合格",
                                new_deadline=timezone.now() + datetime.timedelta(days=1))
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RECTIFIED
    assert not finding.verifications.exists()


def test_a_tier3_inspectors_own_squad_finding_is_closed_by_the_inspection_squad(people):
    finding = log_finding(by=people["member1"])
    assert finding.tier == 3
    finding = rectify(finding, people["member2"])
    with pytest.raises(PermissionDenied):
        services.finding_close(finding=finding, by=people["member1"])  # the reporter, but of the squad
    assert close(finding, people["inspector2"]).status == Finding.Status.CLOSED


def test_verifying_an_unrectified_finding_is_refused(finding, people):
    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, by=people["inspector1"])
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.DISPATCHED


def test_a_closed_finding_cannot_be_rectified_or_verified_again(finding, people):
    finding = close(rectify(finding, people["squad1"]), people["inspector1"])
    with pytest.raises(ValidationError):
        rectify(finding, people["squad1"])
    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, by=people["inspector1"])


def test_returning_counts_a_rework_and_restarts_the_clock_with_the_new_deadline(finding, people):
    finding = rectify(finding, people["squad1"])
    first_rectified = finding.first_rectified_at
    new_deadline = timezone.now() + datetime.timedelta(hours=12)
    services.finding_return(finding=finding, by=people["inspector1"], note="仍有货架", new_deadline=new_deadline)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RETURNED
    assert finding.rework_count == 1
    assert finding.deadline == new_deadline
    assert finding.clock_start > finding.dispatched_at

    finding = rectify(finding, people["member2"])
    assert finding.first_rectified_at == first_rectified
    assert finding.rectified_at > first_rectified
    services.finding_return(finding=finding, by=people["leader"], note="再次返工",
                            new_deadline=timezone.now() + datetime.timedelta(hours=6))
    finding = close(rectify(Finding.objects.get(pk=finding.pk), people["squad1"]), people["inspector2"])
    assert finding.rework_count == 2
    assert finding.status == Finding.Status.CLOSED
    assert finding.verifications.filter(result=Verification.Result.RETURNED).count() == 2


def test_a_return_needs_a_future_deadline_and_a_reason(finding, people):
    finding = rectify(finding, people["squad1"])
    with pytest.raises(ValidationError) as exc:
        services.finding_return(finding=finding, by=people["inspector1"], note="不合格",
                                new_deadline=timezone.now() - datetime.timedelta(hours=1))
    assert "new_deadline" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.finding_return(finding=finding, by=people["inspector1"], note="",
                                new_deadline=timezone.now() + datetime.timedelta(hours=1))
    finding.refresh_from_db()
    assert (finding.status, finding.rework_count) == (Finding.Status.RECTIFIED, 0)


def test_a_late_rectification_closes_not_on_time(finding, people):
    finding = rectify(finding, people["squad1"])
    Finding.objects.filter(pk=finding.pk).update(rectified_at=finding.deadline + datetime.timedelta(minutes=1))
    assert close(finding, people["inspector1"]).closed_on_time is False


def test_a_stale_version_is_refused_and_nothing_changes(finding, people):
    stale = finding.version
    rectify(finding, people["squad1"])
    with pytest.raises(StaleEdit) as exc:
        services.finding_close(finding=finding, by=people["inspector1"], expected_version=stale)
    assert exc.value.current.version == stale + 1
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.RECTIFIED
