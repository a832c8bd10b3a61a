"""From a hand-off's commit to the group robot receiving it, under the Monday-morning load, with ONE worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bairi_large REDIS_URL=redis://127.0.0.1:6379/7 \\
        CONN_MAX_AGE=60 .venv/bin/python bench/handoff.py --people 250 --hold 120 [--label …] [--no-write]

Every squad gets a 企业微信 robot whose webhook is a fake gateway in this process (127.0.0.1, answers
errcode 0 and notes the arrival time of each message). gunicorn serves the Monday mix of bench/locustfile.py
(inspectors log findings, squads update tasks, leaders read); one Celery worker (``-c 1``) runs every job,
the deliveries included. For each dispatch announced to a robot while the load ran, the latency is the
gateway's arrival time minus the finding's ``dispatched_at`` (set in the transaction that commits it).

A robot takes 20 messages a minute; a squad given more findings than that in a minute has the rest held to
the next window by design (nothing dropped): those are reported apart, as the gateway's limit, not the app's.
The result is written at the top of bench/RESULTS.md unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.monday import sessions, step, write_top  # noqa: E402  (sets the env)
from bench.run import ROOT, machine, start_gunicorn  # noqa: E402

BUDGET_P95_S = 5.0
KEY_PREFIX = "bench-handoff-"
LINK = re.compile(r"/inspections/findings/(\d+)/")


class Gateway(ThreadingHTTPServer):
    """A 企业微信 webhook that takes everything and notes when each finding's message arrived."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrivals: dict[tuple[str, int], float] = {}
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (http.server's name)
        arrived = time.time()
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        key = self.path.split("key=", 1)[-1]
        content = json.dumps(body, ensure_ascii=False)
        found = LINK.search(content)
        if found and "整改通知" in content:
            with self.server.lock:
                self.server.arrivals.setdefault((key, int(found.group(1))), arrived)
        payload = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def robots_for_squads() -> int:
    from accounts.models import Unit
    from reports.models import Robot

    Robot.objects.filter(key__startswith=KEY_PREFIX).delete()
    squads = list(Unit.objects.filter(kind=Unit.Kind.SQUAD).order_by("pk"))
    Robot.objects.bulk_create([Robot(unit=squad, name=f"{squad.name}工作群", kind=Robot.Kind.WECOM,
                                     key=f"{KEY_PREFIX}{squad.pk}") for squad in squads])
    return len(squads)


def ensure_bulletin() -> None:
    """The Monday mix reads the latest bulletin: write last week's if the database has none yet."""
    from campaign.large import CAMPAIGN_NAME
    from campaign.models import Campaign
    from reports import services
    from reports.models import Bulletin

    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    if not Bulletin.objects.filter(campaign=campaign).exists():
        iso = (min(datetime.date.today(), campaign.end_date) - datetime.timedelta(days=7)).isocalendar()
        services.write_bulletin(campaign_id=campaign.pk, iso_year=iso.year, iso_week=iso.week)


def start_worker(env: dict) -> subprocess.Popen:
    celery = Path(sys.executable).parent / "celery"
    return subprocess.Popen([str(celery), "-A", "campaign", "worker", "-c", "1", "--loglevel", "WARNING",
                             "-n", f"bench-handoff-{os.getpid()}@%h"], cwd=ROOT, env=env, start_new_session=True)


def measure(since: datetime.datetime, gateway: Gateway, drain_seconds: int) -> dict:
    from django.db import close_old_connections

    from inspections.models import Finding
    from reports.models import Delivery

    deadline = time.monotonic() + drain_seconds
    while True:
        close_old_connections()
        waiting = Delivery.objects.filter(created_at__gte=since, robot__key__startswith=KEY_PREFIX,
                                          status=Delivery.Status.PENDING).count()
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(1)
    rows = list(Delivery.objects.filter(created_at__gte=since, robot__key__startswith=KEY_PREFIX,
                                        key__endswith=":dispatched")
                .values_list("key", "robot__key", "status", "attempts"))
    ids = {int(key.split(":")[1]) for key, *_rest in rows}
    dispatched = dict(Finding.objects.filter(pk__in=ids).values_list("pk", "dispatched_at"))
    latencies, held, missing = [], [], 0
    for key, robot_key, _status, _attempts in rows:
        pk = int(key.split(":")[1])
        arrived = gateway.arrivals.get((robot_key, pk))
        if arrived is None:
            missing += 1
            continue
        latency = arrived - dispatched[pk].timestamp()
        (held if latency > 60 else latencies).append(latency)
    statuses: dict[str, int] = {}
    for _key, _robot, status, _attempts in rows:
        statuses[status] = statuses.get(status, 0) + 1
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else None

    return {"dispatches": len(rows), "received": len(latencies) + len(held), "missing": missing,
            "held_by_window": len(held), "p50": pct(0.5), "p95": pct(0.95), "max": ordered[-1] if ordered else None,
            "mean": statistics.fmean(ordered) if ordered else None, "statuses": statuses}


def report(args, result: dict, load: dict, started: str, squads: int) -> str:
    def s(v):
        return "—" if v is None else f"{v:.2f} s"

    ok = result["p95"] is not None and result["p95"] <= BUDGET_P95_S and not result["missing"]
    return "\n".join([
        f"### Hand-off to robot under the Monday load: {args.label} — {started}", "",
        f"- machine: {machine()}; gunicorn {args.workers} sync workers; ONE Celery worker (`-c 1`, prefork) "
        f"running every job; {squads} squads, one 企业微信 robot each, a fake gateway in the bench process",
        f"- load: {load['people']} people, {args.ramp} s ramp then {args.hold} s measured; {load['requests']} "
        f"requests, {load['rps']:.1f} req/s, page p95 {load['p95']:.0f} ms, {load['errors']} errors; load average "
        f"before {load['load']}",
        f"- note: {args.note}" if args.note else "", "",
        "| dispatches announced | received | p50 | p95 | max | held by a robot's 20/min window | not received |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result['dispatches']} | {result['received']} | {s(result['p50'])} | {s(result['p95'])} | "
        f"{s(result['max'])} | {result['held_by_window']} | {result['missing']} |", "",
        f"Delivery rows by status after the drain: {result['statuses']}. "
        f"Budget p95 ≤ {BUDGET_P95_S:.0f} s: **{'met' if ok else 'missed'}**.", "",
        "Slowest actions of the load (p50 / p95 ms, requests): " + "; ".join(
            f"{name} {v['p50']:.0f} / {v['p95']:.0f}, {v['n']}" for name, v in sorted(
                load["per_name"].items(), key=lambda item: -item[1]["p95"])[:6]) + ".", "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="hand-off latency")
    parser.add_argument("--note", default="")
    parser.add_argument("--people", type=int, default=250)
    parser.add_argument("--ramp", type=int, default=30)
    parser.add_argument("--hold", type=int, default=120)
    parser.add_argument("--drain", type=int, default=90, help="Seconds to wait for the queue after the load.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8768)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must name the broker: the point is a real worker")

    gateway = Gateway()
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    os.environ.update(WECOM_WEBHOOK_URL=f"http://127.0.0.1:{gateway.server_address[1]}/cgi-bin/webhook/send",
                      CELERY_TASK_ALWAYS_EAGER="0")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("collectstatic", "--noinput", verbosity=0)
    squads = robots_for_squads()
    ensure_bulletin()
    session_file = Path(tempfile.gettempdir()) / f"bairi-handoff-sessions-{os.getpid()}.json"
    sessions(args.people, session_file)
    connections.close_all()
    env = {**os.environ, "BAIRI_SESSIONS": str(session_file)}
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    worker = start_worker(env)
    server = start_gunicorn(args.port, args.workers)
    time.sleep(5)  # the worker connects to the broker
    since = timezone.now()
    try:
        prefix = Path(tempfile.gettempdir()) / f"bairi-handoff-{os.getpid()}"
        load = step(args.people, args, f"http://127.0.0.1:{args.port}", env, prefix)
        result = measure(since, gateway, args.drain)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        os.killpg(worker.pid, signal.SIGTERM)
        server.wait(timeout=30)
        worker.wait(timeout=30)
        session_file.unlink(missing_ok=True)
    section = report(args, result, load, started, squads)
    print(section)
    if not args.no_write:
        write_top(section)


if __name__ == "__main__":
    main()
