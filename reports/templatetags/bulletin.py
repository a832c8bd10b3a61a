"""The bulletin body's long lists, written in Python: the units' ranking (as a list and as a table) and the
relapse places.

A city's bulletin has 150 squads, each shown twice, and more than a thousand relapse places. Through the
template language every cell cost a variable look-up, a localisation, an ``{% if %}`` and a
``{% translate %}``, and rendering was nearly all of the page's time. Here the labels are translated once
per list and a row is one string format. The markup is the one ``reports/_bulletin_body.html`` wrote
before, character for character: tests/reports/test_bulletin_body.py renders the former template and
requires the same, in both languages.
"""

from __future__ import annotations

from html import escape

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from reports.charts import thermometer_svg

register = template.Library()

DASH = "—"  # what ``default_if_none:"—"`` and ``default:"—"`` wrote


class _Writer:
    """Writes a value as ``{{ value }}`` did: localised, then escaped.

    The languages the site speaks write a decimal point and no grouping, so an int or a float is what
    Python prints (as Django's own number formatting does for them); anything else, or another number
    format, goes through Django's ``localize``.
    """

    def __init__(self):
        self.plain_numbers = get_format("DECIMAL_SEPARATOR") == "." and not settings.USE_THOUSAND_SEPARATOR
        self.waiting_text = gettext("%(n)s waiting")  # what the rows' blocktranslate looked up each time

    def __call__(self, value) -> str:
        kind = type(value)
        if kind is str:
            return escape(value)
        if self.plain_numbers and (kind is int or (kind is float and "e" not in (text := repr(value)))):
            return str(value) if kind is int else text
        return str(conditional_escape(localize(value)))

    def hours(self, value) -> str:
        """``{{ value|default_if_none:"—" }}``"""
        return DASH if value is None else self(value)

    def waiting(self, count, before: str, after: str = "") -> str:
        """How many items still wait for a first response, after the median (nothing when none wait)."""
        return f"{before}({self.waiting_text % {'n': self(count)}}){after}" if count else ""


def _labels(*msgids: str) -> dict[str, str]:
    # {% translate %} puts its text in without escaping it: the translations are ours.
    return {msgid: gettext(msgid) for msgid in msgids}


def _rank_change(change, write: _Writer, before: str = "") -> str:
    """The arrow after a rank (nothing when it did not move or was not ranked the week before)."""
    if not change:
        return ""
    if change > 0:
        return f'{before}<small class="up">↑{write(change)}</small>'
    return f'{before}<small class="down">↓{int(-change)}</small>'  # what stringformat:"d"|cut:"-" wrote


@register.simple_tag
def bulletin_rank_items(units: list[dict]) -> SafeString:
    """The ranking as a list (phones): one ``<li>`` per unit, its main facts, the rest behind "More"."""
    t = _labels("Overdue", "Rectified on time %", "Rework %", "Rebounds", "Open past deadline", "More", "Due",
                "Done", "On time", "Tier 1/2/3", "Wait: bureau → squad (h)", "Wait: squad → member (h)",
                "Idle 7+ days")
    w = _Writer()
    out = []
    for r in units:
        overdue = ' class="overdue"' if r["tasks_overdue"] else ""
        open_late = ' class="overdue"' if r["open_past_deadline"] else ""
        out.append(
            f'\n    <li class="rank-item">\n      <div class="rank-head"><span class="rank-no">{w(r["rank"])}</span>'
            f'<strong class="rank-unit">{w(r["unit"])}</strong>\n        {_rank_change(r["rank_change"], w)}\n'
            f'        <span class="rank-score">{w(r["score"])}</span></div>\n      <div class="rank-facts">\n'
            f'        <span{overdue}>{t["Overdue"]} {w(r["tasks_overdue"])}</span>\n'
            f'        <span>{t["Rectified on time %"]} {w(r["on_time_rectification_rate"])}</span>\n'
            f'        <span>{t["Rework %"]} {w(r["rework_rate"])}</span>\n'
            f'        <span>{t["Rebounds"]} {w(r["rebounds_week"])}</span>\n'
            f'        <span{open_late}>{t["Open past deadline"]} {w(r["open_past_deadline"])}</span>\n'
            f'      </div>\n      <details><summary>{t["More"]}</summary>\n        <dl class="kv">\n'
            f'          <dt>{t["Due"]} / {t["Done"]} / {t["On time"]}</dt><dd>{w(r["tasks_due"])} / '
            f'{w(r["tasks_done"])} / {w(r["tasks_done_on_time"])}</dd>\n'
            f'          <dt>{t["Tier 1/2/3"]}</dt><dd>{w(r["findings_tier1"])}/{w(r["findings_tier2"])}/'
            f'{w(r["findings_tier3"])}</dd>\n'
            f'          <dt>{t["Wait: bureau → squad (h)"]}</dt><dd>{w.hours(r["bureau_to_squad_median_hours"])}'
            f'{w.waiting(r["bureau_to_squad_waiting"], " ")}</dd>\n'
            f'          <dt>{t["Wait: squad → member (h)"]}</dt><dd>{w.hours(r["squad_to_member_median_hours"])}'
            f'{w.waiting(r["squad_to_member_waiting"], " ")}</dd>\n'
            f'          <dt>{t["Idle 7+ days"]}</dt><dd>{w(r["tasks_idle"])}</dd>\n'
            f"        </dl>\n      </details>\n    </li>\n  ")
    return mark_safe("".join(out))  # noqa: S308 (every value put in is escaped by _Writer)


UNIT_COLUMNS = ("Rank", "Unit", "Score", "Due", "Done", "On time", "Overdue", "Tier 1/2/3", "Rectified on time %",
                "Rework %", "Rebounds", "Open past deadline", "Wait: bureau → squad (h)", "Wait: squad → member (h)",
                "Idle 7+ days")


def _unit_cells(r: dict, w: _Writer) -> tuple[tuple[str, str], ...]:
    """Each cell's class and content, in the order of :data:`UNIT_COLUMNS`."""
    small = (" <small>", "</small>")
    return (
        ("num", w(r["rank"]) + _rank_change(r["rank_change"], w, " ")),
        ("", f"<strong>{w(r['unit'])}</strong>"),
        ("num", f"<strong>{w(r['score'])}</strong>"),
        ("num", w(r["tasks_due"])),
        ("num", w(r["tasks_done"])),
        ("num", w(r["tasks_done_on_time"])),
        ("num overdue" if r["tasks_overdue"] else "num", w(r["tasks_overdue"])),
        ("num", f'{w(r["findings_tier1"])}/{w(r["findings_tier2"])}/{w(r["findings_tier3"])}'),
        ("num", w(r["on_time_rectification_rate"])),
        ("num", w(r["rework_rate"])),
        ("num", w(r["rebounds_week"])),
        ("num overdue" if r["open_past_deadline"] else "num", w(r["open_past_deadline"])),
        ("num", w.hours(r["bureau_to_squad_median_hours"]) + w.waiting(r["bureau_to_squad_waiting"], *small)),
        ("num", w.hours(r["squad_to_member_median_hours"]) + w.waiting(r["squad_to_member_waiting"], *small)),
        ("num", w(r["tasks_idle"])),
    )


@register.simple_tag
def bulletin_unit_rows(units: list[dict]) -> SafeString:
    """The ranking as a table (wide screens): one ``<tr>`` per unit, every figure in a cell."""
    # Each cell's label is the same on every row.
    labels = [f' data-label="{label}">' for label in _labels(*UNIT_COLUMNS).values()]
    w = _Writer()
    out = []
    for r in units:
        out.append("\n    <tr>\n")
        for label, (css, content) in zip(labels, _unit_cells(r, w), strict=True):
            css = f' class="{css}"' if css else ""
            out.append(f"      <td{css}{label}{content}</td>\n")
        out.append("    </tr>\n    ")
    return mark_safe("".join(out))  # noqa: S308 (every value put in is escaped by _Writer)


@register.simple_tag
def bulletin_relapse_rows(places: list[dict]) -> SafeString:
    """One ``<tr>`` per place that relapsed: its site (or coordinates), its unit, how often."""
    t = _labels("Place", "Unit", "Relapses")
    w = _Writer()
    out = []
    for p in places:
        where = w(p["site"]) if p["site"] else f'{w(p["latitude"])}, {w(p["longitude"])}'
        out.append(f'<tr><td data-label="{t["Place"]}">{where}</td><td data-label="{t["Unit"]}">'
                   f'{w(p["unit"]) if p["unit"] else DASH}</td><td class="num" data-label="{t["Relapses"]}">'
                   f'{w(p["relapses"])}</td></tr>')
    return mark_safe("".join(out))  # noqa: S308 (every value put in is escaped by _Writer)


@register.simple_tag
def thermometer(levels: list[dict]) -> SafeString:
    """The pressure thermometer of a bulletin's (or a page's) levels, as SVG."""
    return mark_safe(thermometer_svg(levels))  # noqa: S308 (built from escaped parts)
