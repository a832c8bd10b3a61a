"""Start real Celery workers (separate processes) against Redis and the test database.

The workers see only committed rows, so tests using them need
``django_db(transaction=True)``. Jobs are sent through Redis exactly as in
production; nothing runs in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    user = quote(s.get("USER") or "postgres")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


@contextmanager
def running_workers(count: int = 1, *, extra_env: dict | None = None, timeout: float = 30.0):
    """Start ``count`` worker processes, wait until each answers a ping, stop them afterwards."""
    from campaign.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_ALWAYS_EAGER": "0",
           "DJANGO_SETTINGS_MODULE": "campaign.settings", **(extra_env or {})}
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    names = [f"w{i}-{stamp}@localhost" for i in range(count)]
    # Output goes to files, not pipes: a worker that prints a lot (the console email backend prints
    # whole PDF attachments) would block on a full pipe nobody reads.
    logs = [tempfile.TemporaryFile() for _ in names]  # noqa: SIM115 (closed in the finally below)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "campaign", "worker", "-P", "solo", "-n", name,
             "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        for name, log in zip(names, logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + timeout
        while True:
            replies = app.control.ping(destination=names, timeout=1.0) or []
            if len(replies) >= count:
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail(f"Celery worker did not start: {_tail(logs)}")
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        app.conf.task_always_eager = True
        # Shown by pytest only when the test fails: what the workers said.
        print(_tail(logs))
        for log in logs:
            log.close()


def _tail(logs, size: int = 3000) -> str:
    parts = []
    for log in logs:
        log.seek(0)
        parts.append(log.read().decode(errors="replace")[-size:])
    return "\n---\n".join(parts)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail("timed out waiting for the worker")
