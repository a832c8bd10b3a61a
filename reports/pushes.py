"""What each hand-off says on a phone, and which notices are pushed through which of a person's channels.

Messages are short, Chinese first (the bureau's language, whatever language the page that caused them was
in), and carry the place, the deadline and a link to the page where the action is done:
``【整改通知】和平路 店外经营（督察中队，二级督查）请于 12月3日 18:00 前整改。查看：…``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.core.channels import Message
from inspections.models import TIER_NAMES
from reports.models import Notice

Kind = Notice.Kind

#: Which notices go out by (SMS, email). Hand-offs go both ways as they happen. The daily reminders
#: (overdue, due soon) stay in the app and the one daily email digest, so nobody gets a text per item
#: every morning; an escalation is sent by SMS, through quiet hours. Bulletins are emailed with their PDF.
CHANNELS: dict[str, tuple[bool, bool]] = {
    Kind.DISPATCHED: (True, True),
    Kind.RECTIFIED: (True, True),
    Kind.RETURNED: (True, True),
    Kind.TASK: (True, True),
    Kind.ESCALATION: (True, False),
}
#: Notices whose SMS is sent through the person's quiet hours.
URGENT = frozenset({Kind.ESCALATION})



def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else (path or settings.SITE_URL)


def when(moment: datetime.datetime) -> str:
    """12月3日 18:00 in the bureau's time."""
    local = timezone.localtime(moment)
    return _("%(month)s/%(day)s %(time)s") % {"month": local.month, "day": local.day, "time": f"{local:%H:%M}"}


def _message(title: str, line: str, url: str, mobiles=()) -> Message:
    return Message(title=title, text=_("%(line)s View: %(url)s") % {"line": line, "url": url},
                   markdown=f"{line}[{_('View')}]({url})", mobiles=tuple(mobiles))


def dispatch_line(finding) -> str:
    """整改通知 to the unit a finding was dispatched to: where, what, who found it, by when."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Rectification notice] %(place)s %(category)s (%(unit)s, %(tier)s): rectify by %(deadline)s.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "tier": str(TIER_NAMES[finding.tier]), "deadline": when(finding.deadline)}


def dispatch_message(finding, *, mobiles=()) -> Message:
    """:func:`dispatch_line` with the finding's link; ``mobiles`` are @-mentioned in a group."""
    with translation.override(settings.LANGUAGE_CODE):
        return finding_message(finding, _("Rectification notice"), dispatch_line(finding), mobiles=mobiles)


def rectified_line(finding, rectification) -> str:
    """待核查 to the inspector who logged the finding: the unit says it is done; go and look."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Awaiting verification] %(place)s %(category)s: %(unit)s rectified it at %(time)s; "
                 "please verify.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.responsible_unit.label,
            "time": when(rectification.at)}


def returned_line(finding, verification) -> str:
    """返工通知 to the unit: why the rectification was not accepted, and the new deadline."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = verification.note if len(verification.note) <= 60 else verification.note[:59] + "…"
        return _("[Returned for rework] %(place)s %(category)s (%(unit)s): %(reason)s Rectify again by "
                 "%(deadline)s.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "reason": reason.rstrip("。. ") + "。", "deadline": when(verification.new_deadline)}


def finding_message(finding, title: str, line: str, *, mobiles=()) -> Message:
    """A hand-off's ``line`` with the finding's link; ``mobiles`` are @-mentioned in a group."""
    with translation.override(settings.LANGUAGE_CODE):
        url = absolute(reverse("inspections:finding_detail", args=[finding.pk]))
        return _message(title, line, url, mobiles)


def notice_message(notice: Notice) -> Message:
    """Any other notice, as it reads in the app, with its kind in front and the link behind."""
    with translation.override(settings.LANGUAGE_CODE):
        title = str(Kind(notice.kind).label)
        # One full stop, whichever way the notice's own text ends, before the link.
        line = _("[%(title)s] %(message)s.") % {"title": title, "message": notice.message.rstrip("。. ")}
        return _message(title, line, absolute(notice.url))


def robot_test_message(robot, *, by) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        line = _("[Test message] 百日攻坚 reaches %(group)s. Sent by %(person)s at %(time)s.") % {
            "group": robot.name, "person": by.display_name, "time": when(timezone.now())}
        return _message(_("Test message"), line, absolute(reverse("reports:robot", args=[robot.pk])))
