"""Hand-offs that other apps announce through the outbox: the job names the object, this finds who must act.

Each is safe to run twice: the notices (one per person, key and day) and the deliveries (one per hand-off,
recipient and channel) are unique rows, so a second run finds them and sends nothing more.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from inspections.models import Finding
from reports import pushes
from reports.models import Delivery, Notice
from reports.services import deliveries
from reports.services.notices import notify


@transaction.atomic
def announce_dispatch(*, finding_id: int) -> list[Delivery]:
    """A finding dispatched to a unit reaches the unit's leaders (a notice, pushed through their own
    channels) and the unit's group robots, which @ the leaders by their mobile numbers.

    A finding closed or withdrawn before the job ran needs nobody's action any more: it is left alone.
    """
    finding = (Finding.objects.select_related("site", "category", "responsible_unit", "reporter__unit")
               .filter(pk=finding_id).first())
    if finding is None or not finding.is_open:
        return []
    leaders = list(User.objects.filter(unit_id=finding.responsible_unit_id, role=User.Role.SQUAD_LEADER,
                                       is_active=True).order_by("pk"))
    key, url = f"finding:{finding.pk}:dispatched", reverse("inspections:finding_detail", args=[finding.pk])
    line, to_person = pushes.dispatch_line(finding), pushes.dispatch_message(finding)
    planned = []
    for leader in leaders:
        notice, created = notify(user=leader, kind=Notice.Kind.DISPATCHED, key=key, message=line, url=url,
                                 day=timezone.localdate(finding.dispatched_at), push=to_person)
        if created:
            planned += list(notice.deliveries.all())
    to_group = pushes.dispatch_message(finding, mobiles=[leader.phone for leader in leaders if leader.phone])
    return planned + deliveries.plan_for_robots(key=key, unit_id=finding.responsible_unit_id, message=to_group)
