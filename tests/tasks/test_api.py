"""/api/v1/tasks/: list, detail, create, edit with If-Match or version, history with evidence, assign, reopen."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks.models import Attachment, Task
from tests.factories import CampaignFactory, UnitFactory, api, inspector, leader, member, squad_leader, standard
from tests.tasks.factories import make_task, photo

pytestmark = pytest.mark.django_db
S = Task.Status


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def squad():
    return UnitFactory()


@pytest.fixture
def chief(squad):
    return squad_leader(squad)


@pytest.fixture
def owner(squad):
    return member(squad)


@pytest.fixture
def item(campaign, squad, chief, owner):
    return make_task(campaign=campaign, unit=squad, by=chief, responsible=owner, content="店外经营整治")


def url(task=None, suffix=""):
    return f"/api/v1/tasks/{task.pk}/{suffix}" if task else "/api/v1/tasks/"


def test_list_shows_visible_tasks_with_pagination(item, owner, campaign):
    other = squad_leader(UnitFactory())
    make_task(campaign=campaign, unit=other.unit, by=other, responsible=other)
    body = api(owner).get(url()).json()
    assert body["count"] == 1 and [t["id"] for t in body["results"]] == [item.pk]
    row = body["results"][0]
    assert row["responsible"]["id"] == owner.pk and row["version"] == 1 and row["overdue"] is False


def test_list_filters(item, chief, campaign, squad):
    std = standard("Ⅲ-59", 2, framework=campaign.framework)
    other = make_task(campaign=campaign, unit=squad, by=chief, responsible=chief, content="门前三包",
                      standards=[std])
    client = api(chief)

    def ids(**params):
        return [t["id"] for t in client.get(url(), params).json()["results"]]

    assert ids(responsible=chief.pk) == [other.pk]
    assert ids(standard=std.pk) == [other.pk]
    assert ids(q="店外") == [item.pk]
    assert ids(status="done") == []


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_does_not_grow(django_assert_num_queries, campaign, squad, chief, count):
    std = standard("Ⅲ-59", 1, framework=campaign.framework)
    for n in range(count):
        make_task(campaign=campaign, unit=squad, by=chief, responsible=chief, content=f"任务{n}", standards=[std])
    client = api(chief)
    # 1-3 the unit tree (which units the user sees: read from the database by each of the list's three
    # readers for a moment after a unit changed, then cached), 4 the count for the pager, 5 the page of
    # tasks with unit, people and parent, 6 their standards (one prefetch). The user and their unit come
    # with the forced authentication.
    with django_assert_num_queries(6):
        response = client.get(url())
    assert response.status_code == 200 and response.json()["count"] == count
    cache.clear()  # the moment after the units changed has passed
    client.get(url())
    with django_assert_num_queries(3):  # the unit tree now comes from the cache
        assert client.get(url()).json() == response.json()


def test_detail_sends_the_version_as_etag_and_hides_other_units(item, owner):
    response = api(owner).get(url(item))
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert api(squad_leader(UnitFactory())).get(url(item)).status_code == 404


def test_token_authentication_works(item, owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    assert client.get(url(item)).status_code == 200
    assert APIClient().get(url(item)).status_code in (401, 403)


def test_squad_leader_creates_and_splits(chief, owner, campaign, squad):
    std = standard("Ⅲ-59", 1, framework=campaign.framework)
    client = api(chief)
    response = client.post(url(), {"content": "背街小巷整治", "deadline": campaign.end_date.isoformat(),
                                   "unit": squad.pk, "responsible": chief.pk, "standards": [std.code]},
                           format="json")
    assert response.status_code == 201, response.json()
    parent = response.json()
    assert parent["level"] == "unit" and parent["standards"] == [std.code]
    response = client.post(url(), {"parent": parent["id"], "content": "每日巡查", "unit": squad.pk,
                                   "deadline": campaign.end_date.isoformat(), "responsible": owner.pk}, format="json")
    assert response.status_code == 201 and response.json()["level"] == "personal"


def test_create_refuses_bad_input_with_field_errors(chief, campaign, squad):
    response = api(chief).post(url(), {"content": "x", "deadline": "2099-01-01", "unit": squad.pk,
                                       "responsible": chief.pk, "standards": ["Ⅲ-0-0"]}, format="json")
    assert response.status_code == 400 and "standards" in response.json()
    response = api(chief).post(url(), {"content": "x", "deadline": "2099-01-01", "unit": squad.pk,
                                       "responsible": chief.pk}, format="json")
    assert response.status_code == 400 and "deadline" in response.json()
    assert not Task.objects.exists()


def test_member_cannot_create(owner, squad, campaign):
    response = api(owner).post(url(), {"content": "x", "deadline": campaign.end_date.isoformat(), "unit": squad.pk,
                                       "responsible": owner.pk}, format="json")
    assert response.status_code == 403


def test_edit_with_if_match(item, chief):
    client = api(chief)
    response = client.patch(url(item), {"content": "改过"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["content"] == "改过" and response["ETag"] == '"2"'


def test_stale_if_match_answers_409_and_changes_nothing(item, chief):
    client = api(chief)
    client.patch(url(item), {"content": "第一次"}, format="json", HTTP_IF_MATCH='"1"')
    response = client.patch(url(item), {"content": "第二次"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["current"]["content"] == "第一次" and response["ETag"] == '"2"'
    item.refresh_from_db()
    assert item.content == "第一次"


def test_stale_version_field_answers_409(item, owner, chief):
    api(chief).post(url(item, "updates/"), {"status": S.IN_PROGRESS, "progress": 30, "version": 1}, format="json")
    response = api(owner).post(url(item, "updates/"), {"status": S.IN_PROGRESS, "progress": 80, "version": 1},
                               format="json")
    assert response.status_code == 409 and response.json()["current"]["progress"] == 30
    item.refresh_from_db()
    assert item.progress == 30


def test_a_write_without_a_version_is_refused(item, owner):
    response = api(owner).post(url(item, "updates/"), {"status": S.IN_PROGRESS, "progress": 30}, format="json")
    assert response.status_code == 428


def test_update_with_photo_evidence_and_history(item, owner, chief):
    response = api(owner).post(url(item, "updates/"), {"status": S.DONE, "files": [photo(), photo("b.png", fmt="PNG")],
                                                       "version": 1}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status_after"] == S.DONE and len(body["attachments"]) == 2
    assert Attachment.objects.count() == 2
    page = api(chief).get(url(item, "updates/")).json()
    history = page["results"]  # paginated as the schema says, like every list
    assert page["count"] == 2 and [h["kind"] for h in history] == ["status", "create"]
    evidence = history[0]["attachments"][0]["url"]
    assert api(chief).get(evidence).status_code == 200
    assert api(squad_leader(UnitFactory())).get(evidence).status_code == 404


def test_status_rules_answer_400(item, owner):
    response = api(owner).post(url(item, "updates/"), {"status": S.BLOCKED, "version": 1}, format="json")
    assert response.status_code == 400 and "note" in response.json()


def test_bad_evidence_is_refused(item, owner):
    fake = photo("x.jpg")
    fake.file.seek(0)
    fake.file.write(b"MZ\x90\x00")
    fake.file.seek(0)
    response = api(owner).post(url(item, "updates/"), {"status": S.IN_PROGRESS, "progress": 10, "files": [fake],
                                                       "version": 1}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()
    assert not Attachment.objects.exists()


def test_assign_and_reopen_actions(item, chief, owner, squad):
    other = member(squad)
    response = api(owner).post(url(item, "assign/"), {"responsible": other.pk, "version": 1}, format="json")
    assert response.status_code == 403
    response = api(chief).post(url(item, "assign/"), {"responsible": other.pk, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["responsible"]["id"] == other.pk
    api(other).post(url(item, "updates/"), {"status": S.DONE, "note": "完成", "version": 2}, format="json")
    response = api(inspector()).post(url(item, "reopen/"), {"note": "复查不合格"}, format="json",
                                     HTTP_IF_MATCH='"3"')
    assert response.status_code == 200 and response.json()["status"] == S.IN_PROGRESS
    response = api(leader()).post(url(item, "reopen/"), {"note": "再开", "version": 4}, format="json")
    assert response.status_code == 400  # not done any more


def test_the_history_pages_as_the_schema_says(item, chief):
    page = api(chief).get(url(item, "updates/") + "?page=1").json()
    assert set(page) >= {"count", "next", "previous", "results"} and page["count"] == 1
    assert api(chief).get(url(item, "updates/") + "?page=9").status_code == 404  # DRF's rule past the end
    assert api(chief).get(url(item, "updates/") + "?page=abc").status_code == 404
