"""Pushing hand-offs through the channels: one Delivery row per recipient and channel, each sent by a job.

**Planning** writes the rows in the transaction of the change (or of the job reacting to it) and queues
one ``reports.jobs.deliver`` per new row through the outbox, so a row exists before anything is sent and
is queued only once it has committed. The named constraints on Delivery make planning twice plan once.

**Sending** (:func:`deliver`) claims a due row under a lock (``skip_locked``: a second worker holding the
same job goes away), holds it back if the person's quiet hours or the robot's window say so, sends outside
the transaction (no lock is held while a gateway is slow) and records the answer with a conditional
UPDATE. A failed try waits, doubling, and after the last try the row is failed with the gateway's answer.

**Pacing**: each robot takes at most ``ROBOT_MESSAGES_PER_WINDOW`` messages per ``ROBOT_WINDOW_SECONDS``.
Before sending, the job locks the robot's row and reserves a place in its window; when the window is full
it works out when the oldest place frees and the row waits till then. Nothing is dropped.

**When to try again** (:func:`follow_up`): with a worker, the job re-queues itself for that moment (an
``eta``). With jobs in-process (the embedded demo, ``CELERY_TASK_ALWAYS_EAGER``) a countdown would run at
once, inside the web request that caused it, and the request would wait a minute for the robot's window:
there the row simply stays waiting, and :func:`deliver_due` (every minute on beat, or an admin's 重新发送)
sends it when due. A worker that dies mid-send leaves a row "sending"; the sweep tries it again later.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import time

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.core import outbox
from campaign.core.channels import Message, Outcome, robot_for, send_email, sms_backend
from reports import pushes
from reports.models import Delivery, Notice, Robot

log = logging.getLogger(__name__)

Channel, Status = Delivery.Channel, Delivery.Status
#: A row "sending" for longer than this lost its worker; the sweep tries it again.
STALE_SENDING = datetime.timedelta(minutes=10)
#: With a worker, the sweep leaves rows alone until they are this late: their own job is on its way.
SWEEP_GRACE = datetime.timedelta(minutes=2)


# --- planning ---------------------------------------------------------------------------------------

#: While set (:func:`sent_here`), the ids of the rows planned, which the caller sends itself.
_sent_here: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("sent_here", default=None)


@contextlib.contextmanager
def sent_here():
    """Rows planned inside are not queued as jobs of their own: the caller (a hand-off's job) sends them
    once its transaction has committed, so a message waits behind the queue once, not twice. A row the
    caller never gets to (its worker died) is pending and due: the sweep sends it."""
    planned: list[int] = []
    token = _sent_here.set(planned)
    try:
        yield planned
    finally:
        _sent_here.reset(token)


def _plan(*, key: str, channel: str, message: Message, urgent: bool = False, notice: Notice | None = None,
          **recipient) -> Delivery | None:
    """One row per hand-off, recipient and channel; the new row's job is queued after the commit (or its id
    handed to the :func:`sent_here` caller)."""
    delivery, created = Delivery.objects.get_or_create(key=key, channel=channel, **recipient, defaults={
        "notice": notice, "title": message.title[:120], "text": message.text, "markdown": message.markdown,
        "mobiles": list(message.mobiles), "urgent": urgent})
    if not created:
        return None
    here = _sent_here.get()
    if here is not None:
        here.append(delivery.pk)
    else:
        outbox.enqueue("reports.jobs.deliver", delivery.pk)
    return delivery


def plan_for_notice(*, notice: Notice, message: Message | None = None) -> list[Delivery]:
    """Push a new notice through its person's channels, as far as the notice's kind and their choices allow."""
    by_sms, by_email = pushes.CHANNELS.get(notice.kind, (False, False))
    if not (by_sms or by_email):
        return []
    user, key = notice.user, f"{notice.key}@{notice.day:%Y%m%d}"
    message = message or pushes.notice_message(notice)
    planned = []
    if by_sms and user.notify_by_sms and user.phone:
        planned.append(_plan(key=key, channel=Channel.SMS, message=message, notice=notice, user=user,
                             urgent=notice.kind in pushes.URGENT))
    if by_email and user.notify_by_email and user.email:
        planned.append(_plan(key=key, channel=Channel.EMAIL, message=message, notice=notice, user=user))
        # This delivery emails the notice: the daily digest leaves it out.
        Notice.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return [d for d in planned if d is not None]


def plan_for_robot(*, key: str, robot: Robot, message: Message) -> Delivery | None:
    return _plan(key=key, channel=robot.kind, message=message, robot=robot)


@transaction.atomic
def plan_for_robots(*, key: str, unit_id: int, message: Message) -> list[Delivery]:
    """The hand-off to every enabled group robot of the unit."""
    planned = [plan_for_robot(key=key, robot=robot, message=message)
               for robot in Robot.objects.filter(unit_id=unit_id, enabled=True).order_by("pk")]
    return [d for d in planned if d is not None]


# --- sending ----------------------------------------------------------------------------------------

def deliver(*, delivery_id: int, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Try one delivery if it is due. Returns when it will be tried next (and arranges it), or None when it
    is sent, failed for good, not due, or being sent by someone else."""
    now = now or timezone.now()
    # Timed from ``now``, claim included: the claim may wait on the database before the message leaves,
    # and the place must not be settled earlier than the gateway saw the message.
    started = time.monotonic()
    claimed = again = _claim(delivery_id, now)
    if isinstance(claimed, Delivery):
        outcome = _send(claimed)
        if claimed.robot_id:
            _settle_slot(claimed.robot_id, now.timestamp(), time.monotonic() - started)
        again = _record(claimed, outcome, now)
    follow_up(delivery_id, again)
    return again


@transaction.atomic
def _claim(delivery_id: int, now: datetime.datetime) -> Delivery | datetime.datetime | None:
    """The row, marked sending, when it may go now; the time it is held until; or None (nothing to do)."""
    delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("robot", "user").filter(pk=delivery_id, status=Status.PENDING).first())
    if delivery is None or delivery.next_attempt_at > now:
        return None  # done, in another worker's hands, or waiting on a try that its own job will make
    if delivery.robot_id and not delivery.robot.enabled:
        Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, answer=_("The robot is switched off."))
        return None
    held = _held_until(delivery, now)
    if held is not None:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=held)
        return held
    delivery.status, delivery.attempts, delivery.claimed_at = Status.SENDING, delivery.attempts + 1, now
    delivery.save(update_fields=["status", "attempts", "claimed_at"])
    return delivery


def _held_until(delivery: Delivery, now: datetime.datetime) -> datetime.datetime | None:
    if delivery.channel == Channel.SMS and not delivery.urgent:
        return delivery.user.quiet_hours_end(now)
    if delivery.robot_id:
        return _robot_slot(delivery.robot_id, now)
    return None


def _robot_slot(robot_id: int, now: datetime.datetime) -> datetime.datetime | None:
    """Reserve a place in the robot's window (None), or say when the oldest place frees.

    The robot's row is locked while its window is read and written, so two workers sending to one robot
    take places one after the other; the place is reserved before sending, as the gateway counts tries.
    """
    robot = Robot.objects.select_for_update().only("recent_sends").get(pk=robot_id)
    window, limit = settings.ROBOT_WINDOW_SECONDS, settings.ROBOT_MESSAGES_PER_WINDOW
    stamp = now.timestamp()
    sends = sorted(t for t in robot.recent_sends if t > stamp - window)
    if len(sends) >= limit:
        # A millisecond late: a datetime holds microseconds and may round the float down, and a try at
        # that instant would still find the place taken.
        return datetime.datetime.fromtimestamp(sends[-limit] + window + 0.001, tz=datetime.UTC)
    Robot.objects.filter(pk=robot_id).update(recent_sends=[*sends, stamp])
    return None


@transaction.atomic
def _settle_slot(robot_id: int, reserved: float, took: float) -> None:
    """Move the place reserved at ``reserved`` to when the gateway answered.

    The gateway counts a message when it arrives, some time after the place was reserved; the answer
    comes after it arrived. Counting the window from the answer keeps the next window from opening
    before the gateway's own one has: a slow first request would otherwise let a 21st in too early.
    """
    robot = Robot.objects.select_for_update().only("recent_sends").get(pk=robot_id)
    sends = list(robot.recent_sends)
    if reserved in sends:
        sends[sends.index(reserved)] = reserved + took
        Robot.objects.filter(pk=robot_id).update(recent_sends=sorted(sends))


def _send(delivery: Delivery) -> Outcome:
    message = Message(title=delivery.title, text=delivery.text, markdown=delivery.markdown,
                      mobiles=tuple(delivery.mobiles))
    try:
        if delivery.robot_id:
            robot = delivery.robot
            return robot_for(robot.kind, robot.key, robot.secret).send(message)
        if delivery.channel == Channel.SMS:
            phone = delivery.user.phone
            return sms_backend().send(phone, delivery.text) if phone else Outcome.refused(_("No mobile number."))
        address = delivery.user.email
        return send_email(address, message) if address else Outcome.refused(_("No email address."))
    except Exception as exc:  # a misconfigured backend must fail the row visibly, not leave it "sending"
        log.exception("delivery %s: the transport failed", delivery.pk)
        return Outcome.again(f"{type(exc).__name__}: {exc}")


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` tries: 60, 120, 240 … up to the cap."""
    return min(settings.CHANNEL_RETRY_SECONDS * 2 ** max(attempts - 1, 0), settings.CHANNEL_RETRY_MAX_SECONDS)


def _record(delivery: Delivery, outcome: Outcome, now: datetime.datetime) -> datetime.datetime | None:
    """Write what the try gave; the UPDATE names the claim, so a row taken back by the sweep is left alone."""
    again = None
    if outcome.sent:
        fields = {"status": Status.SENT, "sent_at": timezone.now()}
    elif outcome.retry and delivery.attempts < settings.CHANNEL_MAX_ATTEMPTS:
        again = now + datetime.timedelta(seconds=max(outcome.wait, backoff(delivery.attempts)))
        fields = {"status": Status.PENDING, "next_attempt_at": again}
    else:
        fields = {"status": Status.FAILED}
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts).update(
        answer=outcome.answer[:500], **fields)
    if not outcome.sent:
        log.warning("delivery %s try %s: %s", delivery.pk, delivery.attempts, outcome.answer)
    return again


def follow_up(delivery_id: int, at: datetime.datetime | None) -> None:
    """Queue the next try for ``at`` on a worker; with jobs in-process, leave it to :func:`deliver_due`."""
    if at is None or current_app.conf.task_always_eager:
        return
    try:
        current_app.tasks["reports.jobs.deliver"].apply_async(args=[delivery_id], eta=at)
    except Exception as exc:  # the broker is down: the row waits, and the sweep finds it
        log.warning("delivery %s: could not queue the next try: %s", delivery_id, exc)


def deliver_due(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Every minute: try the rows that are due and have no job of their own coming. Returns how many."""
    now = now or timezone.now()
    Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        status=Status.PENDING, next_attempt_at=now)
    grace = datetime.timedelta(0) if current_app.conf.task_always_eager else SWEEP_GRACE
    due = list(Delivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - grace)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in due:
        deliver(delivery_id=pk, now=now)
    return len(due)


@transaction.atomic
def delivery_resend(*, delivery: Delivery, by: User) -> bool:
    """An admin sends a waiting or failed delivery again now, with a fresh count of tries (False: it is
    sent or being sent, and is left as it is)."""
    again = Delivery.objects.filter(pk=delivery.pk, status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0)
    if again:
        outbox.enqueue("reports.jobs.deliver", delivery.pk)
        log.info("delivery %s sent again by %s", delivery.pk, by.username)
    return bool(again)


def sent_in_window(robot: Robot) -> int:
    """How many places of the robot's window are taken now (shown on its page)."""
    start = timezone.now().timestamp() - settings.ROBOT_WINDOW_SECONDS
    return sum(1 for t in robot.recent_sends if t > start)

