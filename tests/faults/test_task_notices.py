"""Task changes notify the people concerned, through the outbox (jobs run in-process here)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from campaign.core.outbox import OutboxMessage
from reports.jobs import notify_task_change
from reports.models import Notice
from tasks import services
from tests import factories as f
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def squad():
    unit = f.UnitFactory()
    return f.squad_leader(unit), f.member(unit), f.member(unit)


def test_a_leader_changing_a_members_task_status_notifies_the_member(squad, django_capture_on_commit_callbacks):
    leader, member, _ = squad
    task = make_task(responsible=member, by=leader)
    with django_capture_on_commit_callbacks(execute=True):
        update = services.task_update_status(task=task, by=leader, status="blocked", note="等待街道协调",
                                             expected_version=task.version)
    notice = Notice.objects.get()
    assert (notice.user, notice.kind, notice.key) == (member, Notice.Kind.TASK, f"task-update:{update.pk}")
    assert notice.url == f"/tasks/{task.pk}/" and leader.display_name in notice.message
    assert OutboxMessage.objects.get(job="reports.jobs.notify_task_change").sent_at is not None
    # The notice is pushed through the member's own channels too (an email: factory people have no phone).
    assert list(notice.deliveries.values_list("channel", "status")) == [("email", "sent")]


def test_the_responsible_person_updating_their_own_task_notifies_nobody(squad, django_capture_on_commit_callbacks):
    leader, member, _ = squad
    task = make_task(responsible=member, by=leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_update_status(task=task, by=member, status="in_progress", progress=30,
                                    expected_version=task.version)
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()


def test_a_note_without_a_status_change_notifies_nobody(squad, django_capture_on_commit_callbacks):
    leader, member, _ = squad
    task = make_task(responsible=member, by=leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_update_status(task=task, by=leader, status=task.status, note="请尽快推进",
                                    expected_version=task.version)
    assert not OutboxMessage.objects.exists()


def test_assigning_notifies_the_new_and_the_previous_holder(squad, django_capture_on_commit_callbacks):
    leader, member, colleague = squad
    task = make_task(responsible=member, by=leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_assign(task=task, by=leader, responsible=colleague, expected_version=task.version)
    assert set(Notice.objects.values_list("user__username", flat=True)) == {member.username, colleague.username}


def test_the_job_run_twice_adds_one_notice(squad, django_capture_on_commit_callbacks):
    leader, member, _ = squad
    task = make_task(responsible=member, by=leader)
    update = services.task_update_status(task=task, by=leader, status="in_progress", expected_version=task.version)
    notify_task_change(update.pk)
    notify_task_change(update.pk)
    assert Notice.objects.filter(user=member).count() == 1


def test_a_change_that_rolls_back_leaves_no_outbox_row(squad):
    from django.db import transaction

    leader, member, _ = squad
    task = make_task(responsible=member, by=leader)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.task_update_status(task=task, by=leader, status="in_progress", expected_version=task.version)
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_a_fresh_web_process_knows_the_jobs_the_outbox_queues():
    # A worker imports every app's jobs.py when it starts; a web process must too, or each notice it
    # queues fails its first attempt and waits for the minute flush. A subprocess, so that this test
    # process's own imports of the job modules cannot hide the fault.
    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "print(sorted(name for name in current_app.tasks if not name.startswith('celery.')))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "campaign.settings"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
                         cwd=settings.BASE_DIR).stdout
    assert "reports.jobs.notify_task_change" in out
    assert "campaign.jobs.flush_outbox" in out
