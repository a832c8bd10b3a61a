"""Bulletin and meeting pages and endpoints: who may read, who may act, and how many queries they cost."""

import datetime
import re

import pytest
from django.urls import reverse

from reports import selectors, services
from reports.models import Bulletin, MeetingPack
from tests import factories as f
from tests.reports.builders import WEEK, build_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return build_week()


@pytest.fixture
def bulletin(scene):
    b, _ = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    return services.publish_bulletin(bulletin=b, by=None, email=False)


@pytest.fixture
def meeting(scene, bulletin):
    m, _ = services.propose_meeting(campaign_id=scene.campaign.pk, month=datetime.date(2026, 11, 1),
                                    today=datetime.date(2026, 11, 22))
    return m


def test_leaders_squad_leaders_and_inspectors_read_the_bulletin(client, scene, bulletin):
    for person in (scene.leader, scene.leader_a, scene.inspector, scene.admin):
        client.force_login(person)
        response = client.get(reverse("reports:bulletin", args=[bulletin.pk]))
        assert response.status_code == 200
        assert "第一中队" in response.content.decode()


def test_members_do_not_read_bulletins(client, scene, bulletin):
    client.force_login(scene.members_a[0])
    assert client.get(reverse("reports:bulletins")).status_code == 403
    assert client.get(reverse("reports:bulletin", args=[bulletin.pk])).status_code == 403
    assert client.get("/api/v1/bulletins/").status_code == 403


def test_a_draft_is_seen_by_admins_and_leaders_only(client, scene):
    draft, _ = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    client.force_login(scene.leader_a)
    assert client.get(reverse("reports:bulletin", args=[draft.pk])).status_code == 404
    client.force_login(scene.leader)
    assert client.get(reverse("reports:bulletin", args=[draft.pk])).status_code == 200


def test_pdf_and_word_downloads(client, scene, bulletin):
    client.force_login(scene.leader)
    pdf = client.get(reverse("reports:bulletin_pdf", args=[bulletin.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert "attachment" in pdf["Content-Disposition"]
    docx = client.get(reverse("reports:bulletin_docx", args=[bulletin.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_only_admins_regenerate_and_publish(client, scene, bulletin):
    client.force_login(scene.leader)
    assert client.post(reverse("reports:bulletin_regenerate", args=[bulletin.pk])).status_code == 403
    client.force_login(scene.admin)
    response = client.post(reverse("reports:bulletin_regenerate", args=[bulletin.pk]))
    assert response.status_code == 302
    assert Bulletin.objects.filter(iso_week=WEEK[1]).count() == 2


def test_an_admin_writes_a_weeks_bulletin_from_the_page(client, scene):
    client.force_login(scene.admin)
    response = client.post(reverse("reports:bulletin_write"), {"day": "2026-11-18"})
    assert response.status_code == 302
    assert Bulletin.objects.get().iso_week == WEEK[1]
    bad = client.post(reverse("reports:bulletin_write"), {"day": "not a date"}, follow=True)
    assert bad.status_code == 200 and Bulletin.objects.count() == 1


def test_the_bulletin_page_costs_the_same_queries_for_two_or_ten_units(client, scene, bulletin,
                                                                        django_assert_num_queries):
    client.force_login(scene.leader)
    url = reverse("reports:bulletin", args=[bulletin.pk])
    client.get(url)
    # session, user with their unit (header), bulletin (+campaign), the top bar's unread count and 待办
    # count with the current campaign it counts tasks of (cached, but just written here); the body was
    # rendered once (a bulletin version never changes), and the figures are stored JSON, so the number of
    # units changes nothing.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    for n in range(8):
        f.UnitFactory(name=f"新中队{n}", code=f"new{n}")
    bigger = services.regenerate_bulletin(bulletin=bulletin, by=scene.admin)
    assert len(bigger.figures["units"]) == 10
    url = reverse("reports:bulletin", args=[bigger.pk])
    # + its figures, read once to render its body.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_the_bulletin_list_shows_each_weeks_rates_read_out_of_its_figures(client, scene, bulletin,
                                                                          django_assert_num_queries):
    rates = bulletin.figures["overall"]["rates"]
    older = Bulletin.objects.create(campaign=scene.campaign, iso_year=WEEK[0], iso_week=WEEK[1] - 1,
                                    week_start=datetime.date(2026, 11, 9), week_end=datetime.date(2026, 11, 15),
                                    number=6, figures={"overall": {"rates": {"task_completion": 100,
                                                                             "rectification_on_time": 0.5}}})
    Bulletin.objects.create(campaign=scene.campaign, iso_year=WEEK[0], iso_week=WEEK[1] - 2, number=5,
                            week_start=datetime.date(2026, 11, 2), week_end=datetime.date(2026, 11, 8), figures={})
    client.force_login(scene.leader)
    # session, user, the bulletins (+campaign, two rates each), unread count, 待办 count with the current
    # campaign (cached, but just written here)
    with django_assert_num_queries(6):
        page = client.get(reverse("reports:bulletins")).content.decode()
    cells = re.findall(r'<td class="num" data-label="[^"]+">([^<]*)</td>', page)
    # As {{ b.figures.overall.rates.… }} wrote them; a bulletin without figures shows a bare "%".
    assert cells == [f"{rates['task_completion']}%", f"{rates['rectification_on_time']}%", "100%", "0.5%", "%", "%"]
    assert older.pk in [b.pk for b in selectors.bulletin_list(scene.leader)]
    assert "figures" in selectors.bulletin_list(scene.leader).query.deferred_loading[0]


def test_the_api_lists_bulletins_and_gives_the_figures(client, scene, bulletin, django_assert_num_queries):
    client.force_login(scene.leader)
    with django_assert_num_queries(4):  # session, user, count, page (with campaign)
        listing = client.get("/api/v1/bulletins/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    detail = client.get(f"/api/v1/bulletins/{bulletin.pk}/").json()
    assert detail["issue_no"] == "城管创〔2026〕7号"
    assert {u["unit"] for u in detail["figures"]["units"]} == {"第一中队", "第二中队"}
    assert client.get(f"/api/v1/bulletins/{bulletin.pk}/pdf/").content[:4] == b"%PDF"
    assert client.get(f"/api/v1/bulletins/{bulletin.pk}/docx/").content[:2] == b"PK"


def test_meetings_are_for_leaders_and_admins(client, scene, meeting):
    # Anyone else reads only an approved meeting they speak at (tests/campaign/test_todo.py): this one is not.
    for person, expected in ((scene.leader, 200), (scene.admin, 200), (scene.leader_a, 404),
                             (scene.members_a[0], 404)):
        client.force_login(person)
        assert client.get(reverse("reports:meeting", args=[meeting.pk])).status_code == expected
        assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == expected


def test_an_admin_exports_the_pack_and_follows_its_progress(client, scene, meeting,
                                                            django_capture_on_commit_callbacks):
    client.force_login(scene.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:pack_request", args=[meeting.pk]))
    assert response.status_code == 302
    pack = MeetingPack.objects.get()
    status = client.get(reverse("reports:pack_status", args=[pack.pk]))
    assert status.status_code == 200 and reverse("reports:pack_download", args=[pack.pk]) in status.content.decode()
    download = client.get(reverse("reports:pack_download", args=[pack.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    api = client.get(f"/api/v1/meetings/{meeting.pk}/pack/").json()
    assert api["status"] == "done" and api["download_url"].endswith("/pack/download/")


def test_members_cannot_export_the_pack_by_page_or_api(client, scene, meeting):
    client.force_login(scene.members_a[0])
    # A meeting a member does not speak at is one they cannot see.
    assert client.post(reverse("reports:pack_request", args=[meeting.pk])).status_code == 404
    assert client.post(f"/api/v1/meetings/{meeting.pk}/pack/").status_code == 404
    client.force_login(scene.leader)
    assert client.post(f"/api/v1/meetings/{meeting.pk}/pack/").status_code == 403
    assert MeetingPack.objects.count() == 0


def test_editing_the_agenda_refuses_a_stale_form(client, scene, meeting):
    client.force_login(scene.admin)
    page = client.get(reverse("reports:meeting_edit", args=[meeting.pk]))
    assert page.status_code == 200
    items = list(meeting.items.all())
    data = {"title": "十一月推进会", "date": "2026-11-25", "location": "三楼会议室", "version": meeting.version,
            "items-TOTAL_FORMS": len(items) + 1, "items-INITIAL_FORMS": len(items),
            "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000}
    for i, item in enumerate(items):
        data |= {f"items-{i}-id": item.pk, f"items-{i}-order": item.order, f"items-{i}-kind": item.kind,
                 f"items-{i}-title": item.title, f"items-{i}-minutes": item.minutes, f"items-{i}-note": item.note,
                 f"items-{i}-unit": item.unit_id or "", f"items-{i}-speaker": item.speaker_id or ""}
    # The blank extra row, as the browser sends it: the defaults, untouched.
    data |= {f"items-{len(items)}-order": "0", f"items-{len(items)}-minutes": "5", f"items-{len(items)}-title": ""}
    first = client.post(reverse("reports:meeting_edit", args=[meeting.pk]), data)
    assert first.status_code == 302, (first.context["form"].errors, first.context["formset"].errors)
    meeting.refresh_from_db()
    assert (meeting.title, meeting.version) == ("十一月推进会", 2)
    data["title"] = "过时的修改"  # still carries version 1
    response = client.post(reverse("reports:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 409
    # What the person typed stays, against the version they are now shown, and nothing was saved.
    page = response.content.decode()
    assert "过时的修改" in page and 'name="version" value="2"' in page
    meeting.refresh_from_db()
    assert meeting.title == "十一月推进会"


def test_notices_page_lists_and_marks_read(client, scene):
    services.remind(campaign=scene.campaign, today=datetime.date(2026, 11, 22))
    member = scene.members_a[0]
    client.force_login(member)
    page = client.get(reverse("reports:notices"))
    assert "任务a3" in page.content.decode()
    client.post(reverse("reports:notices"))
    assert not member.notices.filter(read_at__isnull=True).exists()
