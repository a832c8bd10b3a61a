"""The transactional outbox: jobs that must not be lost when the broker is down.

``enqueue`` writes an :class:`OutboxMessage` inside the
caller's transaction and, once that commits, tries to hand it to Celery. A
broker error is logged and the row stays pending: the write the person made
has already committed and their request still succeeds. ``send_pending``
(run every minute by ``campaign.jobs.flush_outbox``) queues whatever is left.
Rows are locked while being sent (``skip_locked``), so the commit hook and the
flush never queue the same row at once.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

log = logging.getLogger(__name__)


class OutboxMessage(models.Model):
    """A job to queue, written in the same transaction as the change that calls for it.

    Queueing straight to the broker from a request loses the job when Redis is
    down, or queues one for a change that then rolls back. The row commits or
    rolls back with the change; after the commit :func:`send` hands it to the
    broker, and the every-minute ``campaign.jobs.flush_outbox`` retries the rows
    still pending. The jobs it carries are idempotent, so a row sent twice (a
    crash between publishing and marking it sent) does no harm. Jobs are named,
    not imported, so any app may queue another app's job.
    """

    job = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "campaign"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self):
        return f"{self.job}{tuple(self.args)}"


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
