"""Writes for the campaign app: set-up objects and job bookkeeping."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone

from campaign.models import CheckItem, Content, JobHeartbeat, PointType, Standard


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


# --- set-up pages -------------------------------------------------------------------------


@transaction.atomic
def standard_add(*, content: Content, text: str, bureau_scope: bool) -> Standard:
    """Add a clause to a content under the next free number; its code follows (``Ⅲ-59`` → ``Ⅲ-59-3``)."""
    # Lock the content so two admins adding at once cannot both take the same number.
    content = Content.objects.select_for_update().get(pk=content.pk)
    number = (content.standards.aggregate(last=Max("number"))["last"] or 0) + 1
    # The model derives the edition and the code (Ⅲ-59-3) from the content and the number.
    standard = Standard(content=content, number=number, text=text, bureau_scope=bureau_scope)
    return save_validated(instance=standard)


@transaction.atomic
def point_type_save(*, point_type: PointType, checks: Iterable[CheckItem] = (),
                    deleted: Iterable[CheckItem] = ()) -> PointType:
    """Save a point type with its changed and removed check items, all or nothing."""
    save_validated(instance=point_type)
    for check in deleted:
        if check.pk and check.point_type_id == point_type.pk:
            check.delete()
    for check in checks:
        check.point_type = point_type
        save_validated(instance=check)
    return point_type
