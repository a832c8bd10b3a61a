"""The Celery worker killed in the middle of the bulletin job: after a new worker starts, exactly one bulletin.

The job holds no special hook for this test. The test itself holds an
exclusive lock on the task table, so the real job, once it has locked its
campaign and begun reading the week's figures, waits inside its transaction.
PostgreSQL shows that wait; the test then SIGKILLs the worker there. The job
uses acks_late and reject_on_worker_lost, so the unacknowledged message goes
back to the queue after the (here short) visibility timeout, and the next
worker writes the bulletin. The killed attempt's transaction never commits.
"""

import os
import signal
import time

import pytest
from django.db import connection

from reports.jobs import write_weekly_bulletin
from reports.models import Bulletin
from tests.celery_worker import running_workers, wait_for
from tests.reports.builders import WEEK, build_week

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 2
WORKER_ENV = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}

# A backend of this database waiting for a lock while it holds the campaign row (FOR UPDATE takes a
# row-share lock on the campaign table): the bulletin job, stopped half-way.
JOB_WAITING_MID_WAY = """
SELECT a.pid FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
  AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted
              AND l.relation = 'campaign_campaign'::regclass AND l.mode = 'RowShareLock')
"""


def _backend_alive(cursor, pid: int) -> bool:
    cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
    return cursor.fetchone() is not None


def _forget_unacknowledged() -> None:
    """Messages an earlier, interrupted run left unacknowledged would be handed out to our workers too."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("unacked", "unacked_index")


def test_a_worker_killed_inside_the_bulletin_job_leaves_exactly_one_bulletin_after_restart():
    _forget_unacknowledged()
    scene = build_week()
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.autocommit = False
    watcher = connection.get_new_connection(connection.get_connection_params())
    watcher.autocommit = True
    try:
        with running_workers(1, extra_env=WORKER_ENV) as (worker,), watcher.cursor() as watch:
            # (taken once the worker is up: its start-up checks read the tables too)
            with blocker.cursor() as cursor:
                cursor.execute("LOCK TABLE tasks_task IN ACCESS EXCLUSIVE MODE")
            write_weekly_bulletin.delay(scene.campaign.pk, *WEEK)

            def job_waiting():
                watch.execute(JOB_WAITING_MID_WAY)
                return watch.fetchone()

            (job_backend,) = wait_for(job_waiting, timeout=30)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        blocker.rollback()  # the orphaned backend gets its lock, finds its client gone and rolls back
        with watcher.cursor() as watch:
            wait_for(lambda: not _backend_alive(watch, job_backend), timeout=20)
        assert not Bulletin.objects.exists()
        # A worker hands unacknowledged messages out again when it starts (and every few minutes after), once they
        # are older than the visibility timeout; a restarted worker in production comes up later than this.
        time.sleep(VISIBILITY_TIMEOUT + 1)

        with running_workers(1, extra_env=WORKER_ENV):
            bulletin = wait_for(lambda: Bulletin.objects.filter(campaign=scene.campaign).first(), timeout=60)
            # Let a duplicate delivery, if any, run out before counting.
            wait_for(lambda: Bulletin.objects.filter(pk=bulletin.pk, published_at__isnull=False).exists(),
                     timeout=30)
        assert Bulletin.objects.count() == 1
        assert (bulletin.iso_year, bulletin.iso_week, bulletin.version) == (*WEEK, 1)
    finally:
        blocker.close()
        watcher.close()
