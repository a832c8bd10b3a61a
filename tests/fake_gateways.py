"""A fake 企业微信, 钉钉 and SMS gateway on 127.0.0.1, checking what the real ones check.

企业微信 ``POST /cgi-bin/webhook/send?key=K``: a known key, JSON, ``msgtype`` text (``text.content``, at most
2048 bytes, optional ``mentioned_mobile_list`` of strings) or markdown (``markdown.content``, at most 4096
bytes); a wrong key answers 93000, a wrong shape 40008, the 21st message within the window 45009.

钉钉 ``POST /robot/send?access_token=T[&timestamp=&sign=]``: a known token; for a robot with a secret the
timestamp must be within an hour and the sign is recomputed (310000 when it does not match); ``msgtype``
markdown with ``markdown.title`` and ``markdown.text``, ``at.atMobiles`` each of which appears in the text as
``@mobile``; over the limit 130101.

SMS ``POST /sms``: bearer token, ``{"mobile", "content", "sign_name"}``, answers ``{"code": 0}``.

``script`` makes the next requests misbehave, in order: an int answers that HTTP status, ``"timeout"`` waits
longer than the client's timeout, a dict answers that JSON. Everything received is in ``received``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

WECOM_PATH, DINGTALK_PATH, SMS_PATH = "/cgi-bin/webhook/send", "/robot/send", "/sms"
SMS_TOKEN = "sms-test-token"


class FakeGateways(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.wecom_keys: set[str] = set()
        self.dingtalk: dict[str, str] = {}  # token → secret ("" when not signed)
        self.received: list[dict] = []
        self.script: list = []
        self.limit, self.window = 20, 60.0
        self.hang_seconds = 2.0
        self._sends: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def messages(self, path: str | None = None) -> list[dict]:
        """The JSON bodies that got through (errcode 0), in arrival order."""
        return [r["json"] for r in self.received if r["ok"] and (path is None or r["path"] == path)]

    def rate_limited(self, robot: str) -> bool:
        """Count a try against the robot's window, as the gateways do; True when it is over the limit."""
        now = time.monotonic()
        with self.lock:
            sends = [t for t in self._sends[robot] if t > now - self.window]
            sends.append(now)
            self._sends[robot] = sends
            return len(sends) > self.limit


class _Handler(BaseHTTPRequestHandler):
    server: FakeGateways

    def log_message(self, *args):  # quiet: the test output is for the test
        pass

    def do_POST(self):  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = {"path": url.path, "query": query, "headers": dict(self.headers), "at": time.time(), "ok": False}
        with self.server.lock:
            self.server.received.append(record)
            step = self.server.script.pop(0) if self.server.script else None
        if step == "timeout":
            time.sleep(self.server.hang_seconds)
            return self._answer(200, {"errcode": 0, "errmsg": "ok (too late)"})
        if isinstance(step, int):
            return self._answer(step, {"errcode": -1, "errmsg": f"scripted {step}"})
        if isinstance(step, dict):
            return self._answer(200, step)
        try:
            record["json"] = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._answer(400, {"errcode": 40001, "errmsg": "not JSON"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self._answer(200, {"errcode": 40001, "errmsg": "not application/json"})
        check = {WECOM_PATH: self._wecom, DINGTALK_PATH: self._dingtalk, SMS_PATH: self._sms}.get(url.path)
        if check is None:
            return self._answer(404, {"errcode": 404, "errmsg": "no such path"})
        answer = check(query, record["json"])
        record["ok"] = answer.get("errcode", answer.get("code")) == 0
        return self._answer(200, answer)

    def _wecom(self, query: dict, body: dict) -> dict:
        key = query.get("key", "")
        if key not in self.server.wecom_keys:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        kind = body.get("msgtype")
        part = body.get(kind) if kind in ("text", "markdown") else None
        limit = 2048 if kind == "text" else 4096
        if not isinstance(part, dict) or not isinstance(part.get("content"), str) or not part["content"] \
                or len(part["content"].encode()) > limit:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        mobiles = part.get("mentioned_mobile_list", [])
        if kind == "markdown" and "mentioned_mobile_list" in part or not isinstance(mobiles, list) \
                or not all(isinstance(m, str) for m in mobiles):
            return {"errcode": 40058, "errmsg": "invalid mentioned_mobile_list"}
        if self.server.rate_limited("wecom:" + key):
            return {"errcode": 45009, "errmsg": "api freq out of limit"}
        return {"errcode": 0, "errmsg": "ok"}

    def _dingtalk(self, query: dict, body: dict) -> dict:
        token = query.get("access_token", "")
        if token not in self.server.dingtalk:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        secret = self.server.dingtalk[token]
        if secret and not _signed(query, secret):
            return {"errcode": 310000, "errmsg": "sign not match"}
        markdown, at = body.get("markdown"), body.get("at", {})
        if body.get("msgtype") != "markdown" or not isinstance(markdown, dict) \
                or not all(isinstance(markdown.get(k), str) and markdown[k] for k in ("title", "text")):
            return {"errcode": 40035, "errmsg": "missing markdown title or text"}
        if any(f"@{mobile}" not in markdown["text"] for mobile in at.get("atMobiles", [])):
            return {"errcode": 40035, "errmsg": "an @-mentioned mobile is missing from the text"}
        if self.server.rate_limited("dingtalk:" + token):
            return {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
        return {"errcode": 0, "errmsg": "ok"}

    def _sms(self, query: dict, body: dict) -> dict:
        if self.headers.get("Authorization") != f"Bearer {SMS_TOKEN}":
            return {"code": 401, "message": "bad token"}
        if set(body) != {"mobile", "content", "sign_name"} or not str(body["mobile"]).isdigit():
            return {"code": 400, "message": "bad request"}
        return {"code": 0, "message": "accepted"}

    def _answer(self, status: int, payload: dict):
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nobody is listening any more


def _signed(query: dict, secret: str) -> bool:
    """钉钉's own check: a timestamp within an hour, and the sign recomputed from it and the secret."""
    try:
        timestamp = int(query["timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, query.get("sign", ""))


@pytest.fixture
def gateways(settings):
    """The fake gateways, with the site's robot and SMS addresses pointed at them for the test."""
    server = FakeGateways()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WECOM_WEBHOOK_URL = server.base + WECOM_PATH
    settings.DINGTALK_WEBHOOK_URL = server.base + DINGTALK_PATH
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = server.base + SMS_PATH, SMS_TOKEN
    settings.CHANNEL_HTTP_TIMEOUT = 1.0
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
