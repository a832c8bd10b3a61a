"""The demo responsibility list: believable, consistent, and safe to seed twice."""

import pytest
from django.db.models import F

from tasks import demo
from tasks.models import Attachment, Task
from tasks.selectors import with_overdue

pytestmark = pytest.mark.django_db


def test_demo_list_has_every_state_and_seeds_once(district):
    tasks = demo.seed(district)
    weekly_name = "每周专项整治（周调度）"
    plan = [t for t in tasks if weekly_name not in (t.content, t.parent.content if t.parent else "")]
    assert 10 <= len([t for t in plan if t.level != Task.Level.PERSONAL]) <= 20
    rows = with_overdue(Task.objects.filter(campaign=district.campaign))
    statuses = set(rows.values_list("status", flat=True))
    assert {Task.Status.DONE, Task.Status.IN_PROGRESS, Task.Status.BLOCKED, Task.Status.NOT_STARTED} <= statuses
    weekly = rows.filter(parent__content=weekly_name)
    assert rows.exclude(parent__content=weekly_name).filter(overdue=True).count() == 2
    # The weekly rhythm: one item per squad and past week, some on time, some late, some still overdue.
    assert weekly.count() == 8 * (weekly.values("deadline").distinct().count())
    done = weekly.filter(status=Task.Status.DONE)
    assert done.filter(done_at__date__lte=F("deadline")).exists() and done.filter(done_at__date__gt=F("deadline"))
    assert weekly.filter(overdue=True).exists()
    assert Attachment.objects.filter(update__task__campaign=district.campaign).exists()
    standards = set(rows.values_list("standards__code", flat=True))
    assert {"Ⅲ-48-1", "Ⅲ-56-1", "Ⅲ-59-2", "Ⅲ-60-1", "Ⅲ-77-1"} <= standards
    # history is spread over the campaign, not stamped "now"
    first = min(rows.values_list("created_at", flat=True))
    assert (district.campaign.start_date - first.date()).days <= 0
    count = rows.count()
    demo.seed(district)
    assert Task.objects.filter(campaign=district.campaign).count() == count


@pytest.mark.parametrize("username", ["admin", "leader", "squad1", "member1", "inspector1"])
def test_every_task_page_opens_on_the_demo_list(client, district, username):
    """A smoke walk through the pages each role reaches, on the demo data."""
    from django.urls import reverse

    from tasks import rules
    from tasks.selectors import tasks_visible_to

    demo.seed(district)
    user = district.people[username]
    client.force_login(user)
    assert client.get(reverse("tasks:list")).status_code == 200
    assert client.get(reverse("tasks:list"), {"mine": "on", "overdue": "on"}).status_code == 200
    visible = tasks_visible_to(user).filter(campaign=district.campaign)
    assert visible.exists()
    for task in visible.order_by("seq")[:6]:
        assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
    assert client.get(reverse("tasks:export")).status_code == 200
    expected = 200 if rules.can_see_coverage(user) else 403
    assert client.get(reverse("tasks:coverage")).status_code == expected
    expected = 200 if rules.can_import(user) else 403
    assert client.get(reverse("tasks:import")).status_code == expected
    if rules.can_create_any(user):
        assert client.get(reverse("tasks:create")).status_code == 200
