"""The task lines of the coverage page, written in Python.

The page shows every task the campaign has under the bureau's standards: thousands of lines in a city.
Through the template language each line cost a ``{% url %}``, a filter, an ``{% include %}`` and a dozen
variable look-ups, which made rendering most of the page's time; here a line is one string format. The
markup is the one ``tasks/coverage.html`` and ``tasks/_status.html`` wrote before: tests/tasks/test_coverage.py
renders the former lines (including the current ``_status.html``) and requires the same, so a change to the
status badge fails it until it is made here too.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext

from tasks.models import Task
from tasks.selectors import CoverageTask

register = template.Library()

CONTENT_CHARS = 30  # what ``truncatechars:30`` kept
_MARKER = 2**31 - 1  # reverse() once with this id, then each line puts its own id where it stands


class _Pieces:
    """What every line of one page shares, made once per page (the tag runs once per standard)."""

    def __init__(self):
        self.head, self.tail = reverse("tasks:detail", args=[_MARKER]).split(str(_MARKER))
        self.status = {value: f'<span class="badge status-{escape(value)}">{escape(str(label))}</span>'
                       for value, label in Task.Status.choices}
        self.overdue: dict[int, str] = {}
        self.escaped: dict[str, str] = {}  # unit labels and names repeat from line to line

    def late(self, days: int) -> str:
        if days not in self.overdue:
            # The translation goes in as blocktranslate put it, unescaped: only the number is a value.
            self.overdue[days] = ' <span class="badge red overdue">' + ngettext(
                "overdue %(days)s day", "overdue %(days)s days", days) % {"days": days} + "</span>"
        return self.overdue[days]

    def name(self, text: str) -> str:
        if text not in self.escaped:
            self.escaped[text] = escape(text)
        return self.escaped[text]


@register.simple_tag(takes_context=True)
def coverage_lines(context, tasks: list[CoverageTask]) -> SafeString:
    """One ``<div>`` per task: number and text (linked), unit, person, status and how long overdue."""
    pieces = context.render_context.get(_Pieces)
    if pieces is None:
        pieces = context.render_context[_Pieces] = _Pieces()
    head, tail, name = pieces.head, pieces.tail, pieces.name
    out = []
    for task in tasks:
        content = task.content
        if len(content) > CONTENT_CHARS:
            content = Truncator(content).chars(CONTENT_CHARS)
        badge = pieces.status[task.status]
        if task.overdue_days is not None:
            badge += pieces.late(task.overdue_days)
        out.append(f'<div><a href="{head}{task.pk}{tail}">{task.seq}. {escape(content)}</a> · {name(task.unit)} · '
                   f"{name(task.responsible)} {badge}\n</div>")
    return mark_safe("".join(out))  # noqa: S308 (every value put in is escaped above)
