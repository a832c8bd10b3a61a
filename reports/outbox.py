"""The transactional outbox: jobs that must not be lost when the broker is down.

``enqueue`` writes an :class:`~reports.models.OutboxMessage` inside the
caller's transaction and, once that commits, tries to hand it to Celery. A
broker error is logged and the row stays pending: the write the person made
has already committed and their request still succeeds. ``send_pending``
(run every minute by ``reports.jobs.flush_outbox``) queues whatever is left.
Rows are locked while being sent (``skip_locked``), so the commit hook and the
flush never queue the same row at once.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reports.models import OutboxMessage

log = logging.getLogger(__name__)


def enqueue(job: str, *args) -> OutboxMessage:
    """Record the job with the current transaction; queue it after the commit (or later, if the broker is down)."""
    message = OutboxMessage.objects.create(job=job, args=list(args))
    transaction.on_commit(lambda: send(message.pk))
    return message


def send(message_id: int) -> bool:
    """Queue one pending row; True when the broker took it (or it had been sent already)."""
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, sent_at__isnull=True).first())
        if message is None:
            return True  # sent already, or being sent right now by someone else
        try:
            current_app.tasks[message.job].apply_async(args=message.args)
        except Exception as exc:  # the broker is down or refusing: keep the row for the next flush
            log.warning("outbox: could not queue %s (attempt %s): %s", message, message.attempts + 1, exc)
            OutboxMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:300])
            return False
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1, sent_at=timezone.now(),
                                                           last_error="")
        return True


def send_pending(limit: int = 500) -> int:
    """Queue the pending rows, oldest first; stop at the first broker error (the rest would fail too)."""
    sent = 0
    for pk in OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]:
        if not send(pk):
            break
        sent += 1
    return sent
