"""The task pages: who sees and does what, the stale-edit conflict, evidence, and list query counts."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks import services
from tasks.models import Attachment, Task, TaskUpdate
from tests.factories import CampaignFactory, UnitFactory, inspector, leader, member, squad_leader, standard
from tests.tasks.factories import make_task, photo

pytestmark = pytest.mark.django_db
S = Task.Status


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def squad():
    return UnitFactory(name="第一中队")


@pytest.fixture
def chief(squad):
    return squad_leader(squad)


@pytest.fixture
def owner(squad):
    return member(squad)


@pytest.fixture
def colleague(squad):
    return member(squad)


@pytest.fixture
def outsider():
    return squad_leader(UnitFactory(name="第二中队"))


@pytest.fixture
def item(campaign, squad, chief, owner):
    return make_task(campaign=campaign, unit=squad, by=chief, responsible=owner, content="河坊街店外经营整治")


def signed_in(client, user):
    client.force_login(user)
    return client


def post_update(client, task, **data):
    payload = {"status": S.IN_PROGRESS, "progress": 50, "note": "", "version": task.version} | data
    return client.post(reverse("tasks:update", args=[task.pk]), payload)


# --- access: owner, colleague, outsider ----------------------------------------

def test_owner_and_colleague_see_the_task_outsider_gets_404(client, item, owner, colleague, outsider):
    url = reverse("tasks:detail", args=[item.pk])
    assert signed_in(client, owner).get(url).status_code == 200
    assert signed_in(client, colleague).get(url).status_code == 200
    assert signed_in(client, outsider).get(url).status_code == 404
    assert signed_in(client, member(UnitFactory())).get(url).status_code == 404


def test_other_squads_tasks_are_not_in_the_list(client, item, outsider, campaign):
    other = make_task(campaign=campaign, unit=outsider.unit, by=outsider, responsible=outsider, content="别队任务")
    response = signed_in(client, item.responsible).get(reverse("tasks:list"))
    shown = [t.pk for t in response.context["page"].object_list]
    assert item.pk in shown and other.pk not in shown


@pytest.mark.parametrize("who", ["leader", "inspector"])
def test_bureau_wide_roles_see_every_squad(client, item, who):
    person = leader() if who == "leader" else inspector()
    assert signed_in(client, person).get(reverse("tasks:detail", args=[item.pk])).status_code == 200


def test_owner_updates_their_item(client, item, owner):
    response = post_update(signed_in(client, owner), item, note="已开始")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.progress == 50 and item.status == S.IN_PROGRESS


def test_colleague_cannot_update_someone_elses_item(client, item, colleague):
    response = post_update(signed_in(client, colleague), item)
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.progress == 0


def test_outsider_cannot_update_and_gets_404(client, item, outsider):
    assert post_update(signed_in(client, outsider), item).status_code == 404


def test_inspector_may_read_but_not_update(client, item):
    client = signed_in(client, inspector())
    page = client.get(reverse("tasks:detail", args=[item.pk]))
    assert page.context["can_update"] is False
    assert post_update(client, item).status_code == 403


def test_squad_leader_assigns_to_a_member(client, item, chief, colleague):
    response = signed_in(client, chief).post(reverse("tasks:assign", args=[item.pk]),
                                             {"responsible": colleague.pk, "version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.responsible == colleague


def test_member_cannot_assign(client, item, owner, colleague):
    response = signed_in(client, owner).post(reverse("tasks:assign", args=[item.pk]),
                                             {"responsible": colleague.pk, "version": item.version})
    assert response.status_code == 403


def test_reopen_form_needs_a_reason(client, item, owner, chief):
    post_update(signed_in(client, owner), item, status=S.DONE, note="完成")
    item.refresh_from_db()
    client = signed_in(client, chief)
    url = reverse("tasks:reopen", args=[item.pk])
    assert client.post(url, {"note": "", "version": item.version}).status_code == 400
    assert client.post(url, {"note": "复查不合格", "version": item.version}).status_code == 302
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS


def test_done_without_note_or_evidence_shows_the_rule(client, item, owner):
    response = post_update(signed_in(client, owner), item, status=S.DONE)
    assert response.status_code == 400
    assert response.context["update_form"].errors["note"]
    item.refresh_from_db()
    assert item.status == S.NOT_STARTED


# --- the stale edit ------------------------------------------------------------

def test_stale_update_form_is_told_and_overwrites_nothing(client, item, owner, chief):
    seen = item.version
    services.task_update_status(task=item, by=chief, status=S.IN_PROGRESS, progress=30, note="领导先改",
                                expected_version=seen)
    response = post_update(signed_in(client, owner), item, progress=80, note="我的进展", version=seen)
    assert response.status_code == 409
    assert response.context["stale"] is True
    assert response.context["task"].progress == 30  # the current state is shown
    form = response.context["update_form"]
    assert form.data["note"] == "我的进展" and int(form.data["version"]) == seen + 1
    item.refresh_from_db()
    assert item.progress == 30 and item.updates.count() == 2


def test_stale_edit_form_is_told(client, item, chief):
    seen = item.version
    services.task_update_status(task=item, by=chief, status=S.IN_PROGRESS, progress=30, note="先改",
                                expected_version=seen)
    response = signed_in(client, chief).post(reverse("tasks:edit", args=[item.pk]), {
        "content": "改过的内容", "deadline": item.deadline.isoformat(), "unit": item.unit_id,
        "responsible": item.responsible_id, "version": seen})
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.content == "河坊街店外经营整治"


# --- evidence ------------------------------------------------------------------

def test_photo_evidence_is_stored_and_served_only_to_people_who_see_the_task(client, item, owner, outsider):
    response = post_update(signed_in(client, owner), item, status=S.DONE, files=[photo()])
    assert response.status_code == 302
    stored = Attachment.objects.get()
    assert stored.is_image and stored.update.task == item
    assert "photo" not in stored.file.name  # random name
    url = reverse("tasks:attachment", args=[stored.pk])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert signed_in(client, outsider).get(url).status_code == 404
    assert str(stored.pk) in signed_in(client, owner).get(reverse("tasks:detail", args=[item.pk])).content.decode()


def test_renamed_executable_is_refused(client, item, owner):
    fake = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200)
    fake.name = "evidence.jpg"
    response = post_update(signed_in(client, owner), item, note="附件", files=[fake])
    assert response.status_code == 400
    assert response.context["update_form"].errors["files"]
    assert not Attachment.objects.exists() and item.updates.count() == 1


def test_oversized_file_is_refused(client, item, owner, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = post_update(signed_in(client, owner), item, note="附件", files=[photo(size=(400, 400))])
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_decompression_bomb_png_is_refused(client, item, owner, settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    bomb = photo("bomb.png", size=(4000, 4000), fmt="PNG")  # 16 Mpx of one colour: a few KB on disk
    assert bomb.size < 100_000
    response = post_update(signed_in(client, owner), item, note="附件", files=[bomb])
    assert response.status_code == 400
    assert "4000 × 4000" in " ".join(response.context["update_form"].errors["files"])
    assert not Attachment.objects.exists()


# --- create, split, edit ----------------------------------------------------------

def test_squad_leader_splits_a_unit_task_into_personal_items(client, item, chief, colleague):
    response = signed_in(client, chief).post(reverse("tasks:split", args=[item.pk]), {
        "content": "中山中路早高峰值守", "deadline": item.deadline.isoformat(), "unit": item.unit_id,
        "responsible": colleague.pk})
    assert response.status_code == 302
    child = item.children.get()
    assert child.level == Task.Level.PERSONAL and child.responsible == colleague


def test_member_cannot_create_or_split(client, item, owner):
    client = signed_in(client, owner)
    assert client.get(reverse("tasks:create")).status_code == 403
    assert client.get(reverse("tasks:split", args=[item.pk])).status_code == 403


def test_create_refuses_a_deadline_outside_the_campaign(client, campaign, chief, squad):
    response = signed_in(client, chief).post(reverse("tasks:create"), {
        "content": "新任务", "deadline": (campaign.end_date + datetime.timedelta(days=5)).isoformat(),
        "unit": squad.pk, "responsible": chief.pk})
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_history_shows_who_when_and_before_after(client, item, owner, chief):
    post_update(signed_in(client, owner), item, progress=40, note="巡查完成一半")
    page = signed_in(client, chief).get(reverse("tasks:detail", args=[item.pk]))
    history = list(page.context["history"])
    assert [u.kind for u in history] == [TaskUpdate.Kind.STATUS, TaskUpdate.Kind.CREATE]
    body = page.content.decode()
    assert "巡查完成一半" in body and owner.display_name in body and "0% → 40%" in body


# --- list: order, filters, query counts ---------------------------------------------

def test_list_puts_overdue_first_then_by_deadline(client, campaign, squad, chief):
    today = timezone.localdate()
    later = make_task(campaign=campaign, unit=squad, by=chief, responsible=chief,
                      deadline=today + datetime.timedelta(5))
    sooner = make_task(campaign=campaign, unit=squad, by=chief, responsible=chief,
                       deadline=today + datetime.timedelta(2))
    late = make_task(campaign=campaign, unit=squad, by=chief, responsible=chief,
                     deadline=today - datetime.timedelta(3))
    page = signed_in(client, chief).get(reverse("tasks:list"))
    rows = list(page.context["page"].object_list)
    assert [t.pk for t in rows] == [late.pk, sooner.pk, later.pk]
    assert rows[0].overdue and rows[0].overdue_by.days == 3
    assert "is-overdue" in page.content.decode()


def test_list_filters_by_status_person_standard_and_text(client, campaign, squad, chief, owner):
    std = standard("Ⅲ-59", 2, framework=campaign.framework)
    a = make_task(campaign=campaign, unit=squad, by=chief, responsible=owner, content="流动摊点整治", standards=[std])
    b = make_task(campaign=campaign, unit=squad, by=chief, responsible=chief, content="门前三包")
    client = signed_in(client, chief)

    def shown(**params):
        return [t.pk for t in client.get(reverse("tasks:list"), params).context["page"].object_list]

    assert shown(responsible=owner.pk) == [a.pk]
    assert shown(standard=std.pk) == [a.pk]
    assert shown(q="三包") == [b.pk]
    assert shown(status=S.NOT_STARTED) == sorted([a.pk, b.pk], key=lambda pk: pk)
    assert shown(mine="on") == [b.pk]


def test_htmx_request_gets_only_the_results(client, item, chief):
    response = signed_in(client, chief).get(reverse("tasks:list"), HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "tasks/_results.html"


def test_list_page_query_count_is_the_same_for_5_and_50_tasks(client, campaign, squad, chief):
    std = standard("Ⅲ-59", 1, framework=campaign.framework)
    client = signed_in(client, chief)

    def measure(upto):
        while Task.objects.count() < upto:
            make_task(campaign=campaign, unit=squad, by=chief, responsible=chief, content="任务", standards=[std])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tasks:list")).status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    five, fifty = measure(5), measure(50)
    # session, user, current campaign, the user's unit (visibility path), the pager's count, filter choices
    # (units, people, standards), the page of tasks with unit, person and parent, their standards; plus
    # whatever the shared layout asks (e.g. unread notices) — the same whatever the number of tasks.
    assert len(five) == len(fifty)
    # The pager's count, the standards offered in the filter (those with tasks), the page (one joined query),
    # and the top bar's 待办 count (tasks of mine among its parts).
    assert len([sql for sql in fifty if '"tasks_task"' in sql]) == 4
    # Standards of the listed tasks: one prefetch query.
    assert len([sql for sql in fifty if '"tasks_task_standards"."task_id") AS' in sql]) == 1


def test_coverage_lists_standards_nobody_owns(client, campaign, squad, chief):
    owned = standard("Ⅲ-59", 1, framework=campaign.framework)
    unowned = standard("Ⅲ-59", 2, framework=campaign.framework)
    make_task(campaign=campaign, unit=squad, by=chief, responsible=chief, standards=[owned])
    response = signed_in(client, leader()).get(reverse("tasks:coverage"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["unowned"]] == [unowned.pk]
    assert signed_in(client, chief).get(reverse("tasks:coverage")).status_code == 403


def test_navigation_offers_what_the_role_can_use(item, owner):
    from tasks.navigation import entries as app_entries

    urls = [e.url for e in app_entries(owner)]
    assert reverse("tasks:list") in urls and reverse("tasks:coverage") not in urls
    assert reverse("tasks:import") not in urls
    lead_urls = [e.url for e in app_entries(leader())]
    assert reverse("tasks:coverage") in lead_urls and reverse("tasks:import") in lead_urls


def test_task_page_query_count_does_not_grow_with_its_history(client, item, owner, chief):
    client = signed_in(client, chief)
    url = reverse("tasks:detail", args=[item.pk])

    def measure(updates):
        while item.updates.count() < updates:
            item.refresh_from_db()
            services.task_update_status(task=item, by=owner, status=S.IN_PROGRESS, progress=None, note="进展",
                                        files=[photo()], expected_version=item.version)
        cache.clear()  # the cached reference data read afresh: every query the page needs is counted
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    # Task with unit, people and parents; campaign, standards and the history (with people) and its files in
    # one prefetch each; people to assign to — whatever the history's length.
    assert measure(5) == measure(30)
