"""The rows of the responsibility list, written in Python, and the pieces every task line shares.

Through the template language each row cost an ``{% include %}`` of the row and of the status badge, a
``{% url %}``, two filters and thirty variable look-ups: a third of the squad's list page. Here the
labels are translated once per table and a row is one string format. The markup is the one
``tasks/_row.html`` wrote before: tests/tasks/test_task_rows.py renders the former row (with the current
``tasks/_status.html``) and requires the same, so a change to either fails it until it is made here too.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from campaign.core.text import truncate_chars
from tasks.models import Task

register = template.Library()

CONTENT_CHARS = 80  # what ``truncatechars:80`` kept
_MARKER = 2**31 - 1  # reverse() once with this id, then each line puts its own id where it stands


class Pieces:
    """What every task line of one page shares, made once per page: the link around an id, the badges,
    the escaped names (units and people repeat from line to line)."""

    def __init__(self):
        self.head, self.tail = reverse("tasks:detail", args=[_MARKER]).split(str(_MARKER))
        self.status = {value: f'<span class="badge status-{escape(value)}">{escape(str(label))}</span>'
                       for value, label in Task.Status.choices}
        self.level = {value: escape(str(label)) for value, label in Task.Level.choices}
        self.overdue: dict[int, str] = {}
        self.escaped: dict[str, str] = {}

    @classmethod
    def of(cls, context) -> Pieces:
        """The page's pieces: made by the first tag that needs them while the page renders."""
        pieces = context.render_context.get(cls)
        if pieces is None:
            pieces = context.render_context[cls] = cls()
        return pieces

    def link(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"

    def badge(self, status: str, overdue_days: int | None) -> str:
        """``tasks/_status.html``: the status, and how long overdue (``None``: not overdue)."""
        if overdue_days is None:
            return self.status[status]
        if overdue_days not in self.overdue:
            # The translation goes in as blocktranslate put it, unescaped: only the number is a value.
            self.overdue[overdue_days] = ' <span class="badge red overdue">' + ngettext(
                "overdue %(days)s day", "overdue %(days)s days", overdue_days) % {"days": overdue_days} + "</span>"
        return self.status[status] + self.overdue[overdue_days]

    def name(self, text: str) -> str:
        if text not in self.escaped:
            self.escaped[text] = escape(text)
        return self.escaped[text]


def _labels() -> dict[str, str]:
    # {% translate %} puts its text in without escaping it: the translations are ours.
    return {key: gettext(key) for key in ("No.", "Task", "Unit", "Person", "Deadline", "Status", "Progress",
                                          "Standards", "under")}


def _row(t: Task, pieces: Pieces, label: dict[str, str]) -> str:
    content = truncate_chars(t.content, CONTENT_CHARS)
    level = pieces.level.get(t.level) or escape(t.level)
    if t.parent_id is not None:
        level += f' · {label["under"]} {t.parent.seq}'
    late = ' class="overdue"' if t.overdue else ""
    standards = "".join(f'<span class="badge blue">{pieces.name(s.code)}</span> ' for s in t.standards.all()) or "—"
    return (
        f'<tr class="task-row{" is-overdue" if t.overdue else ""}" data-task="{t.pk}">\n'
        f'        <td class="num" data-label="{label["No."]}">{t.seq}</td>\n'
        f'        <td data-label="{label["Task"]}"><a href="{pieces.link(t.pk)}">{escape(content)}</a>\n'
        f'          <small class="muted level">{level}</small></td>\n'
        f'        <td data-label="{label["Unit"]}">{pieces.name(t.unit.label)}</td>\n'
        f'        <td data-label="{label["Person"]}">{pieces.name(t.responsible.display_name)}</td>\n'
        f'        <td data-label="{label["Deadline"]}"><span{late}>{t.deadline.isoformat()}</span></td>\n'
        f'        <td data-label="{label["Status"]}">'
        f'{pieces.badge(t.status, t.overdue_by.days if t.overdue else None)}\n</td>\n'
        f'        <td class="num" data-label="{label["Progress"]}"><progress class="bar small-bar" '
        f'value="{t.progress}" max="100"></progress> {t.progress}%</td>\n'
        f'        <td data-label="{label["Standards"]}">{standards}</td>\n'
        "      </tr>\n"
    )


@register.simple_tag(takes_context=True)
def task_rows(context, tasks) -> SafeString:
    """One ``<tr>`` per task of the list (``selectors.task_list`` rows: overdue annotated, unit, person, parent
    and standards read with them)."""
    pieces, label = Pieces.of(context), _labels()
    return mark_safe("".join(f"\n      {_row(t, pieces, label)}\n    " for t in tasks))  # noqa: S308 (escaped above)
