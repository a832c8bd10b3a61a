"""Celery jobs of the campaign app."""

from celery import shared_task

from campaign.core import outbox
from campaign.services import record_heartbeat


@shared_task(name="campaign.jobs.heartbeat")
def heartbeat(name: str = "heartbeat") -> str:
    """Record that the worker (and beat) are alive; /healthz shows the time."""
    beat = record_heartbeat(name=name)
    return beat.last_run_at.isoformat()


@shared_task(name="campaign.jobs.flush_outbox")
def flush_outbox() -> int:
    """Every minute: queue the outbox rows the broker refused when their change committed."""
    return outbox.send_pending()
