"""/api/v1/inspections/ and /api/v1/findings/: the same rules as the pages, through the same services."""

import datetime

import pytest
from django.utils import timezone

from inspections.models import Finding, Inspection
from tests.factories import api
from tests.inspections.factories import log_finding, not_a_photo, photo, rectify, street_category

pytestmark = pytest.mark.django_db
FINDINGS = "/api/v1/findings/"


def test_an_inspector_logs_a_finding_with_photos_as_multipart(people, district):
    response = api(people["inspector1"]).post(FINDINGS, {
        "category": street_category().pk, "description": "占道经营", "latitude": "30.265000",
        "longitude": "120.150000", "photos": [photo("a.jpg"), photo("b.jpg")],
    }, format="multipart")
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "dispatched" and body["light"] == "green"
    assert body["responsible_unit"] == district.squads[0].pk
    assert len(body["photos"]) == 2
    assert api(people["squad1"]).get(body["photos"][0]["url"]).status_code == 200
    assert api(people["squad2"]).get(body["photos"][0]["url"]).status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"photos": []}, "photos"),
    ({"photos": [not_a_photo()]}, "photos"),
    ({"latitude": "", "longitude": ""}, "latitude"),
    ({"deadline": "2020-01-01T00:00:00Z"}, "deadline"),
    ({"category": 999999}, "category"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(people, change, field):
    data = {"category": street_category().pk, "description": "占道经营", "latitude": "30.265000",
            "longitude": "120.150000", "photos": [photo()]}
    data.update(change)
    data = {k: v for k, v in data.items() if v not in ("", [])}
    response = api(people["inspector1"]).post(FINDINGS, data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert not Finding.objects.exists()


def test_a_member_without_a_tier_gets_403(people):
    response = api(people["member2"]).post(FINDINGS, {
        "category": street_category().pk, "description": "x", "latitude": "30.265", "longitude": "120.15",
        "photos": [photo()]}, format="multipart")
    assert response.status_code == 403


def test_the_loop_through_the_actions(people):
    finding = log_finding(by=people["inspector1"])
    base = f"{FINDINGS}{finding.pk}/"
    assert api(people["squad2"]).post(base + "rectify/", {"note": "x"}).status_code == 404
    assert api(people["inspector1"]).post(base + "rectify/", {"note": "x", "photos": [photo()], "version": 1},
                                          format="multipart").status_code == 403
    # Without the version it saw, a change could overwrite one it never saw.
    assert api(people["squad1"]).post(base + "rectify/", {"note": "x", "photos": [photo()]},
                                      format="multipart").status_code == 428
    response = api(people["squad1"]).post(base + "rectify/", {"note": "已清理", "photos": [photo()],
                                                              "version": finding.version}, format="multipart")
    assert response.status_code == 200 and response.json()["status"] == "rectified"
    assert api(people["squad1"]).post(base + "verify/", {"version": 2}).status_code == 403
    stale = api(people["inspector1"]).post(base + "verify/", {"version": finding.version})
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "rectified"
    assert stale["ETag"] == '"2"'
    past = api(people["inspector1"]).post(base + "return/", {"note": "不彻底", "new_deadline": "2020-01-01T00:00Z",
                                                             "version": 2})
    assert past.status_code == 400 and "new_deadline" in past.json()
    new_deadline = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = api(people["inspector1"]).post(base + "return/", {"note": "不彻底", "new_deadline": new_deadline,
                                                                 "version": 2})
    assert response.json()["rework_count"] == 1 and response.json()["status"] == "returned"
    rectify(Finding.objects.get(pk=finding.pk), people["member2"])
    response = api(people["leader"]).post(base + "verify/", {"note": "到位", "version": 4})
    body = response.json()
    assert (body["status"], body["closed_on_time"]) == ("closed", True)
    assert [v["result"] for v in body["verifications"]] == ["returned", "closed"]


def test_findings_list_filters_and_visibility(people, district):
    mine = log_finding(by=people["inspector1"])
    other = log_finding(by=people["inspector1"], site=district.sites[6])
    ids = [f["id"] for f in api(people["squad1"]).get(FINDINGS).json()["results"]]
    assert ids == [mine.pk]
    ids = [f["id"] for f in api(people["leader"]).get(FINDINGS, {"unit": district.squads[1].pk}).json()["results"]]
    assert ids == [other.pk]
    assert api(people["squad1"]).get(f"{FINDINGS}{other.pk}/").status_code == 404


def test_inspections_are_started_through_the_api_with_the_tier_rules(people, district):
    today = timezone.localdate().isoformat()
    response = api(people["member1"]).post("/api/v1/inspections/", {"tier": 3, "topic": "自查", "date": today},
                                           format="json")
    assert response.status_code == 201 and response.json()["squad"] == district.squads[0].pk
    response = api(people["member1"]).post("/api/v1/inspections/", {
        "tier": 3, "topic": "越界", "date": today, "target_units": [district.squads[1].pk]}, format="json")
    assert response.status_code == 403
    response = api(people["inspector1"]).post("/api/v1/inspections/", {"tier": 2, "topic": "定向", "date": today},
                                              format="json")
    assert response.status_code == 400 and "target_units" in response.json()
    assert Inspection.objects.count() == 1
    assert [i["topic"] for i in api(people["squad1"]).get("/api/v1/inspections/").json()["results"]] == ["自查"]
    assert api(people["squad2"]).get("/api/v1/inspections/").json()["results"] == []


def _many(people, district, n):
    for i in range(n):
        finding = log_finding(by=people["inspector1"], site=district.sites[i % 4])
        if i % 2:
            rectify(finding, people["squad1"])


@pytest.mark.parametrize("n", [5, 50])
def test_the_findings_endpoint_runs_the_same_queries_for_5_and_50(people, district, n, django_assert_num_queries):
    _many(people, district, n)
    client = api(people["leader"])
    # count, page of findings (joined category + major, unit, reporter, site), photos, rectifications,
    # verifications, routing events, requests for more time
    with django_assert_num_queries(7):
        response = client.get(FINDINGS)
    assert response.json()["count"] == n
