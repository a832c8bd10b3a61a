"""Writes for the campaign app: set-up objects and job bookkeeping."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from campaign.models import JobHeartbeat


@transaction.atomic
def save_validated(*, instance: models.Model) -> models.Model:
    """Validate (model constraints and ``clean``) and save a set-up object; nothing is written on error."""
    instance.full_clean()
    instance.save()
    return instance


def record_heartbeat(*, name: str) -> JobHeartbeat:
    """Upsert without a read-modify-write race: two workers running it at once both count."""
    now = timezone.now()
    updated = JobHeartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1)
    if not updated:
        JobHeartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1})
    return JobHeartbeat.objects.get(name=name)
