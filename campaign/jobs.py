"""Celery jobs of the campaign app."""

from celery import shared_task

from campaign.services import record_heartbeat


@shared_task(name="campaign.jobs.heartbeat")
def heartbeat(name: str = "heartbeat") -> str:
    """Record that the worker (and beat) are alive; /healthz shows the time."""
    beat = record_heartbeat(name=name)
    return beat.last_run_at.isoformat()
