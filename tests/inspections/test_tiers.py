"""Tier rules, enforced in the services: tier 1 leaders anywhere, tier 2 the inspection squad anywhere,
tier 3 a squad's designated inspector inside that squad only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections import rules, services
from inspections.models import Finding, Inspection, Tier
from tests.inspections.factories import log_finding

pytestmark = pytest.mark.django_db


def _start(by, tier, **kw):
    kw.setdefault("topic", "背街小巷专项督查")
    kw.setdefault("date", timezone.localdate())
    return services.inspection_start(by=by, tier=tier, **kw)


def test_each_role_gets_its_tiers(people):
    assert rules.tiers_for(people["leader"]) == [Tier.BUREAU]
    assert rules.tiers_for(people["inspector1"]) == [Tier.DIRECTED]
    assert rules.tiers_for(people["member1"]) == [Tier.INTERNAL]
    for name in ("member2", "squad1", "admin"):
        assert rules.tiers_for(people[name]) == []


def test_a_leader_runs_tier1_anywhere(people, district):
    inspection = _start(people["leader"], Tier.BUREAU, target_units=district.squads[5:7])
    assert inspection.tier == 1 and inspection.squad is None


@pytest.mark.parametrize("username", ["inspector1", "member1", "squad1", "admin"])
def test_only_leaders_run_tier1(people, username):
    with pytest.raises(PermissionDenied):
        _start(people[username], Tier.BUREAU)
    assert not Inspection.objects.exists()


def test_the_inspection_squad_runs_tier2_aimed_at_named_units_or_sites(people, district):
    with pytest.raises(ValidationError):
        _start(people["inspector1"], Tier.DIRECTED)
    inspection = _start(people["inspector1"], Tier.DIRECTED, target_sites=[district.sites[20]],
                        inspectors=[people["inspector2"]])
    assert set(inspection.inspectors.all()) == {people["inspector1"], people["inspector2"]}
    with pytest.raises(PermissionDenied):
        _start(people["leader"], Tier.DIRECTED, target_units=district.squads[:1])


def test_tier3_stays_inside_the_inspectors_own_squad(people, district):
    own = _start(people["member1"], Tier.INTERNAL)  # owner: the designated inspector of squad 1
    assert own.squad == district.squads[0]
    assert list(own.target_units.all()) == [district.squads[0]]
    with pytest.raises(PermissionDenied):
        _start(people["member1"], Tier.INTERNAL, target_units=[district.squads[1]])
    with pytest.raises(PermissionDenied):
        _start(people["member1"], Tier.INTERNAL, target_sites=[district.sites[4]])  # a site of squad 2
    with pytest.raises(PermissionDenied):  # colleague in the same squad, not designated
        _start(people["member2"], Tier.INTERNAL)
    with pytest.raises(ValidationError):  # an outsider cannot join a squad's own inspection
        _start(people["member1"], Tier.INTERNAL, inspectors=[people["inspector1"]])


def test_a_tier3_inspector_logs_findings_in_their_squad_only(people, district):
    assert log_finding(by=people["member1"], site=district.sites[0]).tier == Tier.INTERNAL
    with pytest.raises(PermissionDenied):
        log_finding(by=people["member1"], site=district.sites[4])
    with pytest.raises(PermissionDenied):  # squad 2's territory, by coordinates
        log_finding(by=people["member1"], latitude=district.sites[4].latitude,
                    longitude=district.sites[4].longitude)
    with pytest.raises(PermissionDenied):  # naming another squad responsible
        log_finding(by=people["member1"], site=district.sites[0], responsible_unit=district.squads[1])
    assert Finding.objects.count() == 1


@pytest.mark.parametrize("username", ["member2", "squad1", "admin"])
def test_people_without_a_tier_log_no_findings(people, username):
    with pytest.raises(PermissionDenied):
        log_finding(by=people[username])
    assert not Finding.objects.exists()


def test_findings_in_an_inspection_take_its_tier_and_only_its_inspectors_add_them(people, district):
    inspection = _start(people["leader"], Tier.BUREAU, target_units=district.squads[:1],
                        inspectors=[people["leader2"]])
    finding = log_finding(by=people["leader2"], inspection=inspection)
    assert (finding.tier, finding.campaign) == (Tier.BUREAU, inspection.campaign)
    with pytest.raises(PermissionDenied):
        log_finding(by=people["inspector1"], inspection=inspection)
    services.inspection_finish(inspection=inspection, by=people["leader"], summary="总体良好")
    with pytest.raises(PermissionDenied):
        log_finding(by=people["leader2"], inspection=inspection)


def test_only_the_lead_inspector_or_a_leader_finishes(people, district):
    inspection = _start(people["inspector1"], Tier.DIRECTED, target_units=district.squads[:1],
                        inspectors=[people["inspector2"]])
    with pytest.raises(PermissionDenied):
        services.inspection_finish(inspection=inspection, by=people["inspector2"])
    done = services.inspection_finish(inspection=inspection, by=people["inspector1"], summary="完成")
    assert done.status == Inspection.Status.FINISHED and done.finished_at


def test_check_results_are_recorded_once_per_check_and_site(people, district):
    site = district.sites[0]
    inspection = _start(people["member1"], Tier.INTERNAL, target_sites=[site])
    checks = list(site.point_type.checks.all()[:2])
    assert checks, "the demo point type has a check list"
    services.inspection_record_checks(inspection=inspection, by=people["member1"], site=site,
                                      results={checks[0]: True})
    services.inspection_record_checks(inspection=inspection, by=people["member1"], site=site,
                                      results={checks[0]: False})
    assert inspection.results.get().passed is False
    with pytest.raises(PermissionDenied):
        services.inspection_record_checks(inspection=inspection, by=people["member2"], site=site,
                                          results={checks[0]: True})
