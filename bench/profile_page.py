"""Where one page's time goes: its SQL (count, time, the slowest statements) and a Python profile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bairi_scale5 REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/profile_page.py --user squad1 /tasks/ [--repeat 20] [--html out.html]

In process, through Django's test client, with no cache at all (``BENCH_NO_CACHE=1``, as bench/cold.py).
The page is requested a few times first so imports and templates are warm, then ``--repeat`` times under
pyinstrument; the printed tree is the sum over those requests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["BENCH_NO_CACHE"] = "1"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--user", default="squad1")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--html", default="", help="Also write pyinstrument's HTML report here.")
    parser.add_argument("--all", action="store_true", help="Show the framework's own frames too.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    for _ in range(3):
        response = client.get(args.path)
    print(f"{args.path} as {args.user}: {response.status_code}, {len(response.content):,} bytes")
    with CaptureQueriesContext(connection) as queries:
        client.get(args.path)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(f"{len(queries)} queries, {sql_ms:.1f} ms in SQL (as the driver saw it); slowest:")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
    times = []
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        started = time.perf_counter()
        client.get(args.path)
        times.append((time.perf_counter() - started) * 1000)
    profiler.stop()
    print(f"median {statistics.median(times):.1f} ms over {args.repeat} requests (profiler on)")
    print(profiler.output_text(unicode=True, color=False, show_all=args.all))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
