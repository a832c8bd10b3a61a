"""SMS through a pluggable gateway: ``SMS_BACKEND`` names the class, as ``EMAIL_BACKEND`` does for mail.

A backend has one method, ``send(mobile, text) -> Outcome``. The console backend (the default) writes each
message to the log and counts it as sent, so the demo and a fresh install need no gateway; the memory
backend keeps them for tests; :class:`HttpSMSBackend` shows how a real gateway plugs in. A vendor's own
SDK would be one more small class with the same method.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from campaign.core.channels.base import Outcome
from campaign.core.channels.http import post_json, read_answer

log = logging.getLogger("campaign.sms")


class ConsoleSMSBackend:
    """Writes the message to the log: nothing leaves the machine."""

    def send(self, mobile: str, text: str) -> Outcome:
        log.info("SMS to %s: %s", mobile, text)
        return Outcome.ok("console: logged, not sent")


#: What :class:`MemorySMSBackend` sent: (mobile, text) pairs, for tests (like ``django.core.mail.outbox``).
outbox: list[tuple[str, str]] = []


class MemorySMSBackend:
    def send(self, mobile: str, text: str) -> Outcome:
        outbox.append((mobile, text))
        return Outcome.ok("memory: kept")


class HttpSMSBackend:
    """A gateway that takes ``{"mobile", "content", "sign_name"}`` as JSON with a bearer token.

    It answers ``{"code": 0}`` (or ``"ok"``) when it took the message; 5xx and no answer are tried again,
    anything else (a bad number, a refused signature) is the gateway's final word.
    """

    def send(self, mobile: str, text: str) -> Outcome:
        answered = post_json(settings.SMS_HTTP_URL, {
            "mobile": mobile, "content": text, "sign_name": settings.SMS_SIGN_NAME,
        }, headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"})
        read = read_answer(answered, "code")
        if isinstance(read, Outcome):
            return read
        status, answer, code = read
        return Outcome.ok(answer) if status == 200 and code in (0, "0", "ok", "OK") else Outcome.refused(answer)


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
