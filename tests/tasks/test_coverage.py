"""The coverage page: every standard the bureau answers for, the tasks and people on it, and who owns nothing.

Its task lines are written in Python (tasks/templatetags/coverage.py) rather than through the template
language; the first tests render the lines the way the page's template wrote them before and require the
same markup, character for character, in both languages.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db.models import Prefetch
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from campaign.models import Standard
from tasks import services
from tasks.models import Task
from tasks.selectors import with_overdue
from tests.factories import CampaignFactory, UnitFactory, leader, member, squad_leader, standard
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db
S = Task.Status

# The table body as tasks/coverage.html wrote it before its task lines moved into Python: the reference.
BEFORE = Template(
    """{% load i18n %}<tbody>{% for s in standards %}
      <tr{% if not s.campaign_tasks %} class="uncovered"{% endif %}>
        <td data-label="{% translate 'Standard' %}"><strong>{{ s.code }}</strong> {{ s.text|truncatechars:60 }}</td>
        <td data-label="{% translate 'Tasks' %}">{% for t in s.campaign_tasks %}<div><a href="{% url 'tasks:detail' t.pk %}">{{ t.seq }}. {{ t.content|truncatechars:30 }}</a> · {{ t.unit.label }} · {{ t.responsible.display_name }} {% include "tasks/_status.html" %}</div>{% empty %}<span class="badge red">{% translate "nobody" %}</span>{% endfor %}</td>
      </tr>{% endfor %}</tbody>""")  # noqa: E501 (the template's own line)


def _before(campaign) -> str:
    """The reference: the selector's former prefetch of model instances, through the former markup."""
    tasks = Prefetch("tasks", to_attr="campaign_tasks", queryset=with_overdue(
        Task.objects.filter(campaign=campaign).select_related("unit", "responsible")).order_by("seq"))
    standards = (Standard.objects.filter(framework=campaign.framework_id, bureau_scope=True)
                 .select_related("content").prefetch_related(tasks).order_by("content__sort_order", "number"))
    return BEFORE.render(Context({"standards": list(standards)}))


def _body(response) -> str:
    return re.search(r"<tbody>.*?</tbody>", response.content.decode(), re.S).group(0)


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def district(campaign):
    """Lines of every kind: each status, due today, overdue by one day and by many, done after its deadline,
    text of 30 and 31 characters, text with markup in it and text not in NFC, a unit with and without a short
    name, a person known only by a login name, a task under two standards; two standards nobody owns (one with
    a long text), one outside the bureau's scope, and a task of another campaign."""
    today = timezone.localdate()
    days_ago = lambda n: today - datetime.timedelta(days=n)  # noqa: E731
    framework = campaign.framework
    owned, twice, _unowned, lengths = (standard("Ⅲ-59", n, framework=framework) for n in (1, 2, 3, 5))
    standard("Ⅲ-59", 4, framework=framework, text="<b>不在</b>本局" * 10)
    outside = standard("Ⅲ-60", 1, framework=framework, bureau_scope=False)
    short = UnitFactory(name="第一中队（河坊街片区）", short_name="一中队")
    plain = UnitFactory(name="第二中队 & <联勤>")
    chief, quiet = squad_leader(short), member(plain, full_name="", username="zhang.san")
    rows = [  # unit, person, text, standards, deadline (None: ten days on)
        (short, chief, "清理店外经营", [owned, twice], today),
        (short, chief, "整治<script>alert('x')</script>“乱堆放”问题，并且做到长效常态管理不反弹", [owned], days_ago(1)),
        (plain, quiet, "A & B \"quoted\" 'single'", [owned], days_ago(12)),
        (plain, quiet, "完成的事项", [twice], days_ago(3)),
        (short, chief, "受阻的事项", [twice, outside], None),
        (plain, quiet, "三十个字" * 7 + "正好", [lengths], None),
        (plain, quiet, "三十一个字" * 6 + "多", [lengths], None),
        (plain, quiet, "Cafe\u0301 门前", [lengths], None),  # not NFC: truncatechars writes it composed
    ]
    tasks = [make_task(campaign=campaign, unit=unit, responsible=person, content=text, standards=standards,
                       deadline=deadline, by=chief if unit == short else squad_leader(plain))
             for unit, person, text, standards, deadline in rows]
    for task, by, status, note in ((tasks[2], quiet, S.IN_PROGRESS, "进行中"), (tasks[3], quiet, S.DONE, "已完成"),
                                   (tasks[4], chief, S.BLOCKED, "等待审批")):
        services.task_update_status(task=task, by=by, status=status, progress=100 if status == S.DONE else 40,
                                    note=note, expected_version=task.version)
    earlier = CampaignFactory(framework=framework, start_date=days_ago(300), end_date=days_ago(201))
    make_task(campaign=earlier, unit=short, by=chief, responsible=chief, content="另一个行动的任务",
              standards=[owned], deadline=days_ago(250))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_coverage_lines_are_the_markup_the_template_wrote(client, campaign, district, language):
    client.force_login(leader())
    response = client.get(reverse("tasks:coverage"), headers={"accept-language": language})
    assert response.status_code == 200
    with translation.override(language):
        assert _body(response) == _before(campaign)


def test_coverage_shows_the_states_of_the_lines(client, campaign, district):
    client.force_login(leader())
    body = _body(client.get(reverse("tasks:coverage"), headers={"accept-language": "en"}))
    assert "overdue 1 day</span>" in body and "overdue 12 days</span>" in body
    assert "overdue 3 days" not in body  # done after its deadline: no longer overdue
    assert "&lt;script&gt;alert(&#x27;x&#x27;)" in body and "<script>" not in body
    assert "· 一中队 ·" in body and "· 第二中队 &amp; &lt;联勤&gt; · zhang.san" in body  # labels and names, escaped
    assert body.count("清理店外经营") == 2  # under both of its standards
    assert "另一个行动的任务" not in body and "Ⅲ-60-1" not in body
    assert 'class="uncovered"' in body and '<span class="badge red">nobody</span>' in body


def test_coverage_lists_standards_nobody_owns_and_is_for_bureau_roles(client, campaign, district):
    client.force_login(leader())
    response = client.get(reverse("tasks:coverage"))
    assert [s.code for s in response.context["unowned"]] == ["Ⅲ-59-3", "Ⅲ-59-4"]
    client.force_login(squad_leader(UnitFactory()))
    assert client.get(reverse("tasks:coverage")).status_code == 403


def test_coverage_costs_the_same_queries_for_one_task_as_for_many(client, campaign, django_assert_num_queries):
    owned = standard("Ⅲ-59", 1, framework=campaign.framework)
    make_task(campaign=campaign, standards=[owned])
    client.force_login(leader())

    def read():
        cache.clear()  # the campaigns (cached reference data) read once, as they are but just after a change
        assert client.get(reverse("tasks:coverage")).status_code == 200
        # Session, user; the standards, the (standard, task) rows, the unit labels, the people; the unread count
        # and the 待办 count.
        with django_assert_num_queries(8):
            assert client.get(reverse("tasks:coverage")).status_code == 200

    read()
    for n in range(12):
        unit = UnitFactory()
        make_task(campaign=campaign, unit=unit, responsible=member(unit), standards=[owned], content=f"事项{n}")
    read()
