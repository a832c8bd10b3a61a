"""Single-request timings with Django's test client (DEBUG off), warm and one at a time: the steady evidence.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bairi_large REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/single.py [--repeat 20] [--queries]

Prints the median and the best time of each benchmarked page and endpoint (after two warm-up requests), and
with ``--queries`` how many SQL queries each ran.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bairi_large")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Unit, User
    from inspections.models import Finding
    from reports.models import Bulletin
    from tasks.models import Task

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    squad = Unit.objects.get(code="squad1")
    task = Task.objects.filter(unit=squad, level=Task.Level.PERSONAL).order_by("pk").first()
    bulletin = Bulletin.objects.filter(is_current=True).order_by("-iso_year", "-iso_week").first()
    pages = [
        ("squad1", "squad list page", "/tasks/"),
        ("squad1", "task page", f"/tasks/{task.pk}/"),
        ("inspector1", "inspector's findings list", "/inspections/findings/"),
        ("leader", "/api/v1/tasks/?unit=", f"/api/v1/tasks/?unit={squad.pk}"),
        ("leader", "/api/v1/findings/?unit=&status=",
         f"/api/v1/findings/?unit={squad.pk}&status={Finding.Status.DISPATCHED}"),
        ("leader", "bulletin page", f"/reports/bulletins/{bulletin.pk}/"),
    ]
    clients: dict[str, Client] = {}
    for username, name, path in pages:
        if args.only not in name:
            continue
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        for _ in range(2):
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        line = f"{name:36s} median {statistics.median(times):6.1f} ms  best {min(times):6.1f} ms"
        if args.queries:
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            line += f"  {len(ctx.captured_queries)} queries"
        print(line, flush=True)


if __name__ == "__main__":
    main()
