"""The rows of the responsibility list are written in Python (tasks/templatetags/task_rows.py) rather than
through the template language; these tests render the rows the way tasks/_results.html and tasks/_row.html
wrote them before, with the same page of tasks, and require the same markup, character for character, in both
languages, on the page and in the fragment htmx swaps in.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from tasks import services
from tasks.models import Task
from tests.factories import CampaignFactory, UnitFactory, admin, leader, member, squad_leader, standard
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db
S = Task.Status

# The rows as tasks/_results.html (labels) and tasks/_row.html (each row) wrote them before: the reference.
BEFORE = Template("""{% load i18n %}{% translate "No." as l_no %}{% translate "Task" as l_task %}{% translate "Unit" as l_unit %}{% translate "Person" as l_person %}{% translate "Deadline" as l_deadline %}{% translate "Status" as l_status %}{% translate "Progress" as l_progress %}{% translate "Standards" as l_standards %}{% translate "under" as l_under %}{% for t in page.object_list %}
      <tr class="task-row{% if t.overdue %} is-overdue{% endif %}" data-task="{{ t.pk }}">
        <td class="num" data-label="{{ l_no }}">{{ t.seq }}</td>
        <td data-label="{{ l_task }}"><a href="{% url 'tasks:detail' t.pk %}">{{ t.content|truncatechars:80 }}</a>
          <small class="muted level">{{ t.get_level_display }}{% if t.parent %} · {{ l_under }} {{ t.parent.seq }}{% endif %}</small></td>
        <td data-label="{{ l_unit }}">{{ t.unit.label }}</td>
        <td data-label="{{ l_person }}">{{ t.responsible.display_name }}</td>
        <td data-label="{{ l_deadline }}"><span{% if t.overdue %} class="overdue"{% endif %}>{{ t.deadline|date:"Y-m-d" }}</span></td>
        <td data-label="{{ l_status }}">{% include "tasks/_status.html" %}</td>
        <td class="num" data-label="{{ l_progress }}"><progress class="bar small-bar" value="{{ t.progress }}" max="100"></progress> {{ t.progress }}%</td>
        <td data-label="{{ l_standards }}">{% for s in t.standards.all %}<span class="badge blue">{{ s.code }}</span> {% empty %}—{% endfor %}</td>
      </tr>

{% endfor %}""")  # noqa: E501 (the templates' own lines)
ROW = re.compile(r'<tr class="task-row.*?</tr>', re.S)


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    # A page asked for in English leaves English active in this thread for the tests that follow.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def district(campaign):
    """Rows of every kind: each level (with and without the task above it), each status, due today, overdue by
    one day and by many, done after its deadline; text of 80 and 81 characters, text with markup, text not in
    NFC; a unit with and without a short name and with markup in its name, a person known only by a login
    name; none, one and two standards."""
    today = timezone.localdate()
    days_ago = lambda n: today - datetime.timedelta(days=n)  # noqa: E731
    one, two = (standard("Ⅲ-59", n, framework=campaign.framework) for n in (1, 2))
    short = UnitFactory(name="第一中队（河坊街片区）", short_name="一中队")
    plain = UnitFactory(name="第二中队 & <联勤>")
    chief, quiet = squad_leader(short), member(plain, full_name="", username="zhang.san")
    boss = admin()
    top = make_task(campaign=campaign, by=boss, responsible=boss, content="全局任务：背街小巷整治",
                    standards=[one, two])
    unit_task = make_task(campaign=campaign, parent=top, by=boss, unit=short, responsible=chief,
                          content="整治<script>alert('x')</script>“乱堆放”", deadline=today)
    rows = [  # unit, person, text, standards, deadline (None: the parent's)
        (short, chief, "A & B \"quoted\" 'single'", [one], days_ago(1)),
        (plain, quiet, "八十个字" * 20, [], days_ago(12)),
        (plain, quiet, "八十一个字" * 16 + "多", [two], None),
        (short, chief, "Cafe\u0301 的门前", [one, two], days_ago(3)),
        (short, chief, "受阻的事项", [], None),
    ]
    items = [make_task(campaign=campaign, parent=unit_task if unit == short else None, unit=unit, responsible=person,
                       content=text, standards=standards, deadline=deadline, by=boss)
             for unit, person, text, standards, deadline in rows]
    for task, by, status in ((items[1], quiet, S.IN_PROGRESS), (items[3], chief, S.DONE), (items[4], chief, S.BLOCKED)):
        services.task_update_status(task=task, by=by, status=status, progress=100 if status == S.DONE else 40,
                                    note="进展", expected_version=task.version)


def _rows(html: str) -> list[str]:
    return ROW.findall(html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("fragment", [False, True])
def test_the_rows_are_the_markup_the_templates_wrote(client, district, language, fragment):
    client.force_login(leader())
    headers = {"accept-language": language} | ({"HX-Request": "true"} if fragment else {})
    response = client.get(reverse("tasks:list"), headers=headers)
    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.object_list) == 7
    with translation.override(language):
        assert _rows(response.content.decode()) == _rows(BEFORE.render(Context({"page": page})))


def test_a_row_reads_no_column_it_does_not_show(client, district, django_assert_num_queries):
    """The page reads only the row's columns (tasks.selectors.task_rows): writing the rows, and the former
    templates writing them, never goes back to the database for a deferred one."""
    client.force_login(leader())
    page = client.get(reverse("tasks:list")).context["page"]
    with django_assert_num_queries(0):
        BEFORE.render(Context({"page": page}))


def test_the_rows_show_the_states_of_the_tasks(client, district):
    client.force_login(leader())
    rows = _rows(client.get(reverse("tasks:list"), headers={"accept-language": "en"}).content.decode())
    body = "".join(rows)
    assert body.count('class="task-row is-overdue"') == 2 and "overdue 12 days</span>" in body
    assert "overdue 3 days" not in body  # done after its deadline: no longer overdue
    assert "&lt;script&gt;alert(&#x27;x&#x27;)" in body and "<script>" not in body
    assert "八十个字" * 20 + "</a>" in body and "八十一个字" * 15 + "八十一个…</a>" in body
    assert "Caf\u00e9 的门前" in body  # truncatechars writes NFC
    assert "<td data-label=\"Unit\">第二中队 &amp; &lt;联勤&gt;</td>" in body and ">zhang.san</td>" in body
    assert "Unit task · under " in body and '<td data-label="Standards">—</td>' in body
