"""The transports (campaign/core/channels) against the fake gateways: the exact JSON, the signature, the
answers that are tried again and those that are final."""

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from campaign.core.channels import DingTalkRobot, Message, WeComRobot, dingtalk_sign, send_email, sms_backend
from campaign.core.channels.sms import ConsoleSMSBackend, HttpSMSBackend
from tests.fake_gateways import DINGTALK_PATH, SMS_PATH, WECOM_PATH

LINE = "【整改通知】和平路 店外经营（督察中队，二级督查）请于 12月3日 18:00 前整改。"
URL = "https://bairi.example/inspections/findings/7/"
MESSAGE = Message(title="整改通知", text=f"{LINE}查看：{URL}", markdown=f"{LINE}[查看]({URL})")
KEY, TOKEN, SECRET = "5a1c2b3d-0000-4000-8000-00000000beef", "a" * 64, "SEC0123456789abcdef"


@pytest.fixture
def wecom(gateways):
    gateways.wecom_keys.add(KEY)
    return WeComRobot(KEY)


@pytest.fixture
def dingtalk(gateways):
    gateways.dingtalk[TOKEN] = SECRET
    return DingTalkRobot(TOKEN, SECRET)


def test_a_wecom_message_without_mentions_goes_as_markdown_with_a_link(wecom, gateways):
    outcome = wecom.send(MESSAGE)
    assert outcome.sent and outcome.answer == 'HTTP 200 {"errcode": 0, "errmsg": "ok"}'
    (request,) = gateways.received
    assert (request["path"], request["query"]) == (WECOM_PATH, {"key": KEY})
    assert request["json"] == {"msgtype": "markdown", "markdown": {"content": f"{LINE}[查看]({URL})"}}


def test_a_wecom_message_that_mentions_people_goes_as_text_with_their_mobiles(wecom, gateways):
    # 企业微信's markdown cannot @ anyone by mobile number; its text message can.
    assert wecom.send(Message(title="整改通知", text=MESSAGE.text, markdown=MESSAGE.markdown,
                              mobiles=("13812345678",))).sent
    assert gateways.received[0]["json"] == {
        "msgtype": "text", "text": {"content": f"{LINE}查看：{URL}", "mentioned_mobile_list": ["13812345678"]}}


def test_a_signed_dingtalk_message_carries_the_timestamp_and_the_signature_dingtalk_recomputes(dingtalk, gateways):
    before = int(time.time() * 1000)
    assert dingtalk.send(Message(title="整改通知", text=MESSAGE.text, markdown=MESSAGE.markdown,
                                 mobiles=("13812345678",))).sent
    (request,) = gateways.received
    assert request["path"] == DINGTALK_PATH
    timestamp = int(request["query"]["timestamp"])
    assert before <= timestamp <= int(time.time() * 1000)
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert request["query"] == {"access_token": TOKEN, "timestamp": str(timestamp), "sign": expected}
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {"title": "整改通知", "text": f"{LINE}[查看]({URL}) @13812345678"},
        "at": {"atMobiles": ["13812345678"], "isAtAll": False},
    }


def test_the_signature_is_url_encoded_once_in_the_address():
    url = DingTalkRobot(TOKEN, SECRET).url(timestamp_ms=1700000000000)
    raw_query = urlsplit(url).query
    sign = dingtalk_sign(1700000000000, SECRET)
    assert "+" in sign or "/" in sign or "=" in sign  # characters that must be encoded in a query
    assert f"sign={sign}" not in raw_query
    assert parse_qs(raw_query)["sign"] == [sign]


def test_an_unsigned_dingtalk_robot_sends_only_its_token(gateways):
    gateways.dingtalk["b" * 64] = ""
    assert DingTalkRobot("b" * 64).send(MESSAGE).sent
    assert gateways.received[0]["query"] == {"access_token": "b" * 64}


def test_a_wrong_signature_is_refused_and_not_tried_again(gateways):
    gateways.dingtalk[TOKEN] = SECRET
    outcome = DingTalkRobot(TOKEN, "SECwrongsecret000").send(MESSAGE)
    assert (outcome.sent, outcome.retry) == (False, False)
    assert "310000" in outcome.answer


def test_a_wrong_key_is_the_gateways_final_word(wecom, gateways):
    outcome = WeComRobot("not-the-key-at-all").send(MESSAGE)
    assert (outcome.sent, outcome.retry) == (False, False) and "93000" in outcome.answer


@pytest.mark.parametrize(("step", "wait"), [(500, 0), (502, 0), ({"errcode": -1, "errmsg": "system busy"}, 0),
                                            ({"errcode": 45009, "errmsg": "api freq out of limit"}, 60)])
def test_server_errors_busy_and_rate_limits_are_tried_again(wecom, gateways, step, wait):
    gateways.script.append(step)
    outcome = wecom.send(MESSAGE)
    assert (outcome.sent, outcome.retry, outcome.wait) == (False, True, wait)


def test_dingtalk_over_its_limit_waits_out_its_ten_minute_block(dingtalk, gateways):
    gateways.script.append({"errcode": 130101, "errmsg": "send too fast"})
    outcome = dingtalk.send(MESSAGE)
    assert (outcome.retry, outcome.wait) == (True, 600)


def test_a_gateway_that_does_not_answer_in_time_is_tried_again(wecom, gateways, settings):
    settings.CHANNEL_HTTP_TIMEOUT = 0.3
    gateways.script.append("timeout")
    started = time.monotonic()
    outcome = wecom.send(MESSAGE)
    assert time.monotonic() - started < 1.5
    assert (outcome.sent, outcome.retry) == (False, True) and "no answer" in outcome.answer


def test_a_gateway_nobody_listens_on_is_tried_again(settings):
    settings.WECOM_WEBHOOK_URL = "http://127.0.0.1:9/cgi-bin/webhook/send"  # the discard port: nothing there
    outcome = WeComRobot(KEY).send(MESSAGE)
    assert (outcome.sent, outcome.retry) == (False, True)


def test_the_console_sms_backend_logs_and_sends_nothing(caplog, settings):
    settings.SMS_BACKEND = "campaign.core.channels.sms.ConsoleSMSBackend"
    assert isinstance(sms_backend(), ConsoleSMSBackend)
    with caplog.at_level("INFO", logger="campaign.sms"):
        assert sms_backend().send("13812345678", MESSAGE.text).sent
    assert "13812345678" in caplog.text and LINE in caplog.text


def test_the_http_sms_backend_posts_to_the_gateway(gateways, settings):
    settings.SMS_BACKEND = "campaign.core.channels.sms.HttpSMSBackend"
    assert isinstance(sms_backend(), HttpSMSBackend)
    assert sms_backend().send("13812345678", MESSAGE.text).sent
    (request,) = gateways.received
    assert request["path"] == SMS_PATH and request["headers"]["Authorization"] == "Bearer sms-test-token"
    assert request["json"] == {"mobile": "13812345678", "content": MESSAGE.text, "sign_name": "百日攻坚"}


def test_the_http_sms_backend_retries_a_5xx_and_takes_a_refusal_as_final(gateways, settings):
    gateways.script.append(503)
    assert HttpSMSBackend().send("13812345678", "x").retry
    settings.SMS_HTTP_TOKEN = "wrong"
    outcome = HttpSMSBackend().send("13812345678", "x")
    assert (outcome.sent, outcome.retry) == (False, False) and "401" in outcome.answer


def test_email_goes_through_djangos_mail():
    assert send_email("squad1@example.test", MESSAGE).sent
    (message,) = mail.outbox
    assert (message.subject, message.body, message.to) == ("整改通知", MESSAGE.text, ["squad1@example.test"])
