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
from django.utils.translation import pgettext

from campaign.core.channels import Message
from campaign.templatetags.todo import remaining  # the words 待办 uses: 剩余 4 小时
from inspections.models import TIER_NAMES
from reports.models import Notice

Kind = Notice.Kind

#: Which notices go out by (SMS, email). Hand-offs that ask for action go both ways as they happen; a red
#: light and an escalation by SMS (an escalation through quiet hours). The daily reminders (overdue, due
#: soon), a yellow light and a close stay in the app, the unit's group and the one daily email digest, so
#: nobody gets a text per item every morning. Bulletins are emailed with their PDF.
CHANNELS: dict[str, tuple[bool, bool]] = {
    Kind.DISPATCHED: (True, True),
    Kind.RECTIFIED: (True, True),
    Kind.RETURNED: (True, True),
    Kind.RED: (True, False),
    Kind.SPEAKING: (True, True),
    Kind.SENT_BACK: (True, True),
    Kind.EXTENSION_ASKED: (True, True),
    Kind.EXTENSION_DECIDED: (True, True),
    Kind.HANDED: (True, True),
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


def line_message(title: str, line: str, url: str, mobiles=()) -> Message:
    """``line`` and the link to ``url``, as a text (SMS, email, a robot that @s) and as markdown."""
    url = absolute(url)
    with translation.override(settings.LANGUAGE_CODE):
        return Message(title=str(title), text=_("%(line)s View: %(url)s") % {"line": line, "url": url},
                       markdown=f"{line}[{_('View')}]({url})", mobiles=tuple(mobiles))


def _short(text: str, limit: int = 60) -> str:
    """A reason as a message quotes it: at most ``limit`` characters, ending in one full stop."""
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return text.rstrip("。. ") + "。"


def dispatch_line(finding) -> str:
    """整改通知 to the unit a finding was dispatched (or re-dispatched, 改派) to: where, what, who found it, by when."""
    with translation.override(settings.LANGUAGE_CODE):
        words = {"place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
                 "tier": str(TIER_NAMES[finding.tier]), "deadline": when(finding.deadline)}
        if finding.dispatched_at > finding.reported_at:
            return _("[Re-dispatched] %(place)s %(category)s (%(unit)s, %(tier)s) is your unit's: rectify by "
                     "%(deadline)s.") % words
        return _("[Rectification notice] %(place)s %(category)s (%(unit)s, %(tier)s): rectify by %(deadline)s.") % words


def sent_back_line(finding, event) -> str:
    """退回 to the dispatcher: the unit says the finding is not theirs, and why."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Sent back] %(place)s %(category)s: %(unit)s sent it back: %(reason)s Please re-dispatch it.") % {
            "place": finding.place, "category": finding.category.name, "unit": event.from_unit.label,
            "reason": _short(event.note)}


def handed_line(finding, event) -> str:
    """交办 to the member: the squad leader hands them a finding to rectify, by its deadline."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Handed to you] %(place)s %(category)s (%(unit)s, %(tier)s): %(leader)s hands it to you; rectify "
                 "by %(deadline)s.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "tier": str(TIER_NAMES[finding.tier]), "leader": event.by.display_name, "deadline": when(finding.deadline)}


def withdrawn_line(finding, event) -> str:
    """作废 to the unit: the inspector withdrew the finding; nothing is asked of the unit any more."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Withdrawn] %(place)s %(category)s (%(unit)s, %(tier)s): withdrawn: %(reason)s No rectification "
                 "is needed.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "tier": str(TIER_NAMES[finding.tier]), "reason": _short(event.note)}


def extension_asked_line(finding, request) -> str:
    """申请延期 to the dispatcher: the unit asks for a later deadline, and why."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[More time asked] %(place)s %(category)s: %(unit)s asks until %(deadline)s: %(reason)s "
                 "Please decide.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.responsible_unit.label,
            "deadline": when(request.proposed_deadline), "reason": _short(request.reason)}


def extension_decided_line(finding, request) -> str:
    """The decision to the unit: the new deadline, or the reason for refusing and the deadline still in force."""
    with translation.override(settings.LANGUAGE_CODE):
        words = {"place": finding.place, "category": finding.category.name, "deadline": when(finding.deadline)}
        if request.granted_deadline:
            return _("[More time granted] %(place)s %(category)s: rectify by %(deadline)s.") % words
        return _("[More time refused] %(place)s %(category)s: %(answer)s Rectify by %(deadline)s.") % {
            **words, "answer": _short(request.answer)}


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
        return _("[Returned for rework] %(place)s %(category)s (%(unit)s): %(reason)s Rectify again by "
                 "%(deadline)s.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "reason": _short(verification.note), "deadline": when(verification.new_deadline)}


def closed_line(finding, verification) -> str:
    """销号 to the unit: the inspector saw the rectification hold; the finding is finished and counted."""
    with translation.override(settings.LANGUAGE_CODE):
        on_time = pgettext("rectified …", "on time") if finding.closed_on_time else pgettext("rectified …", "late")
        return _("[Closed] %(place)s %(category)s (%(unit)s, %(tier)s): verified and closed at %(time)s, "
                 "rectified %(on_time)s.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "tier": str(TIER_NAMES[finding.tier]), "time": when(verification.at), "on_time": on_time}


def yellow_line(finding, now: datetime.datetime) -> str:
    """黄灯 to the unit: 80 % of its time is gone."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Deadline near] %(place)s %(category)s (%(unit)s, %(tier)s): %(left)s; rectify by "
                 "%(deadline)s.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "tier": str(TIER_NAMES[finding.tier]), "left": remaining(finding.deadline, now),
            "deadline": when(finding.deadline)}


def red_line(finding) -> str:
    """红灯 to the unit: the deadline has passed and it is still open."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Deadline passed] %(place)s %(category)s (%(unit)s, %(tier)s): not rectified by %(deadline)s; "
                 "rectify at once.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.reporter.unit.label,
            "tier": str(TIER_NAMES[finding.tier]), "deadline": when(finding.deadline)}


def escalation_line(finding, now: datetime.datetime) -> str:
    """督办 to a leader up the chain: whose finding, how late."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[Escalation] %(place)s %(category)s of %(unit)s is %(days)s days past its deadline "
                 "(%(deadline)s) and still open; please press for it.") % {
            "place": finding.place, "category": finding.category.name, "unit": finding.responsible_unit.name,
            "days": (now - finding.deadline).days, "deadline": when(finding.deadline)}


def finding_message(finding, title: str, line: str, *, mobiles=()) -> Message:
    """A hand-off's ``line`` with the finding's link; ``mobiles`` are @-mentioned in a group."""
    with translation.override(settings.LANGUAGE_CODE):
        url = absolute(reverse("inspections:finding_detail", args=[finding.pk]))
        return line_message(title, line, url, mobiles)


def notice_message(notice: Notice) -> Message:
    """Any other notice, as it reads in the app, with its kind in front and the link behind."""
    with translation.override(settings.LANGUAGE_CODE):
        title = str(Kind(notice.kind).label)
        # One full stop, whichever way the notice's own text ends, before the link.
        line = _("[%(title)s] %(message)s.") % {"title": title, "message": notice.message.rstrip("。. ")}
        return line_message(title, line, absolute(notice.url))


def robot_test_message(robot, *, by) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        line = _("[Test message] 百日攻坚 reaches %(group)s. Sent by %(person)s at %(time)s.") % {
            "group": robot.name, "person": by.display_name, "time": when(timezone.now())}
        return line_message(_("Test message"), line, absolute(reverse("reports:robot", args=[robot.pk])))


def _rank_move(change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return _("unchanged")
    return ("↑%d" if change > 0 else "↓%d") % abs(change)


def bulletin_message(bulletin, *, url: str, row: dict | None = None) -> Message:
    """周通报 for a group: the district's figures for the leaders' group, or one squad's own ``row``."""
    with translation.override(settings.LANGUAGE_CODE):
        figures = bulletin.figures
        head = _("[Weekly bulletin] No. %(n)s (%(start)s–%(end)s)") % {
            "n": bulletin.number, "start": _day(bulletin.week_start), "end": _day(bulletin.week_end)}
        if row is None:
            overall = figures.get("overall", {})
            best = figures["units"][0]["unit"] if figures.get("units") else "—"
            line = _("%(head)s is out: rectified on time %(rate)s%% across the district, open past deadline "
                     "%(open)s; first: %(best)s.") % {
                "head": head, "rate": _percent(overall.get("rates", {}).get("rectification_on_time")),
                "open": overall.get("open_past_deadline", 0), "best": best}
        else:
            move = _rank_move(row.get("rank_change"))
            line = _("%(head)s: %(unit)s ranks %(rank)s of %(count)s this week%(move)s; rectified on time "
                     "%(rate)s%%; open past deadline %(open)s.") % {
                "head": head, "unit": row["unit"], "rank": row["rank"], "count": len(figures["units"]),
                "move": (_(", %(move)s") % {"move": move}) if move else "",
                "rate": _percent(row["rates"]["rectification_on_time"]),
                "open": row.get("open_past_deadline", 0)}
        return line_message(_("Weekly bulletin"), line, url)


def speaking_line(meeting, items) -> str:
    """会议发言 to a speaker: which meeting, when and where, and each item they speak to, with its minutes."""
    with translation.override(settings.LANGUAGE_CODE):
        spoken = _("; ").join(_("%(kind)s “%(title)s” (%(minutes)s min)") % {
            "kind": item.get_kind_display(), "title": item.title, "minutes": item.minutes} for item in items)
        if meeting.location:
            when_where = _("%(date)s, %(place)s") % {"date": _day(meeting.date), "place": meeting.location}
        else:
            when_where = _day(meeting.date)
        return _("[Speaking at the meeting] %(title)s (%(when)s): please speak on %(items)s.") % {
            "title": meeting.title, "when": when_where, "items": spoken}


def _day(date: datetime.date) -> str:
    return _("%(month)s/%(day)s") % {"month": date.month, "day": date.day}


def _percent(value) -> str:
    return "—" if value is None else f"{value:g}"
