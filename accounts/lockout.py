"""Sign-in lockout: slow down password guessing without locking out colleagues.

Two rules, both counted over the last ``SIGNIN_LOCKOUT_MINUTES`` (default 15):

* a username that failed ``SIGNIN_MAX_FAILURES`` times (default 5) from one
  address is locked *for that address*. Squad members share a mobile network's
  NAT address, so a colleague signing in to their own username from the same
  address is not affected, and the real user elsewhere is not either;
* a username that failed ``SIGNIN_DISTRIBUTED_FACTOR`` × that many times
  (default 4 × 5 = 20) from any addresses is locked everywhere: that is
  guessing spread over many machines.

A successful sign-in clears the failures of its own username and address.
Failures live in the database (``SignInFailure``), shared by every web worker
and independent of Redis.

The address is ``REMOTE_ADDR``. Behind a reverse proxy every request would
come from the proxy, so the proxy must hand the client's address on as
``REMOTE_ADDR`` (for example gunicorn's ``--forwarded-allow-ips`` with the
proxy setting ``X-Forwarded-For``, or nginx's real-IP module in front of a
uWSGI socket); ``SECURE_PROXY_SSL_HEADER`` only covers the scheme, not the
address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import SignInFailure

DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCKOUT_MINUTES = 15
DEFAULT_DISTRIBUTED_FACTOR = 4
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104  (a placeholder value, never bound)


def max_failures() -> int:
    return int(getattr(settings, "SIGNIN_MAX_FAILURES", DEFAULT_MAX_FAILURES))


def lockout_minutes() -> int:
    return int(getattr(settings, "SIGNIN_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES))


def distributed_limit() -> int:
    return max_failures() * int(getattr(settings, "SIGNIN_DISTRIBUTED_FACTOR", DEFAULT_DISTRIBUTED_FACTOR))


def client_address(request) -> str:
    """The address failures are counted against (REMOTE_ADDR: see the module docstring about proxies)."""
    address = (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""
    return address or UNKNOWN_ADDRESS


def _key(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def _window_start():
    return timezone.now() - timedelta(minutes=lockout_minutes())


def signin_locked(*, username: str, address: str) -> bool:
    """True when this username may not try a password from this address right now."""
    key = _key(username)
    if not key:
        return False
    recent = SignInFailure.objects.filter(username=key, created__gte=_window_start())
    if recent.filter(address=address).count() >= max_failures():
        return True
    return recent.count() >= distributed_limit()


@transaction.atomic
def signin_failure_record(*, username: str, address: str) -> None:
    """Count one failed sign-in, and drop failures too old to matter any more."""
    key = _key(username)
    if not key:
        return
    SignInFailure.objects.filter(created__lt=_window_start()).delete()
    SignInFailure.objects.create(username=key, address=address)


def signin_success(*, username: str, address: str) -> None:
    """A right password from this address clears that username's failures from it."""
    SignInFailure.objects.filter(username=_key(username), address=address).delete()


def lockout_message() -> str:
    minutes = lockout_minutes()
    return gettext("Too many failed sign-ins. Please try again in %(minutes)d minutes.") % {"minutes": minutes}
