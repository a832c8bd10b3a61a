"""The rows of a findings table are written in Python (inspections/templatetags/finding_rows.py) rather than
through the template language; these tests render the rows the way inspections/_finding_table.html and
inspections/_finding_row.html wrote them before, with the same findings, and require the same markup,
character for character, in both languages, on the findings list and in an inspection's report.
"""

import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from inspections import services
from inspections.models import Finding
from tests.factories import UnitFactory, category
from tests.inspections.factories import due_soon, log_finding, overdue

pytestmark = pytest.mark.django_db

# The rows as inspections/_finding_table.html (labels) and inspections/_finding_row.html (each row) wrote
# them before: the reference.
BEFORE = Template("""{% load i18n %}{% translate "No." as l_no %}{% translate "Category" as l_category %}{% translate "Place" as l_place %}{% translate "Responsible unit" as l_unit %}{% translate "Deadline" as l_deadline %}{% translate "Status" as l_status %}{% translate "Rebound" as l_rebound %}{% for f in findings %}
    <tr>
      <td data-label="{{ l_no }}"><a href="{% url 'inspections:finding_detail' f.pk %}">#{{ f.pk }}</a> <span class="badge tier tier-{{ f.tier }}">{% blocktranslate with n=f.tier %}Tier {{ n }}{% endblocktranslate %}</span></td>
      <td data-label="{{ l_category }}"><a href="{% url 'inspections:finding_detail' f.pk %}">{{ f.category.name }}</a><br><small>{{ f.description|truncatechars:40 }}</small></td>
      <td data-label="{{ l_place }}">{{ f.site.name|default:f.address|default:"—" }}</td>
      <td data-label="{{ l_unit }}">{{ f.responsible_unit.label }}</td>
      <td data-label="{{ l_deadline }}">{{ f.deadline|date:"m-d H:i" }} {% include "inspections/_light.html" with light=f.light %}</td>
      <td data-label="{{ l_status }}"><span class="badge status-{{ f.status }}">{{ f.get_status_display }}</span>{% if f.is_rebound %} <span class="badge red">{{ l_rebound }}</span>{% endif %}{% if f.rework_count %} <span class="badge amber">{% blocktranslate count n=f.rework_count %}{{ n }} rework{% plural %}{{ n }} reworks{% endblocktranslate %}</span>{% endif %}</td>
    </tr>
{% endfor %}""")  # noqa: E501 (the templates' own lines)
ROW = re.compile(r"<tr>\n      <td.*?</tr>", re.S)


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    # A page asked for in English leaves English active in this thread for the tests that follow.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def findings(district):
    """Rows of every kind: each light (red, yellow, green, none once answered), at a site and at an address
    or neither, rebounds, one and several reworks, a description of 40 and 41 characters, with markup and not
    in NFC, a category and a unit with markup in their names, each tier the inspector logs."""
    people = district.people
    by = people["inspector1"]
    odd = category("街面秩序 & <其他>", "占道 <经营>")
    rows = [
        overdue(log_finding(by=by, site=district.sites[0], description="四十个字" * 10)),
        due_soon(log_finding(by=by, description="四十一个字" * 8 + "多", address="河坊街 12 号 & <东>")),
        log_finding(by=by, description="<script>alert('x')</script> “乱堆放”", minor="机动车乱停放"),
        log_finding(by=by, description="Cafe\u0301 门前", address=""),
        log_finding(by=by, description="已整改的问题"),
    ]
    rows[2].category = odd
    rows[2].save(update_fields=["category"])
    Finding.objects.filter(pk=rows[0].pk).update(is_rebound=True, rebound_of=rows[4], rework_count=1)
    Finding.objects.filter(pk=rows[1].pk).update(rework_count=3,
                                                 responsible_unit=UnitFactory(name="第二中队 & <联勤>"))
    Finding.objects.filter(pk=rows[4].pk).update(status=Finding.Status.CLOSED, closed_at=timezone.now())
    return rows


def _rows(html: str) -> list[str]:
    return ROW.findall(html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_rows_are_the_markup_the_templates_wrote(client, district, findings, language):
    client.force_login(district.people["leader"])
    response = client.get(reverse("inspections:finding_list"), headers={"accept-language": language})
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert len(shown) == 5
    with translation.override(language):
        assert _rows(response.content.decode()) == _rows(BEFORE.render(Context({"findings": shown})))


def test_a_list_row_reads_no_column_it_does_not_show(client, district, findings, django_assert_num_queries):
    """The list reads only the row's columns (inspections.selectors.finding_rows): the former templates, writing
    the same findings, never go back to the database for a deferred one."""
    client.force_login(district.people["leader"])
    shown = list(client.get(reverse("inspections:finding_list")).context["page"].object_list)
    with django_assert_num_queries(0):
        BEFORE.render(Context({"findings": shown}))


def test_the_report_of_an_inspection_lists_its_findings_as_the_templates_did(client, district):
    people = district.people
    inspection = services.inspection_start(by=people["member1"], tier=3, topic="自查", date=timezone.localdate())
    logged = [log_finding(by=people["member1"], inspection=inspection, description=f"第{n}处") for n in range(2)]
    client.force_login(people["leader"])
    response = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    assert response.status_code == 200
    shown = response.context["findings"]
    assert {f.pk for f in shown} == {f.pk for f in logged}
    assert _rows(response.content.decode()) == _rows(BEFORE.render(Context({"findings": shown})))


def test_the_rows_show_the_states_of_the_findings(client, district, findings):
    client.force_login(district.people["leader"])
    body = "".join(_rows(client.get(reverse("inspections:finding_list"),
                                    headers={"accept-language": "en"}).content.decode()))
    assert body.count("light-dot") == 4 and ">Overdue</span>" in body and ">Due soon</span>" in body
    assert ' <span class="badge red">Rebound</span> <span class="badge amber">1 rework</span>' in body
    assert '<span class="badge amber">3 reworks</span>' in body and ">Tier 2</span>" in body
    assert "四十个字" * 10 + "</small>" in body and "四十一个字" * 7 + "四十一个…</small>" in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)" in body and "<script>" not in body and "Caf\u00e9 门前" in body
    assert "占道 &lt;经营&gt;</a>" in body and "第二中队 &amp; &lt;联勤&gt;</td>" in body
    assert "河坊街 12 号 &amp; &lt;东&gt;</td>" in body and '<td data-label="Place">—</td>' in body
