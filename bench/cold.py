"""Cold latency: every page with NO cache at all, one request at a time, against gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bairi_scale5 REDIS_URL=redis://127.0.0.1:6379/7 \\
        CONN_MAX_AGE=60 .venv/bin/python bench/cold.py [--repeat 200] [--only task] [--markdown out.md]

gunicorn runs as bench/run.py starts it (sync workers, production settings, bench/settings.py),
with ``BENCH_NO_CACHE=1``: every cache is Django's DummyCache, so each request renders everything
it shows and reads every row from PostgreSQL (the process itself is warm: imports, templates and
connections after three warm-up requests per URL). One worker, one connection, no concurrency.

The figure is the **server time**: the ``Server-Timing`` header that bench/timing.py adds around
the whole middleware stack and the view, so the client's own scheduling on a shared host stays
out of it (the client's time on loopback is printed beside it). Each URL's requests alternate
with its floor view's (bench/floor.py), so both see the same minutes of the host; pages without
a floor of their own are compared with the cheapest floor (the bulletin floor: session, user, one
row by key), and say so.

Budgets: median ≤ 25 ms, p95 ≤ 60 ms, median ≤ 4× the floor's median.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import io
import os
import re
import secrets
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import machine, post_rows, session_cookie, start_gunicorn  # noqa: E402  (sets the env)

os.environ["BENCH_NO_CACHE"] = "1"
os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "bairi-bench-media"))

BUDGET_MEDIAN_MS, BUDGET_P95_MS, BUDGET_FLOOR_X = 25.0, 60.0, 4.0
TIMING = re.compile(r"app;dur=([0-9.]+)")
BOUNDARY = "----bairi-bench-boundary"


def jpeg() -> bytes:
    """A small real photo (160 × 120), what a phone upload is after the app's own checks, only smaller."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (160, 120), (120, 140, 90))
    ImageDraw.Draw(picture).ellipse((30, 20, 130, 100), fill=(200, 60, 40))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=75)
    return out.getvalue()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class Poster:
    """Distinct open personal items with their versions, each posted at most once (as bench/run.py does)."""

    def __init__(self, rows: list[tuple[int, int]]):
        self.rows = iter(rows)

    def next(self) -> tuple[int, int]:
        try:
            return next(self.rows)
        except StopIteration:
            raise SystemExit("ran out of open items to post to: lower --repeat") from None


def targets(campaign, csrf: str, repeat: int) -> list[dict]:
    from bench.run import ensure_bulletin
    from bench.run import targets as run_targets
    from reports.models import Bulletin

    ensure_bulletin(campaign)
    inspector, leader = (session_cookie(u, csrf) for u in ("inspector1", "leader"))
    bulletin = Bulletin.objects.filter(campaign=campaign, is_current=True).order_by("-iso_year", "-iso_week").first()
    generic = f"/bench/floor/bulletins/{bulletin.pk}/"
    # Every POST gets its own items, the floor's too: an item is never posted twice.
    per = repeat + 5
    rows = post_rows(1, per * 4)[0]
    found = run_targets(campaign, csrf)
    for target in found:
        if target.get("method") == "POST":
            target["posts"], target["floor_posts"] = Poster(rows[:per]), Poster(rows[per:2 * per])
    photo = jpeg()
    found += [
        {"name": "task update with a photo (POST multipart)", "path": "/tasks/PK/update/", "cookie": leader,
         "method": "POST", "expect": 302, "photo": photo, "posts": Poster(rows[2 * per:3 * per]),
         "floor": "/bench/floor/tasks/PK/update/", "floor_expect": 200, "floor_posts": Poster(rows[3 * per:])},
        {"name": "finding form (inspector)", "path": "/inspections/findings/new/", "cookie": inspector,
         "floor": generic, "generic_floor": True},
        {"name": "bulletin list", "path": "/reports/", "cookie": leader, "floor": generic, "generic_floor": True},
        {"name": "coverage page", "path": "/tasks/coverage/", "cookie": leader, "floor": generic,
         "generic_floor": True},
    ]
    return found


def request(port: int, target: dict, *, floor: bool, csrf: str) -> tuple[float, float, int]:
    """One request on a fresh loopback connection: (server ms, client ms, status)."""
    path = target["floor"] if floor else target["path"]
    method = target.get("method", "GET")
    headers = {"Cookie": target["cookie"], "Accept-Language": "zh-hans", "Host": "127.0.0.1"}
    body = None
    if method == "POST":
        pk, version = (target["floor_posts"] if floor else target["posts"]).next()
        path = path.replace("PK", str(pk))
        fields = {"csrfmiddlewaretoken": csrf, "status": "in_progress", "progress": "55", "note": "bench",
                  "version": str(version)}
        headers["X-CSRFToken"] = csrf
        if target.get("photo") and not floor:
            body = multipart(fields, [("files", "现场.jpg", target["photo"])])
            headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    client_ms = (time.perf_counter() - started) * 1000
    connection.close()
    match = TIMING.search(response.getheader("Server-Timing") or "")
    return (float(match.group(1)) if match else float("nan")), client_ms, response.status


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200, help="Requests per URL (and as many to its floor).")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--only", default="", help="Only URLs whose name contains this text.")
    parser.add_argument("--label", default="cold latency")
    parser.add_argument("--note", default="", help="What else was running on the host.")
    parser.add_argument("--markdown", default="", help="Also write the table to this file.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from campaign.large import CAMPAIGN_NAME
    from campaign.models import Campaign
    from tasks.models import Task

    assert settings.CACHES["default"]["BACKEND"].endswith("DummyCache"), settings.CACHES
    call_command("collectstatic", "--noinput", verbosity=0)
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    csrf = secrets.token_hex(16)
    chosen = [t for t in targets(campaign, csrf, args.repeat) if args.only in t["name"]]
    scale = f"{Task.objects.filter(campaign=campaign).count():,} tasks"
    connections.close_all()
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    server = start_gunicorn(args.port, 1)
    results = []
    try:
        for target in chosen:
            for _ in range(3):  # imports, templates, connections: the process is warm, the data is not cached
                for floor in (True, False):
                    _s, _c, status = request(args.port, target, floor=floor, csrf=csrf)
                    expect = target.get("floor_expect", 200) if floor else target.get("expect", 200)
                    if status != expect:
                        raise SystemExit(f"{target['name']}: {'floor ' if floor else ''}answered {status}, "
                                         f"expected {expect}")
            real, floor_times, client, bad = [], [], [], 0
            for _ in range(args.repeat):  # alternate, so the floor and the page share the host's minutes
                server_ms, _c, status = request(args.port, target, floor=True, csrf=csrf)
                floor_times.append(server_ms)
                bad += status != target.get("floor_expect", 200)
                server_ms, client_ms, status = request(args.port, target, floor=False, csrf=csrf)
                real.append(server_ms)
                client.append(client_ms)
                bad += status != target.get("expect", 200)
            row = {"name": target["name"], "median": statistics.median(real), "p95": p95(real),
                   "client": statistics.median(client), "floor": statistics.median(floor_times),
                   "floor_p95": p95(floor_times), "bad": bad, "generic": target.get("generic_floor", False)}
            row["ratio"] = row["median"] / row["floor"]
            results.append(row)
            print(f"{row['name']}: median {row['median']:.1f} ms p95 {row['p95']:.1f} ms (client {row['client']:.1f}) "
                  f"| floor {row['floor']:.1f} / {row['floor_p95']:.1f} ms | {row['ratio']:.1f}x | bad {bad}",
                  flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    lines = [
        f"### {args.label} — {started}", "",
        f"- machine: {machine()}; load average before: {load}; data: {scale}",
        f"- gunicorn 1 sync worker, `DummyCache`, CONN_MAX_AGE={os.environ.get('CONN_MAX_AGE', '0')}; "
        f"{args.repeat} requests per URL, alternating with its floor, one at a time; server time from the "
        "Server-Timing header (bench/timing.py)",
        f"- note: {args.note}" if args.note else None, "",
        "| URL | median ms | p95 ms | client median ms | floor median / p95 ms | × floor | bad | budget |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        misses = [m for m, ok in (("median", r["median"] <= BUDGET_MEDIAN_MS), ("p95", r["p95"] <= BUDGET_P95_MS),
                                  ("× floor", r["ratio"] <= BUDGET_FLOOR_X), ("errors", r["bad"] == 0)) if not ok]
        floor_name = " (bulletin floor)" if r["generic"] else ""
        lines.append(f"| {r['name']} | {r['median']:.1f} | {r['p95']:.1f} | {r['client']:.1f} | "
                     f"{r['floor']:.1f} / {r['floor_p95']:.1f}{floor_name} | {r['ratio']:.1f}× | {r['bad']} | "
                     f"{'ok' if not misses else '**missed**: ' + ', '.join(misses)} |")
    section = "\n".join(line for line in lines if line is not None) + "\n"
    print(section)
    if args.markdown:
        Path(args.markdown).write_text(section)


if __name__ == "__main__":
    main()
