"""The pages: who sees what (404 for others' findings, 403 for forbidden actions), forms refusing bad input,
and list pages whose query count does not grow with the number of findings."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, Inspection
from tests.inspections.factories import due_soon, log_finding, not_a_photo, overdue, photo, rectify, street_category

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _form(category, **extra):
    data = {"category": category.pk, "description": "占道经营", "severity": "general",
            "latitude": "30.265000", "longitude": "120.150000"}
    data.update(extra)
    return data


def test_an_inspector_logs_a_finding_with_the_form_and_lands_on_it(client, people):
    cat = street_category()
    response = _client(client, people["inspector1"]).post(
        reverse("inspections:finding_new"), _form(cat, photos=[photo("a.jpg"), photo("b.jpg")]))
    finding = Finding.objects.get()
    assert response.status_code == 302 and response.url == reverse("inspections:finding_detail", args=[finding.pk])
    assert finding.photos.count() == 2
    page = client.get(response.url)
    assert page.status_code == 200
    assert "geo:30.265000,120.150000" in page.content.decode()


@pytest.mark.parametrize(("change", "field"), [
    ({"photos": []}, "photos"),
    ({"photos": [not_a_photo()]}, "photos"),
    ({"latitude": "", "longitude": ""}, "latitude"),
    ({"deadline": "2020-01-01T08:00"}, "deadline"),
    ({"category": "999999"}, "category"),
])
def test_the_finding_form_refuses_bad_input_and_saves_nothing(client, people, change, field):
    data = _form(street_category(), photos=[photo()])
    data.update(change)
    response = _client(client, people["inspector1"]).post(reverse("inspections:finding_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Finding.objects.exists()


def test_the_finding_form_offers_the_check_list_of_a_point_type(client, people, district):
    point_type = district.sites[0].point_type
    response = _client(client, people["inspector1"]).get(
        reverse("inspections:finding_checklist"), {"point_type": point_type.pk})
    body = response.content.decode()
    check = point_type.checks.first()
    assert f'name="check_{check.pk}"' in body and 'value="fail"' in body


def test_a_failed_check_prefills_the_finding_and_the_results_are_recorded_on_the_inspection(client, people,
                                                                                              district):
    from inspections import services

    site = district.sites[0]
    inspection = services.inspection_start(by=people["inspector1"], tier=2, topic="定向督查",
                                           date=timezone.localdate(), target_units=[site.unit])
    checks = list(site.point_type.checks.all()[:2])
    url = reverse("inspections:finding_new") + f"?inspection={inspection.pk}&site={site.pk}&check_item={checks[0].pk}"
    page = _client(client, people["inspector1"]).get(url)
    assert page.context["form"].initial["description"] == checks[0].text
    data = _form(street_category(), photos=[photo()], inspection=inspection.pk, site=site.pk,
                 point_type=site.point_type.pk, check_item=checks[0].pk,
                 **{f"check_{checks[0].pk}": "fail", f"check_{checks[1].pk}": "pass"})
    assert client.post(reverse("inspections:finding_new"), data).status_code == 302
    finding = Finding.objects.get()
    assert (finding.inspection, finding.check_item, finding.standard) == (inspection, checks[0], checks[0].standard)
    assert {(r.check_item, r.passed) for r in inspection.results.all()} == {(checks[0], False), (checks[1], True)}
    report = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    assert report.status_code == 200 and f"#{finding.pk}" in report.content.decode()


def test_the_propose_endpoint_names_the_unit_and_the_deadline(client, people, district):
    cat = street_category()
    data = _client(client, people["inspector1"]).get(reverse("inspections:finding_propose"),
                                                     {"category": cat.pk, "lat": "30.265", "lon": "120.15"}).json()
    assert data["unit"] == district.squads[0].pk
    assert data["deadline"]


def test_a_squad_sees_its_findings_and_another_squad_gets_404(client, people):
    finding = log_finding(by=people["inspector1"])
    url = reverse("inspections:finding_detail", args=[finding.pk])
    assert _client(client, people["squad1"]).get(url).status_code == 200
    assert _client(client, people["member2"]).get(url).status_code == 200
    assert _client(client, people["squad2"]).get(url).status_code == 404
    photo_url = reverse("inspections:finding_photo", args=[finding.photos.get().pk])
    assert client.get(photo_url).status_code == 404
    assert _client(client, people["leader"]).get(photo_url).status_code == 200


def test_our_open_findings_lists_the_squads_findings_with_lights(client, people, district):
    mine = overdue(log_finding(by=people["inspector1"]))
    log_finding(by=people["inspector1"], site=district.sites[6])  # squad 2
    response = _client(client, people["squad1"]).get(reverse("inspections:unit_findings"))
    rows = response.context["findings"]
    assert [(f.pk, f.light, may) for f, may in rows] == [(mine.pk, "red", True)]


def test_rectify_and_verify_through_the_pages(client, people):
    finding = log_finding(by=people["inspector1"])
    url = reverse("inspections:finding_rectify", args=[finding.pk])
    response = _client(client, people["squad1"]).post(url, {"note": "已清理", "version": finding.version,
                                                            "photos": [photo("after.jpg")]})
    assert response.status_code == 302
    finding.refresh_from_db()
    # the squad cannot close its own finding: a readable 403
    response = client.post(reverse("inspections:finding_close", args=[finding.pk]), {"version": finding.version})
    assert response.status_code == 403
    response = _client(client, people["inspector1"]).post(
        reverse("inspections:finding_return", args=[finding.pk]),
        {"note": "不彻底", "new_deadline": "2020-01-01T08:00", "version": finding.version})
    assert response.status_code == 400
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.RECTIFIED
    response = client.post(reverse("inspections:finding_close", args=[finding.pk]),
                           {"note": "到位", "version": finding.version})
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.CLOSED


def test_a_rectification_without_photo_is_refused_on_the_page(client, people):
    finding = log_finding(by=people["inspector1"])
    response = _client(client, people["squad1"]).post(
        reverse("inspections:finding_rectify", args=[finding.pk]), {"note": "已清理", "version": finding.version})
    assert response.status_code == 400
    assert response.context["rectify_form"].errors["photos"]
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.DISPATCHED


def test_a_squad_member_cannot_open_the_finding_form(client, people):
    assert _client(client, people["member2"]).get(reverse("inspections:finding_new")).status_code == 403
    assert client.get(reverse("inspections:inspection_start")).status_code == 403


def test_starting_an_inspection_from_the_page(client, people, district):
    response = _client(client, people["member1"]).post(reverse("inspections:inspection_start"), {
        "tier": 3, "topic": "中队内部全面督查", "date": timezone.localdate().isoformat(),
        "target_sites": [district.sites[0].pk]})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.squad == district.squads[0]
    response = client.post(reverse("inspections:inspection_start"), {
        "tier": 3, "topic": "越界", "date": timezone.localdate().isoformat(),
        "target_sites": [district.sites[5].pk]})
    assert response.status_code == 200  # squad 2's site is not even offered
    assert Inspection.objects.count() == 1


def test_recording_a_check_list_links_failures_to_prefilled_findings(client, people, district):
    from inspections import services

    site = district.sites[0]
    inspection = services.inspection_start(by=people["member1"], tier=3, topic="自查", date=timezone.localdate())
    check = site.point_type.checks.first()
    url = reverse("inspections:inspection_checks", args=[inspection.pk]) + f"?site={site.pk}"
    response = _client(client, people["member1"]).post(url, {f"check_{check.pk}": "fail"})
    assert response.status_code == 200
    assert f"check_item={check.pk}" in response.content.decode()
    assert inspection.results.get().passed is False


def test_the_findings_filter_menus_start_blank_and_a_blank_tier_keeps_every_tier(client, people):
    from inspections import services

    third = services.inspection_start(by=people["member1"], tier=3, topic="自查", date=timezone.localdate())
    internal = log_finding(by=people["member1"], inspection=third)
    bureau = log_finding(by=people["inspector1"])
    assert internal.tier != bureau.tier
    _client(client, people["leader"])
    page = client.get(reverse("inspections:finding_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    menu = re.search(r'<select name="tier"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.match(r'\s*<option value=""[^>]*>---------</option>', menu), menu  # nothing chosen shows nothing
    listed = [f.pk for f in client.get(reverse("inspections:finding_list"), {"tier": ""}).context["page"].object_list]
    assert {internal.pk, bureau.pk} <= set(listed)


def test_the_findings_list_filters(client, people, district):
    red = overdue(log_finding(by=people["inspector1"]))
    yellow = due_soon(log_finding(by=people["inspector1"], latitude=30.27, longitude=120.15))
    other = log_finding(by=people["inspector1"], site=district.sites[6], minor="机动车乱停放")
    _client(client, people["leader"])

    def pks(**params):
        return [f.pk for f in client.get(reverse("inspections:finding_list"), params).context["page"].object_list]

    assert pks(light="red") == [red.pk]
    assert pks(light="yellow") == [yellow.pk]
    assert pks(light="green") == [other.pk]
    assert pks(unit=district.squads[1].pk) == [other.pk]
    assert set(pks(category=other.category.parent_id)) == {other.pk, red.pk, yellow.pk}
    assert pks(category=other.category_id) == [other.pk]
    assert pks(tier=3) == []
    assert pks(rebound="true") == []
    today = pks(status="dispatched", date_from=timezone.localdate().isoformat())
    assert other.pk in today and red.pk not in today  # red was reported more than a day ago
    assert red.pk in pks(date_to=(timezone.localdate() - datetime.timedelta(days=1)).isoformat())


def _many(people, district, n):
    squads_sites = district.sites[:4]
    for i in range(n):
        finding = log_finding(by=people["inspector1"], site=squads_sites[i % 4])
        if i % 3 == 0:
            rectify(finding, people["squad1"])


@pytest.mark.parametrize("n", [5, 50])
def test_the_findings_list_page_runs_the_same_queries_for_5_and_50_findings(client, people, district, n,
                                                                          django_assert_num_queries):
    _many(people, district, n)
    _client(client, people["leader"])
    url = reverse("inspections:finding_list")
    # session, user with their unit, count, filter choices: units, categories,
    # page of findings (joined category + major, unit, reporter, site; light annotated),
    # the unread-notices count of the layout's menu, the top bar's 待办 count and the current campaign it
    # counts tasks of (cached reference data, read while the fixtures' writes keep it out of the cache).
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [5, 50])
def test_our_open_findings_runs_the_same_queries_for_5_and_50(client, people, district, n,
                                                              django_assert_num_queries):
    _many(people, district, n)
    _client(client, people["squad1"])
    # session, user with their unit, findings (joined, light annotated), their photos,
    # the unread-notices count of the layout's menu, the top bar's 待办 count, and cached reference data
    # read while the fixtures' writes keep it out of the cache: the unit tree (which units are the squad's;
    # read by the list and by the 待办's findings and tasks) and the current campaign the top bar counts
    # tasks of.
    with django_assert_num_queries(10):
        assert client.get(reverse("inspections:unit_findings")).status_code == 200


def test_relapse_places_page_lists_a_place_with_three_relapses(client, people, district):
    from tests.inspections.factories import closed_finding

    site = district.sites[2]
    for _ in range(4):
        closed_finding(by=people["inspector1"], squad_leader=people["squad1"], site=site)
    response = _client(client, people["leader"]).get(reverse("inspections:relapse_places"))
    assert [(p["site"], p["relapses"]) for p in response.context["places"]] == [(site, 3)]


def test_the_export_is_an_excel_file_of_the_filtered_findings_with_photo_links(client, people):
    import io

    from openpyxl import load_workbook

    log_finding(by=people["inspector1"], description="=HYPERLINK(\"http://evil\")")
    response = _client(client, people["leader"]).get(reverse("inspections:finding_export"), {"status": "dispatched"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    _header, row = rows
    assert row[5] == "'=HYPERLINK(\"http://evil\")"  # the description column, neutralised
    finding = Finding.objects.get()
    photo_urls = ["http://testserver" + reverse("inspections:finding_photo", args=[p.pk])
                  for p in finding.photos.filter(phase="before").order_by("uploaded_at", "pk")]
    assert row[20] == "\n".join(photo_urls) and not row[21]  # photos before, none after
    assert (row[2], row[6], row[13]) == (finding.get_tier_display(), finding.get_severity_display(),
                                         finding.get_status_display())
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2" and sheet.column_dimensions["F"].width == 40


def test_without_a_browser_location_the_photos_gps_places_the_finding(client, people, district):
    data = _form(street_category(), latitude="", longitude="", photos=[photo(gps=(30.2651, 120.1502))])
    response = _client(client, people["inspector1"]).post(reverse("inspections:finding_new"), data)
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.location_source, finding.responsible_unit) == ("photo", district.squads[0])
