"""Set-up of the campaign and the evaluation framework: settings, loading the shipped data, edits to the tree."""

import datetime

import pytest
from django.urls import reverse

from campaign import loader
from campaign.models import Campaign, CheckItem, Content, EventCategory, Framework, NegativeListItem, Standard
from tests import factories as f
from tests.campaign.setup_helpers import text

pytestmark = pytest.mark.django_db

MODELS = (Framework, Content, Standard, NegativeListItem, CheckItem, EventCategory)




def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


# --- campaign -------------------------------------------------------------------------------


def campaign_data(framework, **changes) -> dict:
    data = {
        "name": "百日攻坚2027", "framework": framework.pk, "start_date": "2027-03-01", "end_date": "2027-06-08",
        "evaluation_date": "2027-06-09", "timezone": "Asia/Shanghai", "rebound_radius_m": 80,
        "rebound_window_days": 21, "weight_task_completion": 30, "weight_task_on_time": 20,
        "weight_rectification_on_time": 20, "weight_rework": 15, "weight_rebound": 15, "bulletin_weekday": 0,
        "bulletin_hour": 8, "meeting_day": 25, "meeting_days_ahead": 3, "escalation_days": 3,
    }
    data.update(changes)
    return data


def test_an_admin_creates_a_campaign_with_every_setting(setup_client):
    framework = f.FrameworkFactory()
    response = setup_client.post(reverse("setup:campaign_create"), campaign_data(
        framework, bulletin_weekday=4, bulletin_hour=17, meeting_day=20, meeting_days_ahead=5, escalation_days=2,
        weight_task_completion=40, weight_rebound=5, timezone="Asia/Urumqi"))
    assert response.status_code == 302, response.context["form"].errors
    campaign = Campaign.objects.get(name="百日攻坚2027")
    assert campaign.start_date == datetime.date(2027, 3, 1) and campaign.evaluation_date == datetime.date(2027, 6, 9)
    assert (campaign.rebound_radius_m, campaign.rebound_window_days) == (80, 21)
    assert campaign.weights == {"task_completion": 40, "task_on_time": 20, "rectification_on_time": 20,
                                "rework": 15, "rebound": 5}
    assert (campaign.bulletin_weekday, campaign.bulletin_hour) == (4, 17)
    assert (campaign.meeting_day, campaign.meeting_days_ahead, campaign.escalation_days) == (20, 5, 2)
    assert campaign.timezone == "Asia/Urumqi"


def test_the_campaign_form_uses_date_pickers_and_number_keypads(setup_client):
    body = text(setup_client.get(reverse("setup:campaign_create")))
    assert 'type="date" name="start_date"' in body
    assert 'type="number" name="weight_rework"' in body


def test_the_campaign_list_shows_every_campaign(setup_client):
    running = f.CampaignFactory(name="正在进行")
    response = setup_client.get(reverse("setup:campaigns"))
    assert list(response.context["object_list"]) == [running]


@pytest.mark.parametrize(("changes", "message"), [
    ({"end_date": "2027-02-01"}, "A campaign ends after it starts."),
    ({"end_date": "2027-03-01"}, "A campaign ends after it starts."),
    ({"weight_rework": 16}, "The score weights must add up to 100."),
    ({"evaluation_date": "2027-02-28"}, "The evaluation cannot come before the campaign starts."),
    ({"timezone": "Mars/Olympus"}, "Select a valid choice."),
    ({"bulletin_hour": 24}, "Ensure this value is less than or equal to 23."),
])
def test_a_bad_campaign_is_refused_and_nothing_is_saved(setup_client, changes, message):
    framework = f.FrameworkFactory()
    response = setup_client.post(reverse("setup:campaign_create"), campaign_data(framework, **changes))
    assert response.status_code == 400
    assert message in text(response)
    assert not Campaign.objects.exists()


def test_a_bad_edit_leaves_the_campaign_as_it_was(setup_client):
    campaign = f.CampaignFactory(name="原名")
    response = setup_client.post(reverse("setup:campaign_update", args=[campaign.pk]), campaign_data(
        campaign.framework, name="新名", weight_rebound=30))
    assert "The score weights must add up to 100." in text(response)
    campaign.refresh_from_db()
    assert campaign.name == "原名" and campaign.weight_rebound == 15


def test_an_admin_edits_the_campaign(setup_client):
    campaign = f.CampaignFactory()
    response = setup_client.post(reverse("setup:campaign_update", args=[campaign.pk]), campaign_data(
        campaign.framework, name="改过的名字", rebound_radius_m=120))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "改过的名字" and campaign.rebound_radius_m == 120


# --- loading the shipped data ---------------------------------------------------------------


def test_the_load_button_loads_the_shipped_data_and_shows_the_report(setup_client):
    response = setup_client.post(reverse("setup:framework_load"))
    assert response.status_code == 200
    framework = Framework.objects.get(edition="2015")
    assert Standard.objects.filter(framework=framework).count() > 0
    report = response.context["report"]
    assert report.total_created > 0 and report.created["framework"] == 1
    rows = {label: (created, existing) for label, created, existing in response.context["kinds"]}
    assert rows["evaluation standards"] == (Standard.objects.count(), 0)
    listing = setup_client.get(reverse("setup:frameworks"))
    row = listing.context["object_list"].get()
    assert (row.edition, row.standard_count) == ("2015", Standard.objects.count())


def test_loading_twice_changes_nothing(setup_client):
    setup_client.post(reverse("setup:framework_load"))
    before = counts()
    response = setup_client.post(reverse("setup:framework_load"))
    assert response.context["report"].total_created == 0
    assert counts() == before


def test_a_malformed_file_shows_the_place_and_reason_and_loads_nothing(setup_client, tmp_path, monkeypatch):
    source = loader.FRAMEWORK_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "evaluation_framework_2015.yaml"
    # The last content loses its name: everything before it is fine, so a half load would show.
    head, _, tail = source.rpartition("name:")
    broken.write_text(head + "nome:" + tail, encoding="utf-8")
    monkeypatch.setattr(loader, "FRAMEWORK_FILE", broken)
    response = setup_client.post(reverse("setup:framework_load"))
    assert response.status_code == 422
    error = response.context["error"]
    assert error.source == "evaluation_framework_2015.yaml"
    assert '"name" is missing' in error.reason
    body = text(response)
    assert error.place in body and error.reason in body
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_file_that_is_not_yaml_shows_its_line(setup_client, tmp_path, monkeypatch):
    broken = tmp_path / "inspection_points.yaml"
    broken.write_text("point_types:\n  - 主次干道\n  - [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(loader, "POINTS_FILE", broken)
    response = setup_client.post(reverse("setup:framework_load"))
    assert response.status_code == 422
    assert response.context["error"].place.startswith("line ")
    assert not Framework.objects.exists()


def test_the_load_button_answers_only_post(setup_client):
    assert setup_client.get(reverse("setup:framework_load")).status_code == 405
    assert not Framework.objects.exists()


# --- the framework tree and its edits -----------------------------------------------------


@pytest.fixture
def content():
    f.standard("Ⅲ-59", 1, text="第一条")
    f.standard("Ⅲ-59", 2, text="第二条")
    return Content.objects.get(code="Ⅲ-59")


def test_the_framework_page_shows_the_tree_with_edit_links(setup_client, content):
    response = setup_client.get(reverse("setup:framework_detail", args=[content.framework_id]))
    items = response.context["items"]
    standards = items[0].indicators.all()[0].contents.all()[0].standards.all()
    assert [s.code for s in standards] == ["Ⅲ-59-1", "Ⅲ-59-2"]
    body = text(response)
    assert reverse("setup:content_update", args=[content.pk]) in body
    assert reverse("setup:standard_update", args=[standards[1].pk]) in body
    assert reverse("setup:standard_create", args=[content.pk]) in body


def test_an_admin_edits_a_content(setup_client, content):
    response = setup_client.post(reverse("setup:content_update", args=[content.pk]), {"name": "新名称"})
    assert response["Location"] == reverse("setup:framework_detail", args=[content.framework_id])
    content.refresh_from_db()
    assert content.name == "新名称" and content.bureau_scope is False


def test_an_admin_edits_a_standard(setup_client, content):
    standard = content.standards.get(number=2)
    url = reverse("setup:standard_update", args=[standard.pk])
    setup_client.post(url, {"text": "改过的标准", "bureau_scope": "on"})
    standard.refresh_from_db()
    assert (standard.text, standard.code, standard.bureau_scope) == ("改过的标准", "Ⅲ-59-2", True)


def test_a_standard_without_text_is_refused(setup_client, content):
    standard = content.standards.get(number=2)
    response = setup_client.post(reverse("setup:standard_update", args=[standard.pk]), {"text": ""})
    assert "This field is required." in text(response)
    standard.refresh_from_db()
    assert standard.text == "第二条"


def test_a_new_standard_takes_the_next_free_number_and_its_code(setup_client, content):
    response = setup_client.post(reverse("setup:standard_create", args=[content.pk]), {"text": "第三条"})
    assert response.status_code == 302
    added = content.standards.get(text="第三条")
    assert (added.number, added.code, added.framework_id) == (3, "Ⅲ-59-3", content.framework_id)


def test_negative_list_clauses_are_added_and_edited(setup_client, content):
    framework = content.framework
    url = reverse("setup:negative_create", args=[framework.pk])
    assert setup_client.post(url, {"code": "N1", "text": "发生重大安全事故", "penalty": "取消资格"}).status_code == 302
    clause = NegativeListItem.objects.get(framework=framework, code="N1")
    setup_client.post(reverse("setup:negative_update", args=[clause.pk]),
                      {"code": "N1", "text": "发生重大安全责任事故", "penalty": ""})
    clause.refresh_from_db()
    assert clause.text == "发生重大安全责任事故" and clause.penalty == ""


def test_a_duplicate_negative_clause_code_is_refused(setup_client, content):
    framework = content.framework
    NegativeListItem.objects.create(framework=framework, code="N1", text="已有条款")
    response = setup_client.post(reverse("setup:negative_create", args=[framework.pk]),
                                 {"code": "N1", "text": "另一条", "penalty": ""})
    assert response.status_code == 400
    assert "already exists" in text(response)
    assert NegativeListItem.objects.filter(framework=framework).count() == 1
