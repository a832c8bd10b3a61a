"""The rows of a findings table (the findings list, an inspection's report), written in Python.

Through the template language each row cost two ``{% include %}`` (the row, the traffic light), two
``{% url %}``, two ``{% blocktranslate %}``, three filters and thirty variable look-ups: the largest part of
the findings list's rendering. Here the labels are translated once per table and a row is one string
format. The markup is the one ``inspections/_finding_table.html`` and ``inspections/_finding_row.html``
wrote before (with the current ``inspections/_light.html``): tests/inspections/test_finding_rows.py renders
those and requires the same, so a change to the light fails it until it is made here too.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from campaign.core.text import truncate_chars
from inspections.models import Finding
from inspections.selectors import GREEN, RED, YELLOW

register = template.Library()

DESCRIPTION_CHARS = 40  # what ``truncatechars:40`` kept
_MARKER = 2**31 - 1  # reverse() once with this id, then each row puts its own id where it stands


class _Pieces:
    """What every row of one table shares: labels, the link around an id, badges, escaped names."""

    def __init__(self):
        # {% translate %} puts its text in without escaping it: the translations are ours.
        self.label = {key: gettext(key) for key in ("No.", "Category", "Place", "Responsible unit", "Deadline",
                                                    "Status", "Rebound")}
        self.head, self.tail = reverse("inspections:finding_detail", args=[_MARKER]).split(str(_MARKER))
        self.status = {value: f'<span class="badge status-{escape(value)}">{escape(str(label))}</span>'
                       for value, label in Finding.Status.choices}
        self.light = {RED: f'<span class="badge red light-dot">{gettext("Overdue")}</span>',
                      YELLOW: f'<span class="badge amber light-dot">{gettext("Due soon")}</span>',
                      GREEN: f'<span class="badge green light-dot">{gettext("On time")}</span>'}
        self.tier = gettext("Tier %(n)s")
        self.reworks: dict[int, str] = {}
        self.escaped: dict[str, str] = {}

    def name(self, text: str) -> str:
        if text not in self.escaped:
            self.escaped[text] = escape(text)
        return self.escaped[text]

    def rework(self, n: int) -> str:
        if n not in self.reworks:
            self.reworks[n] = ' <span class="badge amber">' + ngettext(
                "%(n)s rework", "%(n)s reworks", n) % {"n": n} + "</span>"
        return self.reworks[n]


def _row(f: Finding, p: _Pieces) -> str:
    link, label = f"{p.head}{f.pk}{p.tail}", p.label
    place = (f.site.name if f.site_id is not None else "") or f.address  # site.name|default:address|default:"—"
    status = p.status.get(f.status) or f'<span class="badge status-{escape(f.status)}">{escape(f.status)}</span>'
    if f.is_rebound:
        status += f' <span class="badge red">{label["Rebound"]}</span>'
    if f.rework_count:
        status += p.rework(f.rework_count)
    return (
        f'<tr>\n      <td data-label="{label["No."]}"><a href="{link}">#{f.pk}</a> <span class="badge tier '
        f'tier-{int(f.tier)}">{p.tier % {"n": int(f.tier)}}</span></td>\n'
        f'      <td data-label="{label["Category"]}"><a href="{link}">{p.name(f.category.name)}</a><br><small>'
        f"{escape(truncate_chars(f.description, DESCRIPTION_CHARS))}</small></td>\n"
        f'      <td data-label="{label["Place"]}">{escape(place) if place else "—"}</td>\n'
        f'      <td data-label="{label["Responsible unit"]}">{p.name(f.responsible_unit.label)}</td>\n'
        f'      <td data-label="{label["Deadline"]}">{timezone.localtime(f.deadline).strftime("%m-%d %H:%M")} '
        f'{p.light.get(f.light, "")}\n</td>\n'
        f'      <td data-label="{label["Status"]}">{status}</td>\n'
        "    </tr>\n"
    )


@register.simple_tag
def finding_rows(findings) -> SafeString:
    """One ``<tr>`` per finding (``selectors.findings_visible_to`` rows: light annotated, category, unit and
    site read with them)."""
    pieces = _Pieces()
    return mark_safe("".join(f"\n    {_row(f, pieces)}\n  " for f in findings))  # noqa: S308 (escaped above)
