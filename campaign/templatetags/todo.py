"""How long is left for an entry of 待办, in words: 剩余 5 小时, 今天到期, 逾期 2 天, 已等待 3 小时."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

register = template.Library()

HOUR, DAY = 3600, 86400

# The number is named ("n"), so each phrase picks its plural when it is filled in.
WORDS = {
    "left": {"minute": ngettext_lazy("%(n)s minute left", "%(n)s minutes left", "n"),
             "hour": ngettext_lazy("%(n)s hour left", "%(n)s hours left", "n"),
             "day": ngettext_lazy("%(n)s day left", "%(n)s days left", "n")},
    "overdue": {"minute": ngettext_lazy("%(n)s minute overdue", "%(n)s minutes overdue", "n"),
                "hour": ngettext_lazy("%(n)s hour overdue", "%(n)s hours overdue", "n"),
                "day": ngettext_lazy("%(n)s day overdue", "%(n)s days overdue", "n")},
    "waiting": {"minute": ngettext_lazy("waiting %(n)s minute", "waiting %(n)s minutes", "n"),
                "hour": ngettext_lazy("waiting %(n)s hour", "waiting %(n)s hours", "n"),
                "day": ngettext_lazy("waiting %(n)s day", "waiting %(n)s days", "n")},
}


def _span(seconds: float) -> tuple[str, int]:
    """Minutes under an hour, hours under two days (a finding's whole period), days beyond."""
    if seconds < HOUR:
        return "minute", max(int(seconds // 60), 1)
    if seconds < 2 * DAY:
        return "hour", int(seconds // HOUR)
    return "day", int(seconds // DAY)


def _say(kind: str, seconds: float) -> str:
    unit, n = _span(seconds)
    return _in(kind, unit, n)


def _in(kind: str, unit: str, n: int) -> str:
    return WORDS[kind][unit] % {"n": n}


@register.simple_tag
def remaining(due, now: datetime.datetime) -> str:
    """A moment's deadline to the minute or hour; a day's (a task's, due at its end) in whole days."""
    if due is None:
        return ""
    if isinstance(due, datetime.datetime):
        seconds = (due - now).total_seconds()
        return _say("left" if seconds > 0 else "overdue", abs(seconds))
    days = (due - timezone.localdate(now)).days
    if days == 0:
        return _("Due today")
    return _in("left" if days > 0 else "overdue", "day", abs(days))


@register.simple_tag
def waiting(since, now: datetime.datetime) -> str:
    """How long an entry with no deadline of its own (a rectification to verify) has waited."""
    if since is None:
        return ""
    return _say("waiting", max((now - since).total_seconds(), 0))
