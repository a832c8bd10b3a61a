"""Navigation entries per role, inspection visibility (owner, colleague, outsider) and the demo data."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.demo import seed
from inspections.models import Finding, FindingPhoto, Inspection, Tier
from inspections.navigation import entries as app_entries
from inspections.selectors import relapse_places, with_light

pytestmark = pytest.mark.django_db


def _urls(user):
    return {e.url for e in app_entries(user)}


def test_each_role_gets_the_entries_it_can_use(people):
    new, ours, findings = (reverse("inspections:finding_new"), reverse("inspections:unit_findings"),
                           reverse("inspections:finding_list"))
    relapses = reverse("inspections:relapse_places")
    assert {new, findings, reverse("inspections:inspection_start")} <= _urls(people["inspector1"])
    assert ours not in _urls(people["inspector1"])
    assert {ours, findings} <= _urls(people["squad1"]) and new not in _urls(people["squad1"])
    assert _urls(people["member2"]) == {ours}
    assert {new, ours} <= _urls(people["member1"])  # a tier-3 inspector is also a squad member
    assert {new, findings, relapses} <= _urls(people["leader"])
    assert {findings, relapses} <= _urls(people["admin"]) and new not in _urls(people["admin"])


def test_a_squads_own_inspection_is_seen_by_its_people_and_not_by_another_squad(client, people):
    inspection = services.inspection_start(by=people["member1"], tier=Tier.INTERNAL, topic="自查",
                                           date=timezone.localdate())
    url = reverse("inspections:inspection_detail", args=[inspection.pk])
    for name, code in (("member1", 200), ("member2", 200), ("squad1", 200), ("inspector1", 200),
                       ("squad2", 404), ("member4", 404)):
        client.force_login(people[name])
        assert client.get(url).status_code == code, name
    client.force_login(people["member2"])  # a colleague sees it but is not one of its inspectors
    assert client.get(reverse("inspections:inspection_checks", args=[inspection.pk])).status_code == 403
    assert client.post(reverse("inspections:inspection_finish", args=[inspection.pk])).status_code == 403


def test_the_demo_runs_the_whole_loop_and_is_idempotent(district):
    seed(district)
    counts = (Inspection.objects.count(), Finding.objects.count(), FindingPhoto.objects.count())
    seed(district)
    assert (Inspection.objects.count(), Finding.objects.count(), FindingPhoto.objects.count()) == counts
    assert set(Inspection.objects.values_list("tier", flat=True)) == {1, 2, 3}
    findings = with_light(Finding.objects.all())
    assert findings.filter(status="closed", closed_on_time=True).count() >= 5
    assert findings.filter(status="closed", closed_on_time=False).exists()
    assert findings.filter(status="closed", rework_count=1).exists()
    assert {"red", "yellow", "green"} <= set(findings.values_list("light", flat=True))
    assert findings.filter(status="rectified").exists()
    assert findings.filter(is_rebound=True).count() >= 3
    assert [p["relapses"] for p in relapse_places(district.campaign)] == [3]
    assert Inspection.objects.filter(status="open").exists()
