"""The bulletin's trend chart, drawn on the server as SVG (no chart library, no CDN).

Two lines in percent (task completion, on-time rectification) over the
campaign's weeks, and bars for the open findings past deadline on a second
scale. The same SVG goes into the web page, the PDF and (as PNG) nowhere else:
the Word document gets a table of the same numbers instead.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from reports.pressure import TEMPERATURES

# A narrow canvas with large type: on a 360 px phone the labels still read at about 10 px.
WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 46, 34, 16, 78
COMPLETION, RECTIFICATION, OVERDUE = "#b71c1c", "#1b4f8a", "#f3b8b3"


def trend_svg(points: list[dict]) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(points), 1)
    step = plot_w / n
    max_bar = max([p["open_past_deadline"] for p in points] + [1])

    def x(i: int) -> float:
        return LEFT + step * i + step / 2

    def y(pct: float) -> float:
        return TOP + plot_h * (1 - pct / 100)

    # gettext calls stay outside f-strings: xgettext does not look inside them.
    title, axis = escape(_("Trend of the campaign so far")), escape(_("Issue (week of the campaign)"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" class="chart" font-family="BairiHei, sans-serif" '
        f'font-size="14">'
    ]
    for pct in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(pct):.1f}" y2="{y(pct):.1f}" '
                     f'stroke="#e1e4e8"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(pct) + 4:.1f}" text-anchor="end" fill="#5f6b76">{pct}%</text>')
    parts.append(f'<text x="{WIDTH - RIGHT + 6}" y="{TOP + 4}" fill="#5f6b76">{max_bar}</text>')
    bar_w = max(step * 0.5, 2)
    for i, p in enumerate(points):
        h = plot_h * p["open_past_deadline"] / max_bar
        parts.append(f'<rect x="{x(i) - bar_w / 2:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                     f'height="{h:.1f}" fill="{OVERDUE}"><title>{p["open_past_deadline"]}</title></rect>')
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" fill="#5f6b76">'
                     f'{escape(p["label"])}</text>')
    for key, colour in (("task_completion", COMPLETION), ("rectification_on_time", RECTIFICATION)):
        coords = " ".join(f"{x(i):.1f},{y(p[key]):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, p in enumerate(points):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p[key]):.1f}" r="3" fill="{colour}">'
                         f'<title>{p[key]}%</title></circle>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - BOTTOM + 32}" text-anchor="middle" '
                 f'fill="#5f6b76">{axis}</text>')
    legend = [(COMPLETION, _("Tasks done")), (RECTIFICATION, _("Rectified on time")),
              (OVERDUE, _("Open findings past deadline"))]
    for row, (colour, label) in enumerate(legend[:2]):
        x0 = LEFT + row * plot_w / 2
        parts.append(f'<rect x="{x0:.1f}" y="{HEIGHT - 34}" width="14" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x0 + 19:.1f}" y="{HEIGHT - 25}" fill="#1f2328">{escape(label)}</text>')
    colour, label = legend[2]
    parts.append(f'<rect x="{LEFT}" y="{HEIGHT - 14}" width="14" height="10" fill="{colour}"/>')
    parts.append(f'<text x="{LEFT + 19}" y="{HEIGHT - 5}" fill="#1f2328">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


#: The thermometer's colours, hot to cold, and grey for a level with nothing answered yet.
TEMPERATURE_COLOURS = {"hot": "#c62828", "warm": "#ef6c00", "cool": "#64b5f6", "cold": "#1565c0",
                       "none": "#d0d5da"}


def temperature_names() -> dict[str, str]:
    return {"hot": _("hot"), "warm": _("warm"), "cool": _("cooling"), "cold": _("cold"), "none": _("no data")}


def level_names() -> dict[str, str]:
    return {"bureau": _("Bureau leaders"), "squad": _("Squad leaders"), "member": _("Members")}


def thermometer_svg(levels: list[dict]) -> str:
    """上热中温下冷 as a picture: a tube of three bands, the bureau on top and the members at the bottom, each
    coloured by how fast its level acts (median hours to a first action), with its figures beside it.

    A narrow canvas, as the trend's: on a 360 px phone its smallest type still reads at about 11 px."""
    width, band, top = 360, 70, 10
    tube_x, tube_w, text_x = 20, 28, 64
    height = top + band * len(levels) + 56
    names, words = level_names(), temperature_names()
    title = escape(_("Pressure thermometer: median time from hand-off to first action, by level"))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{title}" class="chart thermometer" font-family="BairiHei, sans-serif" font-size="13">']
    for i, level in enumerate(levels):
        y = top + band * i
        colour = TEMPERATURE_COLOURS[level["temperature"]]
        parts.append(f'<rect x="{tube_x}" y="{y}" width="{tube_w}" height="{band}" fill="{colour}"/>')
        median = "—" if level["median_hours"] is None else f'{level["median_hours"]:g}'
        headline = _("%(level)s: %(temperature)s") % {"level": names[level["level"]],
                                                      "temperature": words[level["temperature"]]}
        lines = (_("median %(hours)s h to first action") % {"hours": median},
                 _("%(waiting)s waiting · %(idle)s idle") % {"waiting": level["waiting"], "idle": level["idle"]})
        parts.append(f'<text x="{text_x}" y="{y + 22}" fill="#1f2328" font-size="15" font-weight="bold">'
                     f'{escape(headline)}</text>')
        for n, line in enumerate(lines):
            parts.append(f'<text x="{text_x}" y="{y + 41 + 17 * n}" fill="#5f6b76">{escape(line)}</text>')
    bottom = top + band * len(levels)
    bottom_colour = TEMPERATURE_COLOURS[levels[-1]["temperature"]] if levels else TEMPERATURE_COLOURS["none"]
    parts.append(f'<circle cx="{tube_x + tube_w / 2}" cy="{bottom + 18}" r="20" fill="{bottom_colour}"/>')
    parts.append(f'<rect x="{tube_x}" y="{top}" width="{tube_w}" height="{band * len(levels)}" fill="none" '
                 f'stroke="#5f6b76" stroke-width="1.5" rx="4"/>')
    scale = _("hot ≤ %(hot)s h · warm ≤ %(warm)s h · cooling ≤ %(cool)s h · cold beyond") % {
        name: bound for bound, name in TEMPERATURES}
    parts.append(f'<text x="{text_x}" y="{bottom + 24}" fill="#5f6b76">{escape(scale)}</text>')
    parts.append("</svg>")
    return "".join(parts)
