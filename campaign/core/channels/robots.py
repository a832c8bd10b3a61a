"""企业微信 group robots and 钉钉 custom robots: a webhook each, JSON in, ``{"errcode": 0}`` back.

企业微信: POST to ``…/cgi-bin/webhook/send?key=KEY``. A ``markdown`` message cannot @ anyone by mobile
number, so a message that mentions people goes as ``text`` with ``mentioned_mobile_list``; one that does
not goes as ``markdown`` (a clickable link). errcode 45009 means the robot's 20-a-minute limit was hit.

钉钉: POST to ``…/robot/send?access_token=TOKEN``, in signed mode (加签) with ``timestamp`` (milliseconds)
and ``sign``: base64 of HMAC-SHA256 over ``timestamp + "\\n" + secret`` keyed by the secret, URL-encoded in
the query. ``markdown`` with ``at.atMobiles``; the mobile numbers must also appear in the text as
``@138…`` for 钉钉 to show the mention. errcode 130101 ("send too fast") blocks the robot for ten minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import urlencode

from django.conf import settings

from campaign.core.channels.base import Message, Outcome
from campaign.core.channels.http import post_json, read_answer

#: The errcode both robots answer when they are busy: try again.
SYSTEM_BUSY = -1


def _robot_outcome(answered: tuple[int, str] | Outcome, *, rate_limited: int, rate_wait: float) -> Outcome:
    """Read a robot's answer: errcode 0 is sent; busy, rate-limited and 5xx are tried again; the rest fail."""
    read = read_answer(answered, "errcode")
    if isinstance(read, Outcome):
        return read
    status, answer, errcode = read
    if status == 200 and errcode == 0:
        return Outcome.ok(answer)
    if errcode == rate_limited:
        return Outcome.again(answer, wait=rate_wait)
    if errcode == SYSTEM_BUSY:
        return Outcome.again(answer)
    # A wrong key, a bad signature, a keyword the robot requires: sending the same again cannot help.
    return Outcome.refused(answer)


class WeComRobot:
    """A 企业微信 group robot, known by its webhook key."""

    kind = "wecom"

    def __init__(self, key: str):
        self.key = key

    def url(self) -> str:
        return f"{settings.WECOM_WEBHOOK_URL}?{urlencode({'key': self.key})}"

    def payload(self, message: Message) -> dict:
        if message.mobiles:
            return {"msgtype": "text",
                    "text": {"content": message.text, "mentioned_mobile_list": list(message.mobiles)}}
        return {"msgtype": "markdown", "markdown": {"content": message.markdown or message.text}}

    def send(self, message: Message) -> Outcome:
        return _robot_outcome(post_json(self.url(), self.payload(message)), rate_limited=45009, rate_wait=60)


def dingtalk_sign(timestamp_ms: int | str, secret: str) -> str:
    """钉钉's 加签: base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), before URL-encoding."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkRobot:
    """A 钉钉 custom robot, known by its access token, signed when it has a secret (SEC…)."""

    kind = "dingtalk"

    def __init__(self, token: str, secret: str = ""):
        self.token, self.secret = token, secret

    def url(self, timestamp_ms: int | None = None) -> str:
        query = {"access_token": self.token}
        if self.secret:
            # The gateway refuses a timestamp more than an hour from its own clock: it is taken at sending.
            timestamp_ms = timestamp_ms or int(time.time() * 1000)
            query.update(timestamp=str(timestamp_ms), sign=dingtalk_sign(timestamp_ms, self.secret))
        return f"{settings.DINGTALK_WEBHOOK_URL}?{urlencode(query)}"

    def payload(self, message: Message) -> dict:
        mentions = "".join(f" @{mobile}" for mobile in message.mobiles)
        return {"msgtype": "markdown",
                "markdown": {"title": message.title, "text": (message.markdown or message.text) + mentions},
                "at": {"atMobiles": list(message.mobiles), "isAtAll": False}}

    def send(self, message: Message) -> Outcome:
        # Over the limit 钉钉 blocks the robot for ten minutes: wait them out rather than retry into it.
        return _robot_outcome(post_json(self.url(), self.payload(message)), rate_limited=130101, rate_wait=600)


def robot_for(kind: str, key: str, secret: str = "") -> WeComRobot | DingTalkRobot:
    if kind == WeComRobot.kind:
        return WeComRobot(key)
    if kind == DingTalkRobot.kind:
        return DingTalkRobot(key, secret)
    raise ValueError(f"unknown robot kind: {kind}")
