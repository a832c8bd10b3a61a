"""Transports to the channels the bureau uses: 企业微信 and 钉钉 group robots, SMS through a gateway, email.

A transport sends one message and says what happened (:class:`Outcome`): sent, or not sent and whether
trying again later can help. Transports keep no state and know nothing of the apps: who gets what, when,
how often and how many times is decided by the delivery service (``reports.services.deliveries``). Every
network call has a timeout (``CHANNEL_HTTP_TIMEOUT``); the robots' addresses are settings, and SMS goes to
the console unless a gateway is configured, so nothing here needs the internet to be tested or shown.
"""

from campaign.core.channels.base import Message, Outcome
from campaign.core.channels.mail import send_email
from campaign.core.channels.robots import DingTalkRobot, WeComRobot, dingtalk_sign, robot_for
from campaign.core.channels.sms import sms_backend

__all__ = ["DingTalkRobot", "Message", "Outcome", "WeComRobot", "dingtalk_sign", "robot_for", "send_email",
           "sms_backend"]
