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
from django.utils.safestring import SafeString, mark_safe

from campaign.core.text import truncate_chars
from tasks.selectors import CoverageTask
from tasks.templatetags.task_rows import Pieces

register = template.Library()

CONTENT_CHARS = 30  # what ``truncatechars:30`` kept


@register.simple_tag(takes_context=True)
def coverage_lines(context, tasks: list[CoverageTask]) -> SafeString:
    """One ``<div>`` per task: number and text (linked), unit, person, status and how long overdue."""
    pieces = Pieces.of(context)  # the tag runs once per standard: the pieces are made once per page
    head, tail, name, status, badge = pieces.head, pieces.tail, pieces.name, pieces.status, pieces.badge
    out = []
    for task in tasks:
        content = truncate_chars(task.content, CONTENT_CHARS)
        late = status[task.status] if task.overdue_days is None else badge(task.status, task.overdue_days)
        out.append(f'<div><a href="{head}{task.pk}{tail}">{task.seq}. {escape(content)}</a> · {name(task.unit)} · '
                   f"{name(task.responsible)} {late}\n</div>")
    return mark_safe("".join(out))  # noqa: S308 (every value put in is escaped above)
