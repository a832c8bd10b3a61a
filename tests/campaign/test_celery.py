"""The heartbeat job, in-process and through a real worker and Redis."""

import pytest

from campaign.jobs import heartbeat
from campaign.models import JobHeartbeat
from campaign.schedules import beat_schedule
from tests.celery_worker import running_workers, wait_for


@pytest.mark.django_db
def test_heartbeat_records_each_run():
    heartbeat.delay()
    heartbeat.delay()
    row = JobHeartbeat.objects.get(name="heartbeat")
    assert row.runs == 2


def test_every_schedule_names_a_registered_job():
    from campaign.celery import app

    app.loader.import_default_modules()
    for entry in beat_schedule().values():
        assert entry["task"] in app.tasks


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker_through_redis(client):
    with running_workers(1):
        result = heartbeat.delay("heartbeat")
        assert result.get(timeout=20)
        row = wait_for(lambda: JobHeartbeat.objects.filter(name="heartbeat").first())
    assert row.runs == 1
    body = client.get("/healthz").json()
    assert body["broker"] == "ok"
    assert body["heartbeat"] == row.last_run_at.isoformat()
