"""The bulletin body's long lists (the units' ranking as a list and as a table, the relapse places) are written in
Python (reports/templatetags/bulletin.py); these tests render the lists the way reports/_bulletin_body.html wrote them
before, with the same figures, and require the same markup character for character, in both languages.
"""

import copy
import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reports import services
from tests.reports.builders import WEEK, build_week

# The three lists as the body's template wrote them before they moved into Python: the reference.
BEFORE = Template("""{% load i18n %}  <ol class="rank-list">
  {% for r in f.units %}
    <li class="rank-item">
      <div class="rank-head"><span class="rank-no">{{ r.rank }}</span><strong class="rank-unit">{{ r.unit }}</strong>
        {% if r.rank_change %}<small class="{% if r.rank_change > 0 %}up{% else %}down{% endif %}">{% if r.rank_change > 0 %}↑{{ r.rank_change }}{% else %}↓{{ r.rank_change|stringformat:"d"|cut:"-" }}{% endif %}</small>{% endif %}
        <span class="rank-score">{{ r.score }}</span></div>
      <div class="rank-facts">
        <span{% if r.tasks_overdue %} class="overdue"{% endif %}>{% translate "Overdue" %} {{ r.tasks_overdue }}</span>
        <span>{% translate "Rectified on time %" %} {{ r.on_time_rectification_rate }}</span>
        <span>{% translate "Rework %" %} {{ r.rework_rate }}</span>
        <span>{% translate "Rebounds" %} {{ r.rebounds_week }}</span>
        <span{% if r.open_past_deadline %} class="overdue"{% endif %}>{% translate "Open past deadline" %} {{ r.open_past_deadline }}</span>
      </div>
      <details><summary>{% translate "More" %}</summary>
        <dl class="kv">
          <dt>{% translate "Due" %} / {% translate "Done" %} / {% translate "On time" %}</dt><dd>{{ r.tasks_due }} / {{ r.tasks_done }} / {{ r.tasks_done_on_time }}</dd>
          <dt>{% translate "Tier 1/2/3" %}</dt><dd>{{ r.findings_tier1 }}/{{ r.findings_tier2 }}/{{ r.findings_tier3 }}</dd>
          <dt>{% translate "Wait: bureau → squad (h)" %}</dt><dd>{{ r.bureau_to_squad_median_hours|default_if_none:"—" }}{% if r.bureau_to_squad_waiting %} ({% blocktranslate with n=r.bureau_to_squad_waiting %}{{ n }} waiting{% endblocktranslate %}){% endif %}</dd>
          <dt>{% translate "Wait: squad → member (h)" %}</dt><dd>{{ r.squad_to_member_median_hours|default_if_none:"—" }}{% if r.squad_to_member_waiting %} ({% blocktranslate with n=r.squad_to_member_waiting %}{{ n }} waiting{% endblocktranslate %}){% endif %}</dd>
          <dt>{% translate "Idle 7+ days" %}</dt><dd>{{ r.tasks_idle }}</dd>
        </dl>
      </details>
    </li>
  {% endfor %}
  </ol>
    <tbody>
    {% for r in f.units %}
    <tr>
      <td class="num" data-label="{% translate 'Rank' %}">{{ r.rank }}{% if r.rank_change %} <small class="{% if r.rank_change > 0 %}up{% else %}down{% endif %}">{% if r.rank_change > 0 %}↑{{ r.rank_change }}{% else %}↓{{ r.rank_change|stringformat:"d"|cut:"-" }}{% endif %}</small>{% endif %}</td>
      <td data-label="{% translate 'Unit' %}"><strong>{{ r.unit }}</strong></td>
      <td class="num" data-label="{% translate 'Score' %}"><strong>{{ r.score }}</strong></td>
      <td class="num" data-label="{% translate 'Due' %}">{{ r.tasks_due }}</td>
      <td class="num" data-label="{% translate 'Done' %}">{{ r.tasks_done }}</td>
      <td class="num" data-label="{% translate 'On time' %}">{{ r.tasks_done_on_time }}</td>
      <td class="num{% if r.tasks_overdue %} overdue{% endif %}" data-label="{% translate 'Overdue' %}">{{ r.tasks_overdue }}</td>
      <td class="num" data-label="{% translate 'Tier 1/2/3' %}">{{ r.findings_tier1 }}/{{ r.findings_tier2 }}/{{ r.findings_tier3 }}</td>
      <td class="num" data-label="{% translate 'Rectified on time %' %}">{{ r.on_time_rectification_rate }}</td>
      <td class="num" data-label="{% translate 'Rework %' %}">{{ r.rework_rate }}</td>
      <td class="num" data-label="{% translate 'Rebounds' %}">{{ r.rebounds_week }}</td>
      <td class="num{% if r.open_past_deadline %} overdue{% endif %}" data-label="{% translate 'Open past deadline' %}">{{ r.open_past_deadline }}</td>
      <td class="num" data-label="{% translate 'Wait: bureau → squad (h)' %}">{{ r.bureau_to_squad_median_hours|default_if_none:"—" }}{% if r.bureau_to_squad_waiting %} <small>({% blocktranslate with n=r.bureau_to_squad_waiting %}{{ n }} waiting{% endblocktranslate %})</small>{% endif %}</td>
      <td class="num" data-label="{% translate 'Wait: squad → member (h)' %}">{{ r.squad_to_member_median_hours|default_if_none:"—" }}{% if r.squad_to_member_waiting %} <small>({% blocktranslate with n=r.squad_to_member_waiting %}{{ n }} waiting{% endblocktranslate %})</small>{% endif %}</td>
      <td class="num" data-label="{% translate 'Idle 7+ days' %}">{{ r.tasks_idle }}</td>
    </tr>
    {% endfor %}
    </tbody>
  <table class="data stack"><thead><tr><th>{% translate "Place" %}</th><th>{% translate "Unit" %}</th><th class="num">{% translate "Relapses" %}</th></tr></thead><tbody>
  {% for p in f.relapse_places %}<tr><td data-label="{% translate 'Place' %}">{% if p.site %}{{ p.site }}{% else %}{{ p.latitude }}, {{ p.longitude }}{% endif %}</td><td data-label="{% translate 'Unit' %}">{{ p.unit|default:"—" }}</td><td class="num" data-label="{% translate 'Relapses' %}">{{ p.relapses }}</td></tr>{% endfor %}
  </tbody></table>""")  # noqa: E501 (the template's own lines)

LISTS = (r'  <ol class="rank-list">.*?</ol>', r"    <tbody>\n    .*?    </tbody>",
         r'  <table class="data stack"><thead><tr><th>[^<]*</th><th>[^<]*</th><th class="num">.*?</tbody></table>')


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    # A page asked for in English leaves English active in this thread for the tests that follow.
    translation.activate(settings.LANGUAGE_CODE)


def _lists(html: str, patterns=LISTS) -> list[str]:
    return [re.search(pattern, html, re.S).group(0) for pattern in patterns]


def _row(rank: int, unit: str, **values) -> dict:
    """A unit's row of the bulletin's figures, as reports.indicators writes it."""
    row = {"unit_id": rank, "rank": rank, "unit": unit, "score": 75.4, "rank_change": None, "tasks_due": 10,
           "tasks_done": 8, "tasks_done_on_time": 6, "tasks_overdue": 2, "findings_tier1": 1, "findings_tier2": 4,
           "findings_tier3": 0, "on_time_rectification_rate": 66.7, "rework_rate": 12.5, "rebounds_week": 3,
           "open_past_deadline": 0, "bureau_to_squad_median_hours": 1586.2, "bureau_to_squad_waiting": 0,
           "squad_to_member_median_hours": None, "squad_to_member_waiting": 41, "tasks_idle": 149}
    return row | values


FIGURES = {
    "units": [
        _row(1, "第111中队", rank_change=3),
        _row(2, "第二中队 & <联勤> \"乙\" '丙'", rank_change=-12, tasks_overdue=0, open_past_deadline=7,
             bureau_to_squad_median_hours=None, bureau_to_squad_waiting=1, squad_to_member_median_hours=0.5),
        _row(3, "第三中队", rank_change=0, score=0.0, on_time_rectification_rate=100, rework_rate=0,
             bureau_to_squad_median_hours=12, squad_to_member_waiting=0),
        _row(4, "第四中队", score=None, on_time_rectification_rate=None, rework_rate=1e-05, tasks_idle=True),
    ],
    "relapse_places": [
        {"site": "第133中队餐馆、餐饮店8号点", "unit": "第133中队", "latitude": "30.25", "longitude": "120.16",
         "relapses": 39},
        {"site": "", "unit": "", "latitude": "30.250001", "longitude": "120.169999", "relapses": 3},
        {"site": "<b>河坊街</b> & 口", "unit": "第二中队 & <联勤>", "latitude": "0", "longitude": "0", "relapses": 4},
    ],
}


class _Bulletin:
    issue_no, number = "杭城管〔2026〕47号", 7


def _body(figures: dict) -> str:
    return render_to_string("reports/_bulletin_body.html", {"bulletin": _Bulletin(), "f": figures, "chart": ""})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_lists_are_the_markup_the_template_wrote(language):
    with translation.override(language):
        assert _lists(_body(FIGURES)) == _lists(BEFORE.render(Context({"f": FIGURES})))


def test_the_lists_show_the_states_of_the_rows():
    with translation.override("en"):
        body = _body(FIGURES)
    assert '<small class="up">↑3</small>' in body and '<small class="down">↓12</small>' in body
    assert "第二中队 &amp; &lt;联勤&gt; &quot;乙&quot; &#x27;丙&#x27;" in body and "<联勤>" not in body
    assert "<dd>— (1 waiting)</dd>" in body and "<dd>— (41 waiting)</dd>" in body and "(0 waiting)" not in body
    assert "<dd>—</dd>" in body and "30.250001, 120.169999" in body and "&lt;b&gt;河坊街&lt;/b&gt; &amp; 口" in body
    assert ">None</td>" in body and ">0.00001</td>" in body and ">True</td>" in body  # as {{ value }} wrote them


def test_a_bulletin_without_units_or_places_has_empty_lists():
    empty = {"units": [], "relapse_places": [{"site": "", "unit": "", "latitude": "1", "longitude": "2",
                                              "relapses": 3}]}
    with translation.override("zh-hans"):
        assert _lists(_body(empty)) == _lists(BEFORE.render(Context({"f": empty})))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_bulletin_page_shows_the_written_figures_as_the_template_did(client, language):
    scene = build_week()
    bulletin, _created = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    figures = copy.deepcopy(bulletin.figures)
    assert len(figures["units"]) == 2
    client.force_login(scene.leader)
    page = client.get(reverse("reports:bulletin", args=[bulletin.pk]), headers={"accept-language": language})
    assert page.status_code == 200
    with translation.override(language):
        expected = BEFORE.render(Context({"f": figures}))
    shown = LISTS if figures["relapse_places"] else LISTS[:2]
    assert _lists(page.content.decode(), shown) == _lists(expected, shown)
