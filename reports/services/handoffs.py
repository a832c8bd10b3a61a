"""Hand-offs that other apps announce through the outbox: the job names the object, this finds who must act.

Each is safe to run twice: the notices (one per person, key and day) and the deliveries (one per hand-off,
recipient and channel) are unique rows, so a second run finds them and sends nothing more.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from inspections.models import Finding, Rectification, Verification
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
    line = pushes.dispatch_line(finding)
    return _announce(
        key=f"finding:{finding.pk}:dispatched", kind=Notice.Kind.DISPATCHED, line=line,
        people=_leaders(finding.responsible_unit_id), day=timezone.localdate(finding.dispatched_at),
        url=reverse("inspections:finding_detail", args=[finding.pk]), robots_of=finding.responsible_unit_id,
        message=lambda mobiles=(): pushes.dispatch_message(finding, mobiles=mobiles))


def _announce(*, key: str, people: list[User], kind: str, line: str, message, url: str, day,
              robots_of: int) -> list[Delivery]:
    """Tell ``people`` (a notice each, pushed through their own channels) and the group robots of the unit
    ``robots_of``, which @ those people by their mobile numbers. ``message(mobiles=…)`` words the push."""
    planned, to_person = [], message()
    for person in people:
        notice, created = notify(user=person, kind=kind, key=key, message=line, url=url, day=day,
                                 push=to_person)
        if created:
            planned += list(notice.deliveries.all())
    to_group = message(mobiles=[person.phone for person in people if person.phone])
    return planned + deliveries.plan_for_robots(key=key, unit_id=robots_of, message=to_group)


@transaction.atomic
def announce_rectified(*, rectification_id: int) -> list[Delivery]:
    """A rectification submitted reaches the inspector who logged the finding and the group of their unit
    (the inspection squad's, or for a tier-3 finding the squad's own). Left alone once it is verified."""
    rectification = (Rectification.objects.select_related(
        "finding__site", "finding__category", "finding__responsible_unit", "finding__reporter__unit")
        .filter(pk=rectification_id).first())
    if rectification is None or rectification.finding.status != Finding.Status.RECTIFIED:
        return []
    finding = rectification.finding
    reporter = finding.reporter
    line = pushes.rectified_line(finding, rectification)
    return _announce(
        key=f"finding:{finding.pk}:rectified:{rectification.pk}", kind=Notice.Kind.RECTIFIED, line=line,
        people=[reporter] if reporter.is_active else [], day=timezone.localdate(rectification.at),
        url=reverse("inspections:finding_detail", args=[finding.pk]), robots_of=reporter.unit_id,
        message=lambda mobiles=(): pushes.finding_message(finding, _("Awaiting verification"), line,
                                                          mobiles=mobiles))


@transaction.atomic
def announce_returned(*, verification_id: int) -> list[Delivery]:
    """A rectification sent back for rework reaches the unit's leaders and its group, with the reason and the
    new deadline. Left alone once the unit has answered again or the finding is closed."""
    verification = (Verification.objects.select_related(
        "finding__site", "finding__category", "finding__responsible_unit", "finding__reporter__unit")
        .filter(pk=verification_id, result=Verification.Result.RETURNED).first())
    if verification is None or verification.finding.status != Finding.Status.RETURNED:
        return []
    finding = verification.finding
    line = pushes.returned_line(finding, verification)
    return _announce(
        key=f"finding:{finding.pk}:returned:{verification.pk}", kind=Notice.Kind.RETURNED, line=line,
        people=_leaders(finding.responsible_unit_id), day=timezone.localdate(verification.at),
        url=reverse("inspections:finding_detail", args=[finding.pk]), robots_of=finding.responsible_unit_id,
        message=lambda mobiles=(): pushes.finding_message(finding, _("Returned for rework"), line,
                                                          mobiles=mobiles))


def _leaders(unit_id: int) -> list[User]:
    return list(User.objects.filter(unit_id=unit_id, role=User.Role.SQUAD_LEADER, is_active=True).order_by("pk"))
