"""Redis unreachable: a task status update still saves and answers success; its notice arrives once Redis is back.

The shared Redis on 6379 is never touched. The test points the app's broker at
a port of its own where nothing listens yet (the outage), posts a status
update through the page and through the API, then starts a redis-server on that
port, and a real worker runs the outbox flush and delivers the notices.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis

from campaign.core.outbox import OutboxMessage
from campaign.jobs import flush_outbox
from reports.models import Notice
from tasks.models import TaskUpdate
from tests import factories as f
from tests.celery_worker import running_workers, wait_for
from tests.tasks.factories import make_task

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class DedicatedRedis:
    """A redis-server on a free port, started and stopped by this test alone."""

    def __init__(self, workdir):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_for(lambda: _pings(client), timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def _use_broker(url: str) -> None:
    """Point this process's Celery app at another broker (its cached connection pools are dropped)."""
    from campaign.celery import app

    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(tmp_path, settings):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server to start a Redis of the test's own")
    from campaign.celery import app

    server = DedicatedRedis(tmp_path)
    _use_broker(server.url)  # nothing listens there yet: Redis is down
    app.conf.task_always_eager = False
    try:
        yield server
    finally:
        server.stop()
        _use_broker(settings.CELERY_BROKER_URL)
        app.conf.task_always_eager = True


def test_status_updates_save_while_redis_is_down_and_their_notices_arrive_when_it_is_back(broker, client):
    unit = f.UnitFactory()
    leader, member = f.squad_leader(unit), f.member(unit)
    task = make_task(responsible=member, by=leader)
    other = make_task(responsible=member, by=leader, content="背街小巷占道经营整治")
    client.force_login(leader)

    started = time.monotonic()
    page = client.post(f"/tasks/{task.pk}/update/", {"status": "in_progress", "progress": 20,
                                                     "note": "已约谈商户", "version": task.version})
    api = client.post(f"/api/v1/tasks/{other.pk}/updates/", {"status": "blocked", "note": "等待街道协调",
                                                             "version": other.version}, content_type="application/json")
    assert time.monotonic() - started < 10  # the broker's refusal costs a moment, not a hang

    assert page.status_code == 302 and page["Location"] == f"/tasks/{task.pk}/"
    assert api.status_code == 201, api.content
    assert TaskUpdate.objects.filter(task=task, status_after="in_progress").exists()
    assert TaskUpdate.objects.filter(task=other, status_after="blocked").exists()
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert pending.count() == 2 and all(m.attempts == 1 and m.last_error for m in pending)
    assert flush_outbox() == 0  # the every-minute flush, still without a broker, keeps them
    assert not Notice.objects.exists()

    broker.start()
    with running_workers(1, extra_env={"REDIS_URL": broker.url}):
        flush_outbox.delay()  # what beat sends every minute
        wait_for(lambda: Notice.objects.filter(user=member, kind=Notice.Kind.TASK).count() == 2, timeout=30)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert {n.url for n in Notice.objects.all()} == {f"/tasks/{task.pk}/", f"/tasks/{other.pk}/"}
