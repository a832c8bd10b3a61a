"""One JSON POST with a timeout, on the standard library: no client library to vendor or pin."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from campaign.core.channels.base import Outcome


def post_json(url: str, payload: dict, *, headers: dict | None = None) -> tuple[int, str] | Outcome:
    """POST ``payload`` as UTF-8 JSON; (status, body) when the server answered, else a retryable Outcome.

    A refused connection, a name that does not resolve and a timeout all mean "the gateway is down now":
    the delivery is tried again later, nothing is lost.
    """
    if not url.startswith(("http://", "https://")):
        return Outcome.refused(f"not an http(s) address: {url[:80]}")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 (scheme checked above)
        "Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=settings.CHANNEL_HTTP_TIMEOUT) as response:  # noqa: S310
            return response.status, response.read(64_000).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(64_000).decode("utf-8", errors="replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome.again(f"no answer: {type(reason).__name__}: {reason}")


def read_answer(answered: tuple[int, str] | Outcome, field: str) -> Outcome | tuple[int, str, object]:
    """A gateway's answer: an Outcome when it settles the matter (no answer, or a 5xx or 429, tried again),
    else (status, the answer as the admin sees it, the JSON body's ``field`` or None)."""
    if isinstance(answered, Outcome):
        return answered
    status, body = answered
    answer = f"HTTP {status} {body.strip()}"
    if status >= 500 or status == 429:
        return Outcome.again(answer)
    try:
        code = json.loads(body).get(field)
    except (ValueError, AttributeError):
        code = None
    return status, answer, code
