"""The admin's robot pages: set a robot up, test it with one click, read its delivery log; who may."""

import html

import pytest
from django.urls import reverse

from reports.models import Delivery, Robot
from reports.services import deliveries
from tests import factories as f
from tests.reports.test_deliveries import robot_message

pytestmark = pytest.mark.django_db

KEY = "0f3b8c1e-7a2d-4e5f-9b6a-1c2d3e4f5a6b"
TOKEN = "e" * 64


@pytest.fixture
def squads():
    return f.UnitFactory(name="第一中队"), f.UnitFactory(name="第二中队")


@pytest.fixture
def robots(squads):
    return (Robot.objects.create(unit=squads[0], name="第一中队工作群", key="wecom-key-first"),
            Robot.objects.create(unit=squads[1], name="第二中队工作群", key="wecom-key-second"))


@pytest.fixture
def admin_client(client):
    client.force_login(f.admin())
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def form(unit, **changes) -> dict:
    data = {"unit": unit.pk, "name": "第一中队工作群", "kind": "wecom", "key": KEY, "secret": "", "enabled": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_pastes_the_whole_webhook_address_and_the_key_is_kept(admin_client, squads):
    response = admin_client.post(reverse("reports:robot_create"), form(
        squads[0], key=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"))
    robot = Robot.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:robot", args=[robot.pk])
    assert (robot.unit, robot.kind, robot.key, robot.enabled) == (squads[0], "wecom", KEY, True)


def test_a_signed_dingtalk_robot_is_set_up_from_its_address_and_secret(admin_client, squads):
    admin_client.post(reverse("reports:robot_create"), form(
        squads[0], kind="dingtalk", key=f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
        secret=" SEC1234567890abcdef "))
    robot = Robot.objects.get()
    assert (robot.kind, robot.key, robot.secret) == ("dingtalk", TOKEN, "SEC1234567890abcdef")


@pytest.mark.parametrize(("changes", "message"), [
    ({"key": "has spaces & symbols"}, "机器人的 key 只含字母、数字和横线"),
    ({"key": ""}, "该字段是必填项"),
    ({"secret": "SEC1234567890abcdef"}, "只有钉钉机器人有加签密钥"),
    ({"kind": "dingtalk", "key": TOKEN, "secret": "not-a-secret"}, "钉钉加签密钥以 SEC 开头"),
    ({"kind": "telegram"}, "选择一个有效的选项"),
    ({"unit": 999999}, "选择一个有效的选项"),
    ({"key": "wecom-key-second"}, "这个机器人已经设置过了"),
])
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(admin_client, squads, robots, changes,
                                                                       message):
    first = robots[0]
    before = list(Robot.objects.order_by("pk").values())
    response = admin_client.post(reverse("reports:robot_update", args=[first.pk]), {**form(squads[0]), **changes})
    assert response.status_code == 400
    assert message in text(response)
    assert list(Robot.objects.order_by("pk").values()) == before


def test_an_edit_keeps_the_robots_pacing_window(admin_client, squads, robots):
    first = robots[0]
    Robot.objects.filter(pk=first.pk).update(recent_sends=[1.0, 2.0])
    admin_client.post(reverse("reports:robot_update", args=[first.pk]), form(squads[0], name="改名后的群",
                                                                              key="wecom-key-first"))
    first.refresh_from_db()
    assert (first.name, first.recent_sends) == ("改名后的群", [1.0, 2.0])


# Real commits: with jobs in-process the test message is tried when its transaction commits, before the
# page answers, as in the demo.
@pytest.mark.django_db(transaction=True)
def test_the_test_button_sends_through_the_robot_and_says_what_the_gateway_answered(
        admin_client, robots, gateways):
    gateways.wecom_keys.add("wecom-key-first")
    robot = robots[0]
    response = admin_client.post(reverse("reports:robot_test", args=[robot.pk]), follow=True)
    page = text(response)
    assert "已发送。网关答复：HTTP 200" in page
    (body,) = gateways.messages()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("【测试消息】百日攻坚已接通第一中队工作群。")
    assert robot.deliveries.get().status == Delivery.Status.SENT
    assert "测试消息" in page and 'data-status="sent"' in page  # in the log below


@pytest.mark.django_db(transaction=True)
def test_a_failed_test_says_so_and_the_log_keeps_the_answer(admin_client, robots, gateways):
    robot = robots[0]  # the fake does not know its key
    page = text(admin_client.post(reverse("reports:robot_test", args=[robot.pk]), follow=True))
    assert "未发送。网关答复：" in page and "93000" in page and 'data-status="failed"' in page


def test_a_switched_off_robot_cannot_be_tested(admin_client, robots):
    Robot.objects.filter(pk=robots[0].pk).update(enabled=False)
    page = text(admin_client.post(reverse("reports:robot_test", args=[robots[0].pk]), follow=True))
    assert "机器人已停用：启用后才能发送测试消息。" in page and not Delivery.objects.exists()


# --- who may --------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["leader", "squad_leader", "member", "inspector"])
def test_nobody_but_an_admin_sees_the_robot_list(client, squads, who):
    person = {"leader": f.leader, "inspector": f.inspector}.get(who) or (
        lambda: getattr(f, who)(squads[0]))
    client.force_login(person())
    assert client.get(reverse("reports:robots")).status_code == 403
    assert client.get(reverse("reports:deliveries")).status_code == 403
    assert client.get(reverse("reports:robot_create")).status_code == 403


def test_a_squad_leader_is_refused_their_own_squads_robot_and_never_learns_of_anothers(client, squads, robots):
    client.force_login(f.squad_leader(squads[0]))
    own, other = robots
    for name in ("reports:robot", "reports:robot_update"):
        assert client.get(reverse(name, args=[own.pk])).status_code == 403
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.post(reverse("reports:robot_test", args=[other.pk])).status_code == 404
    assert client.post(reverse("reports:robot_update", args=[other.pk]), form(squads[1])).status_code == 404
    other.refresh_from_db()
    assert other.key == "wecom-key-second"


def test_a_deliverys_resend_follows_its_robot(client, squads, robots):
    own = deliveries.plan_for_robot(key="x", robot=robots[0], message=robot_message(1))
    other = deliveries.plan_for_robot(key="x", robot=robots[1], message=robot_message(1))
    client.force_login(f.squad_leader(squads[0]))
    assert client.post(reverse("reports:delivery_resend", args=[own.pk])).status_code == 403
    assert client.post(reverse("reports:delivery_resend", args=[other.pk])).status_code == 404


def test_signing_in_comes_first(client, robots):
    response = client.get(reverse("reports:robot", args=[robots[0].pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- query counts -----------------------------------------------------------------------------------

def _robots_with_log(n: int, squads) -> list[Robot]:
    made = []
    for i in range(n):
        robot = Robot.objects.create(unit=squads[i % 2], name=f"群{i}", key=f"wecom-key-{i:04d}")
        for j in range(3):
            deliveries.plan_for_robot(key=f"k{j}", robot=robot, message=robot_message(j))
        made.append(robot)
    return made


@pytest.mark.parametrize("n", [2, 8])
def test_the_robot_list_costs_the_same_for_2_and_8_robots(admin_client, squads, n, django_assert_num_queries):
    _robots_with_log(n, squads)
    admin_client.get(reverse("reports:robots"))
    # session, user (with unit), the robots with their units and week's counts in one query, the top bar's
    # unread reminders and 待办 count
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("reports:robots"))
    assert text(response).count("data-robot=") == n


@pytest.mark.parametrize("n", [2, 8])
def test_a_robots_page_costs_the_same_whatever_its_log(admin_client, squads, n, django_assert_num_queries):
    robot = _robots_with_log(1, squads)[0]
    for j in range(n):
        deliveries.plan_for_robot(key=f"more{j}", robot=robot, message=robot_message(j))
    admin_client.get(reverse("reports:robot", args=[robot.pk]))
    # session, user (with unit), the robot (with its unit), its log, the top bar's unread reminders and 待办 count
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("reports:robot", args=[robot.pk]))
    assert text(response).count("data-delivery=") == 3 + n


@pytest.mark.parametrize("n", [2, 8])
def test_the_delivery_list_costs_the_same_for_few_and_many(admin_client, squads, n, django_assert_num_queries):
    _robots_with_log(n, squads)
    url = reverse("reports:deliveries") + "?status=pending"
    admin_client.get(url)
    # session, user (with unit), the count for the pager, the page's rows with their robots, units and people,
    # the top bar's unread reminders and 待办 count
    with django_assert_num_queries(6):
        response = admin_client.get(url)
    assert text(response).count("data-delivery=") == 3 * n
