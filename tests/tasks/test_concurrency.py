"""Two people save the same task at the same moment: one wins, the other is told, nothing is lost."""

import threading

import pytest
from django.db import connection

from tasks import services
from tasks.models import Task
from tests.factories import UnitFactory, member, squad_leader
from tests.tasks.factories import make_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_saves_of_the_same_version_let_exactly_one_through():
    squad = UnitFactory()
    chief, worker = squad_leader(squad), member(squad)
    task = make_task(unit=squad, by=chief, responsible=worker)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(person, progress):
        try:
            barrier.wait()
            services.task_update_status(task=Task.objects.get(pk=task.pk), by=person, status="in_progress",
                                        progress=progress, note=f"{progress}", expected_version=1)
            outcomes.append(("saved", progress))
        except services.StaleEdit as exc:
            outcomes.append(("stale", exc.current.progress))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(chief, 40)), threading.Thread(target=save, args=(worker, 70))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["saved", "stale"]
    saved = next(p for kind, p in outcomes if kind == "saved")
    stale_saw = next(p for kind, p in outcomes if kind == "stale")
    task.refresh_from_db()
    assert task.progress == saved == stale_saw  # the loser is shown the winner's state
    assert task.version == 2 and task.updates.count() == 2
