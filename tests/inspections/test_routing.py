"""A finding's routing: sent back as not the unit's (退回), re-dispatched (改派), and more time asked for and
decided (申请延期), by role, through the services, the pages and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from campaign.core import todo
from campaign.core.errors import StaleEdit
from inspections import services
from inspections.forms import local_input
from inspections.models import ExtensionRequest, Finding, FindingEvent
from reports import indicators
from reports.models import Notice
from tests.factories import api
from tests.inspections.factories import log_finding, rectify

pytestmark = pytest.mark.django_db

FINDINGS = "/api/v1/findings/"


@pytest.fixture
def finding(people):
    return log_finding(by=people["inspector1"])  # dispatched to the first squad


def later(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def send_back(finding, by, reason="不属于本单位辖区，应为第二中队"):
    services.finding_send_back(finding=finding, by=by, reason=reason)
    finding.refresh_from_db()
    return finding


# --- 退回 and 改派 -----------------------------------------------------------------------------------

def test_the_squad_leader_sends_a_finding_back_with_a_reason_and_the_dispatcher_hears_it(
        finding, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        finding = send_back(finding, people["squad1"])
    assert finding.status == Finding.Status.SENT_BACK and finding.version == 2
    event = finding.events.get()
    assert (event.kind, event.note, event.from_unit, event.by) == (
        FindingEvent.Kind.SENT_BACK, "不属于本单位辖区，应为第二中队", people["squad1"].unit, people["squad1"])
    notice = Notice.objects.get(user=people["inspector1"], kind=Notice.Kind.SENT_BACK)
    assert notice.message.startswith("【退回】") and "不属于本单位辖区，应为第二中队。" in notice.message
    assert notice.message.endswith("请改派。")


@pytest.mark.parametrize("username", ["member1", "squad2", "inspector1", "leader"])
def test_only_the_responsible_squad_leader_sends_back(finding, people, username):
    with pytest.raises(PermissionDenied):
        send_back(finding, people[username])
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DISPATCHED and not finding.events.exists()


def test_a_finding_the_unit_has_answered_cannot_be_sent_back(finding, people):
    finding = rectify(finding, people["member1"])
    with pytest.raises(PermissionDenied):
        send_back(finding, people["squad1"])


def test_sending_back_needs_a_reason(finding, people):
    with pytest.raises(ValidationError) as exc:
        send_back(finding, people["squad1"], reason="  ")
    assert "reason" in exc.value.message_dict
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.DISPATCHED


def test_a_redispatch_starts_the_rightful_units_clock_and_is_counted(
        finding, people, district, django_capture_on_commit_callbacks):
    finding = send_back(finding, people["squad1"])
    second = district.squads[1]
    deadline = later(30)
    with django_capture_on_commit_callbacks(execute=True):
        services.finding_redispatch(finding=finding, by=people["inspector2"], unit=second, deadline=deadline,
                                    note="核实为第二中队辖区", expected_version=finding.version)
    finding.refresh_from_db()
    assert (finding.status, finding.responsible_unit, finding.redispatch_count) == (
        Finding.Status.DISPATCHED, second, 1)
    assert finding.dispatched_at > finding.reported_at and finding.clock_start == finding.dispatched_at
    assert finding.deadline == deadline and finding.dispatched_at < finding.yellow_at < deadline
    notice = Notice.objects.get(user=people["squad2"], kind=Notice.Kind.DISPATCHED)
    assert notice.message.startswith("【改派】") and "是你单位的" in notice.message
    assert [e.kind for e in finding.events.all()] == [FindingEvent.Kind.SENT_BACK, FindingEvent.Kind.REDISPATCHED]
    # The wrong squad no longer sees it; the rightful one rectifies it.
    with pytest.raises(PermissionDenied):
        rectify(finding, people["member1"])
    assert rectify(finding, people["member4"]).status == Finding.Status.RECTIFIED


def test_sending_it_back_to_the_same_unit_is_not_counted_against_the_dispatch(finding, people, district):
    finding = send_back(finding, people["squad1"])
    services.finding_redispatch(finding=finding, by=people["inspector1"], unit=district.squads[0],
                                deadline=later(24))
    finding.refresh_from_db()
    assert finding.status == Finding.Status.DISPATCHED and finding.redispatch_count == 0


@pytest.mark.parametrize("username", ["squad1", "member1", "squad2", "admin"])
def test_only_the_dispatching_side_redispatches(finding, people, district, username):
    finding = send_back(finding, people["squad1"])
    with pytest.raises(PermissionDenied):
        services.finding_redispatch(finding=finding, by=people[username], unit=district.squads[1],
                                    deadline=later(24))
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.SENT_BACK


def test_a_redispatch_refuses_the_bureau_a_past_deadline_and_a_stale_version(finding, people, district):
    finding = send_back(finding, people["squad1"])
    for unit, deadline in ((district.bureau, later(24)), (district.squads[1], later(-1)), (None, later(24))):
        with pytest.raises(ValidationError):
            services.finding_redispatch(finding=finding, by=people["inspector1"], unit=unit, deadline=deadline)
    with pytest.raises(StaleEdit):
        services.finding_redispatch(finding=finding, by=people["inspector1"], unit=district.squads[1],
                                    deadline=later(24), expected_version=1)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.SENT_BACK and finding.events.count() == 1


def test_a_finding_sent_back_counts_in_no_units_figures_and_a_redispatch_in_its_dispatchers(
        finding, people, district):
    week = indicators.Week(district.campaign, timezone.localdate() - datetime.timedelta(days=6),
                           timezone.localdate())
    log_finding(by=people["inspector1"])  # dispatched right the first time
    send_back(finding, people["squad1"])
    assert indicators.overall(week, with_gauge=False)["findings_total"] == 1
    services.finding_redispatch(finding=finding, by=people["inspector1"], unit=district.squads[1],
                                deadline=later(24))
    assert indicators.overall(week, with_gauge=False)["findings_total"] == 2
    assert indicators.dispatch_accuracy(week) == [
        {"unit": "督察中队", "dispatched": 2, "redispatched": 1, "rate": 50.0}]


# --- 申请延期 --------------------------------------------------------------------------------------------

def ask(finding, by, hours=72, reason="需协调市政部门，多需两天"):
    return services.extension_ask(finding=finding, by=by, reason=reason, deadline=later(hours))


def test_an_approved_extension_moves_the_deadline_and_the_light_and_the_unit_hears_it(
        finding, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(finding, people["member1"])
    assert Notice.objects.get(user=people["inspector1"], kind=Notice.Kind.EXTENSION_ASKED).message.startswith(
        "【申请延期】")
    finding.refresh_from_db()
    assert finding.version == 1  # asking changes nothing of the finding itself
    with django_capture_on_commit_callbacks(execute=True):
        services.extension_decide(finding=finding, by=people["inspector1"], approve=True, expected_version=1)
    finding.refresh_from_db()
    request.refresh_from_db()
    assert (request.status, request.granted_deadline, request.decided_by) == (
        ExtensionRequest.Status.APPROVED, request.proposed_deadline, people["inspector1"])
    assert finding.deadline == request.proposed_deadline and finding.extension_count == 1
    assert finding.yellow_at == finding.clock_start + (finding.deadline - finding.clock_start) * 0.8
    for person in ("squad1", "member1"):  # the unit's leader, and the person who asked
        notice = Notice.objects.get(user=people[person], kind=Notice.Kind.EXTENSION_DECIDED)
        assert notice.message.startswith("【延期已批准】")


def test_a_refusal_needs_its_reason_and_keeps_the_deadline(finding, people, django_capture_on_commit_callbacks):
    ask(finding, people["squad1"])
    with pytest.raises(ValidationError):
        services.extension_decide(finding=finding, by=people["leader"], approve=False, answer="")
    with django_capture_on_commit_callbacks(execute=True):
        services.extension_decide(finding=finding, by=people["leader"], approve=False, answer="时限内可完成")
    before = finding.deadline
    finding.refresh_from_db()
    assert finding.deadline == before and finding.extension_count == 0
    assert finding.extensions.get().status == ExtensionRequest.Status.REFUSED
    notice = Notice.objects.get(user=people["squad1"], kind=Notice.Kind.EXTENSION_DECIDED)
    assert notice.message.startswith("【延期未批准】") and "时限内可完成。" in notice.message


def test_one_request_waits_at_a_time_and_it_must_ask_for_later(finding, people):
    with pytest.raises(ValidationError):  # not later than the deadline in force
        services.extension_ask(finding=finding, by=people["member1"], reason="x", deadline=finding.deadline)
    ask(finding, people["member1"])
    with pytest.raises(ValidationError):
        ask(finding, people["member2"])
    assert finding.extensions.count() == 1


@pytest.mark.parametrize("username", ["squad2", "inspector1", "leader"])
def test_only_the_responsible_unit_asks_for_more_time(finding, people, username):
    with pytest.raises(PermissionDenied):
        ask(finding, people[username])


@pytest.mark.parametrize("username", ["squad1", "member1", "squad2", "admin"])
def test_only_the_dispatching_side_decides(finding, people, username):
    ask(finding, people["member1"])
    with pytest.raises(PermissionDenied):
        services.extension_decide(finding=finding, by=people[username], approve=True)
    assert finding.extensions.get().status == ExtensionRequest.Status.PENDING


def test_rectifying_lets_a_waiting_request_lapse_so_the_unit_may_ask_again_after_a_rework(finding, people):
    ask(finding, people["member1"])
    finding = rectify(finding, people["member1"])
    assert finding.extensions.get().status == ExtensionRequest.Status.LAPSED
    with pytest.raises(ValidationError):
        services.extension_decide(finding=finding, by=people["inspector1"], approve=True)
    services.finding_return(finding=finding, by=people["inspector1"], note="仍有杂物", new_deadline=later(20))
    finding.refresh_from_db()
    assert ask(finding, people["member1"], hours=40).status == ExtensionRequest.Status.PENDING


def test_on_time_is_judged_against_the_approved_deadline(finding, people, district):
    ask(finding, people["member1"], hours=96)
    services.extension_decide(finding=finding, by=people["inspector1"], approve=True)
    finding = rectify(Finding.objects.get(pk=finding.pk), people["member1"])
    # Moved three days back: rectified an hour ago, two days after the first deadline (24 h after the report)
    # and before the approved one.
    now, back = timezone.now(), datetime.timedelta(days=3)
    Finding.objects.filter(pk=finding.pk).update(
        reported_at=now - back, dispatched_at=now - back, clock_start=now - back, yellow_at=now - back,
        deadline=now - datetime.timedelta(minutes=1), rectified_at=now - datetime.timedelta(hours=1))
    week = indicators.Week(district.campaign, timezone.localdate(), timezone.localdate() + datetime.timedelta(days=6))
    row = indicators.overall(week, with_gauge=False)
    assert (row["findings_due"], row["rectified_on_time"], row["findings_extended"]) == (1, 1, 1)
    assert row["extension_rate"] == 100.0


# --- 待办 ---------------------------------------------------------------------------------------------

def test_the_dispatchers_todo_holds_what_was_sent_back_and_the_requests_for_more_time(finding, people):
    other = log_finding(by=people["inspector1"])
    send_back(finding, people["squad1"])
    ask(other, people["member1"])
    now = timezone.now()
    sections = {s.key: s for s in todo.sections(people["inspector2"], now)}
    assert sections["findings_redispatch"].total == 1
    assert sections["findings_redispatch"].entries[0].url.endswith(f"/findings/{finding.pk}/#redispatch")
    assert sections["findings_extension"].entries[0].url.endswith(f"/findings/{other.pk}/#decide-extension")
    assert todo.count(people["inspector2"], now) == 2
    assert "findings_redispatch" not in {s.key for s in todo.sections(people["squad1"], now)}


def test_a_finding_sent_back_without_its_event_still_shows_in_the_dispatchers_todo(finding, people):
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.SENT_BACK)  # as a bulk write leaves it
    (entry,) = next(s for s in todo.sections(people["inspector2"], timezone.now())
                    if s.key == "findings_redispatch").entries
    assert entry.since == Finding.objects.get(pk=finding.pk).dispatched_at


# --- the pages ----------------------------------------------------------------------------------------

def _page(client, person, finding):
    client.force_login(person)
    return client.get(reverse("inspections:finding_detail", args=[finding.pk]))


def test_the_finding_page_offers_each_side_its_actions(client, finding, people):
    unit_page = _page(client, people["squad1"], finding).content.decode()
    assert 'id="send-back"' in unit_page and 'id="ask-extension"' in unit_page and 'id="redispatch"' not in unit_page
    member_page = _page(client, people["member1"], finding).content.decode()
    assert 'id="send-back"' not in member_page and 'id="ask-extension"' in member_page
    send_back(finding, people["squad1"])
    inspector_page = _page(client, people["inspector1"], finding).content.decode()
    assert 'id="redispatch"' in inspector_page and "退回" in inspector_page and "不属于本单位辖区" in inspector_page


def test_the_pages_send_back_redispatch_and_decide(client, finding, people, district):
    client.force_login(people["squad1"])
    url = reverse("inspections:finding_send_back", args=[finding.pk])
    assert client.post(url, {"reason": "", "version": 1}).status_code == 400
    assert client.post(url, {"reason": "不是我们的", "version": 1}).status_code == 302
    assert client.post(url, {"reason": "不是我们的", "version": 1}).status_code in (403, 409)
    client.force_login(people["inspector1"])
    response = client.post(reverse("inspections:finding_redispatch", args=[finding.pk]), {
        "unit": district.squads[1].pk, "deadline": local_input(later(24)), "version": 1})
    assert response.status_code == 409  # the page was opened before the send-back: nothing is moved
    response = client.post(reverse("inspections:finding_redispatch", args=[finding.pk]), {
        "unit": district.squads[1].pk, "deadline": local_input(later(24)), "version": 2})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.responsible_unit == district.squads[1]
    client.force_login(people["squad1"])  # the wrong squad: no longer theirs to see
    assert client.get(reverse("inspections:finding_detail", args=[finding.pk])).status_code == 404
    client.force_login(people["member4"])
    response = client.post(reverse("inspections:finding_extension", args=[finding.pk]), {
        "deadline": local_input(later(48)), "reason": "需协调", "version": 3})
    assert response.status_code == 302
    client.force_login(people["leader"])
    response = client.post(reverse("inspections:finding_extension_decide", args=[finding.pk]), {
        "decision": "refuse", "answer": "", "version": 3})
    assert response.status_code == 400 and "拒绝" in response.content.decode()
    response = client.post(reverse("inspections:finding_extension_decide", args=[finding.pk]), {
        "decision": "approve", "version": 3})
    assert response.status_code == 302
    history = _page(client, people["leader"], finding).content.decode()
    for words in ("退回", "改派", "申请延期", "批准延期"):
        assert words in history


# --- the API ------------------------------------------------------------------------------------------

def test_the_api_runs_each_step_with_the_stale_edit_rule(finding, people, district):
    unit_client, dispatcher = api(people["squad1"]), api(people["inspector1"])
    base = f"{FINDINGS}{finding.pk}/"
    assert unit_client.post(base + "send-back/", {"reason": "不是我们的"}, format="json").status_code == 428
    assert unit_client.post(base + "send-back/", {"reason": "不是我们的", "version": 5},
                            format="json").status_code == 409
    assert api(people["squad2"]).post(base + "send-back/", {"reason": "x", "version": 1},
                                      format="json").status_code == 404
    response = unit_client.post(base + "send-back/", {"reason": "不是我们的", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "sent_back"
    assert response.json()["events"][0]["kind"] == "sent_back"
    forbidden = api(people["member1"]).post(base + "redispatch/", {
        "unit": district.squads[1].pk, "deadline": later(24).isoformat(), "version": 2}, format="json")
    assert forbidden.status_code == 403 and forbidden.json()["detail"]
    response = dispatcher.post(base + "redispatch/", {
        "unit": district.squads[1].pk, "deadline": later(24).isoformat(), "version": 2}, format="json")
    assert response.status_code == 200 and response.json()["redispatch_count"] == 1
    rightful = api(people["member4"])
    response = rightful.post(base + "extension/", {"reason": "需协调", "deadline": later(60).isoformat(),
                                                   "version": 3}, format="json")
    assert response.status_code == 200 and response.json()["extensions"][0]["status"] == "pending"
    response = dispatcher.post(base + "extension/decide/", {"approve": True, "version": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["extension_count"] == 1 and response.json()["extensions"][0]["status"] == "approved"
    assert rectify(Finding.objects.get(pk=finding.pk), people["member4"]).status == Finding.Status.RECTIFIED


# --- correct and withdraw (作废) ------------------------------------------------------------------

def test_the_reporter_corrects_a_finding_and_its_history_keeps_before_and_after(finding, people):
    from tests.inspections.factories import street_category

    other = street_category("乱堆物料堆")
    event = services.finding_correct(finding=finding, by=people["inspector1"], expected_version=1,
                                     changes={"category": other, "description": "人行道堆放建材"})
    finding.refresh_from_db()
    assert (finding.category, finding.description, finding.version) == (other, "人行道堆放建材", 2)
    assert event.changes == {"category": ["店外经营", "乱堆物料堆"],
                             "description": ["商户占道摆放货架", "人行道堆放建材"]}
    with pytest.raises(ValidationError):  # nothing changed
        services.finding_correct(finding=finding, by=people["inspector1"], changes={"description": "人行道堆放建材"})


@pytest.mark.parametrize("username", ["inspector2", "leader", "squad1"])
def test_only_the_reporter_corrects_or_withdraws(finding, people, username):
    with pytest.raises(PermissionDenied):
        services.finding_withdraw(finding=finding, by=people[username], reason="重复")
    with pytest.raises(PermissionDenied):
        services.finding_correct(finding=finding, by=people[username], changes={"description": "改"})


@pytest.mark.parametrize("acted", ["rectified", "asked", "sent_back"])
def test_once_the_unit_has_acted_the_finding_is_no_longer_corrected(finding, people, acted):
    if acted == "rectified":
        rectify(finding, people["member1"])
    elif acted == "asked":
        ask(finding, people["member1"])
    else:
        send_back(finding, people["squad1"])
    finding.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.finding_withdraw(finding=finding, by=people["inspector1"], reason="重复")


def test_a_withdrawn_finding_leaves_every_figure_and_work_list_and_the_unit_hears_it(
        finding, people, district, client, django_capture_on_commit_callbacks):
    week = indicators.Week(district.campaign, timezone.localdate() - datetime.timedelta(days=6),
                           timezone.localdate())
    assert indicators.overall(week, with_gauge=False)["findings_total"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.finding_withdraw(finding=finding, by=people["inspector1"], reason="重复登记", expected_version=1)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.WITHDRAWN
    assert indicators.overall(week, with_gauge=False)["findings_total"] == 0
    assert indicators.dispatch_accuracy(week) == []
    assert todo.count(people["squad1"], timezone.now()) == 0
    notice = Notice.objects.get(user=people["squad1"], kind=Notice.Kind.WITHDRAWN)
    assert notice.message.startswith("【作废】") and "重复登记。" in notice.message
    page = _page(client, people["squad1"], finding).content.decode()  # still readable, with why
    assert "已作废" in page and "重复登记" in page and 'id="rectify"' not in page


def test_the_pages_and_the_api_correct_and_withdraw(client, finding, people):
    client.force_login(people["inspector1"])
    page = client.get(reverse("inspections:finding_detail", args=[finding.pk])).content.decode()
    assert 'id="correct-form"' in page and 'id="withdraw-form"' in page
    response = client.post(reverse("inspections:finding_correct", args=[finding.pk]), {
        "category": finding.category_id, "description": "商户占道摆放货架和纸箱", "severity": "serious",
        "address": "", "version": 1})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.description, finding.severity) == ("商户占道摆放货架和纸箱", "serious")
    history = client.get(reverse("inspections:finding_detail", args=[finding.pk])).content.decode()
    assert "商户占道摆放货架 → 商户占道摆放货架和纸箱" in history
    base = f"{FINDINGS}{finding.pk}/"
    assert api(people["inspector2"]).post(base + "withdraw/", {"reason": "重复", "version": 2},
                                          format="json").status_code == 403
    response = api(people["inspector1"]).post(base + "withdraw/", {"reason": "重复", "version": 2}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert [e["kind"] for e in response.json()["events"]] == ["corrected", "withdrawn"]


# --- handing on inside the squad (交办) ------------------------------------------------------------

def test_the_squad_leader_hands_a_finding_to_a_member_whose_todo_holds_it_alone(
        finding, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.finding_assign(finding=finding, by=people["squad1"], person=people["member2"], expected_version=1)
    finding.refresh_from_db()
    assert (finding.handler, finding.version) == (people["member2"], 2)
    notice = Notice.objects.get(user=people["member2"], kind=Notice.Kind.HANDED)
    assert notice.message.startswith("【交办】") and f"{people['squad1'].display_name}交你承办" in notice.message
    now = timezone.now()
    assert todo.count(people["member2"], now) == 1
    assert todo.count(people["member3"], now) == 0  # a colleague's now
    assert todo.count(people["squad1"], now) == 1  # the squad leader stays responsible and sees it
    assert rectify(finding, people["member2"]).status == Finding.Status.RECTIFIED


@pytest.mark.parametrize("username", ["member1", "squad2", "inspector1", "leader"])
def test_only_the_responsible_squad_leader_hands_it_on(finding, people, username):
    with pytest.raises(PermissionDenied):
        services.finding_assign(finding=finding, by=people[username], person=people["member2"])


@pytest.mark.parametrize("username", ["member4", "inspector1"])
def test_it_is_handed_only_to_the_units_own_people(finding, people, username):
    with pytest.raises(ValidationError):
        services.finding_assign(finding=finding, by=people["squad1"], person=people[username])
    assert Finding.objects.get(pk=finding.pk).handler is None


def test_a_redispatch_leaves_the_handing_on_to_the_rightful_squad(finding, people, district):
    services.finding_assign(finding=finding, by=people["squad1"], person=people["member2"])
    finding.refresh_from_db()
    services.finding_redispatch(finding=finding, by=people["inspector1"], unit=district.squads[1],
                                deadline=later(24))
    finding.refresh_from_db()
    assert finding.handler is None and finding.responsible_unit == district.squads[1]


def test_the_page_and_the_api_hand_it_on(client, finding, people):
    client.force_login(people["squad1"])
    page = client.get(reverse("inspections:finding_detail", args=[finding.pk])).content.decode()
    assert 'id="assign"' in page and people["member4"].display_name not in page.split('id="assign"')[1][:2000]
    response = client.post(reverse("inspections:finding_assign", args=[finding.pk]),
                           {"person": people["member3"].pk, "version": 1})
    assert response.status_code == 302
    page = client.get(reverse("inspections:finding_detail", args=[finding.pk])).content.decode()
    assert f"交办给{people['member3'].display_name}" in page
    response = api(people["squad1"]).post(f"{FINDINGS}{finding.pk}/assign/", {"person": people["member1"].pk,
                                                                            "version": 2}, format="json")
    assert response.status_code == 200 and response.json()["handler"] == people["member1"].pk
    client.force_login(people["member1"])
    assert 'id="assign"' not in client.get(reverse("inspections:finding_detail", args=[finding.pk])).content.decode()
