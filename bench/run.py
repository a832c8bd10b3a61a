"""The district-scale benchmark of issue 7. Run by hand, never by the test suite.

    apt-get install -y wrk                      # the load generator (Debian package), once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bairi_large .venv/bin/python manage.py migrate
    DATABASE_URL=… .venv/bin/python manage.py seed_large     # ≈ 1 minute, into an EMPTY database
    DATABASE_URL=… REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/run.py --label after

It measures, in one run and on the same data:

1. the weekly bulletin's figures (``reports.figures.bulletin_figures``) against ONE
   hand-written SQL statement computing the same figures (bench/bulletin.sql);
2. the meeting-pack export in a fresh process (bench/pack_job.py): time and peak RSS;
3. gunicorn (sync workers, production settings plus the floor URLs of
   bench/settings.py) under wrk, 16 connections, for seven pages and endpoints
   and for each one's floor view (bench/floor.py).

Results are appended to bench/RESULTS.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_ENV": "production",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "False",
    "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "bairi-bench-static"),
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bairi_large")

BUDGET_RATIO, BUDGET_P95_MS, BUDGET_BULLETIN_S, BUDGET_SQL_X = 0.40, 150.0, 3.0, 3.0
BUDGET_PACK_S, BUDGET_PACK_MB = 20.0, 300.0
POSTS_PER_THREAD = 3000  # more than a thread sends in one run, so no item is updated twice


def machine() -> str:
    cpuinfo, meminfo = Path("/proc/cpuinfo").read_text().splitlines(), Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor())
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, Python {platform.python_version()}"


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --- in-process measurements -------------------------------------------------------

def bulletin_and_sql(campaign) -> dict:
    from django.db import connection
    from django.utils import timezone

    from reports.figures import bulletin_figures, campaign_weeks
    from reports.indicators import Week
    from reports.services import previous_iso_week

    iso_year, iso_week = previous_iso_week()
    week = Week.iso(campaign, iso_year, iso_week)
    weeks = campaign_weeks(campaign, week.end)
    first_monday = campaign.start_date - datetime.timedelta(days=campaign.start_date.weekday())
    params = {"campaign": campaign.pk, "week_end": week.end, "end_dt": week.end_dt, "start_dt": week.start_dt,
              "idle_days": campaign.idle_days, "first_monday": first_monday, "weeks": len(weeks),
              "tz": str(timezone.get_default_timezone())}
    sql = (BENCH / "bulletin.sql").read_text()

    def run_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    figures_s, figures = timed(lambda: bulletin_figures(campaign, iso_year, iso_week))
    sql_s, rows = timed(run_sql)
    # The two must agree, or the comparison means nothing.
    by_squad = {key: (json.loads(t or "{}"), json.loads(f or "{}")) for kind, key, t, f, _g in rows if kind == "squad"}
    checked = ("tasks_due", "tasks_done", "tasks_overdue", "findings_due", "rectified_on_time", "findings_closed",
               "open_past_deadline", "rebounds_total")
    mismatches = [
        (row["unit"], name) for row in figures["units"] for name in checked
        if row[name] != {**by_squad[row["unit_id"]][0], **by_squad[row["unit_id"]][1]}.get(name, 0)
    ]
    trend_points = sum(1 for r in rows if r[0] == "week")
    return {"week": f"{iso_year}-W{iso_week:02d}", "figures_s": figures_s, "sql_s": sql_s,
            "ratio": figures_s / sql_s, "agree": not mismatches, "mismatches": mismatches[:5],
            "trend_points": (len(figures["trend"]), trend_points)}


def pack(campaign) -> dict:

    from accounts.models import User
    from reports.models import MeetingPack
    from reports.services import previous_iso_week, propose_meeting, write_bulletin

    # The month of the last complete week: early in a month the current one has no bulletin yet, and
    # its pack would be nearly empty.
    last = previous_iso_week()
    month = datetime.date.fromisocalendar(*last, 1).replace(day=1)
    # The pack holds the month's bulletins: write them (once) as the weekly job would have.
    day = month - datetime.timedelta(days=month.weekday())
    while (day.isocalendar().year, day.isocalendar().week) <= last:
        write_bulletin(campaign_id=campaign.pk, iso_year=day.isocalendar().year, iso_week=day.isocalendar().week)
        day += datetime.timedelta(days=7)
    meeting, _created = propose_meeting(campaign_id=campaign.pk, month=month)
    job = MeetingPack.objects.create(meeting=meeting, requested_by=User.objects.get(username="admin"))
    # The worst case: no bulletin's PDF kept yet (a new release's key prefix, or an emptied cache), so the
    # pack renders every one. The bench's cache is a Redis database of its own.
    from django.core.cache import cache
    cache.clear()
    out = subprocess.run([sys.executable, str(BENCH / "pack_job.py"), str(job.pk)], capture_output=True, text=True,
                         env=os.environ, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- HTTP -------------------------------------------------------------------------

def session_cookie(username: str, csrf: str) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    user = User.objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def ensure_bulletin(campaign) -> None:
    """Last week's bulletin, written (once) as the weekly job would have: the bulletin pages need one."""
    from reports.services import previous_iso_week, write_bulletin

    iso_year, iso_week = previous_iso_week()
    write_bulletin(campaign_id=campaign.pk, iso_year=iso_year, iso_week=iso_week)


def targets(campaign, csrf: str) -> list[dict]:
    from django.db.models import Count

    from accounts.models import Unit
    from inspections.models import Finding
    from reports.models import Bulletin
    from tasks.models import Task

    squad = Unit.objects.get(code="squad1")
    chief, inspector, leader = (session_cookie(u, csrf) for u in ("squad1", "inspector1", "leader"))
    ensure_bulletin(campaign)
    average = max(1, round(campaign.tasks.aggregate(n=Count("updates"))["n"] / campaign.tasks.count()))
    task = (Task.objects.filter(unit=squad, level=Task.Level.PERSONAL).annotate(n=Count("updates"))
            .filter(n__gte=average + 1).order_by("pk").first())
    bulletin = Bulletin.objects.filter(campaign=campaign, is_current=True).order_by("-iso_year", "-iso_week").first()
    status = Finding.Status.DISPATCHED
    return [
        {"name": "squad list page", "path": "/tasks/", "cookie": chief, "floor": "/bench/floor/tasks/"},
        {"name": f"task page ({task.updates.count()} history rows)", "path": f"/tasks/{task.pk}/", "cookie": chief,
         "floor": f"/bench/floor/tasks/{task.pk}/"},
        {"name": "task status update (POST)", "path": "/tasks/PK/update/", "cookie": leader, "method": "POST",
         "expect": 302, "floor": "/bench/floor/tasks/PK/update/", "floor_expect": 200},
        {"name": "inspector's findings list", "path": "/inspections/findings/", "cookie": inspector,
         "floor": "/bench/floor/findings/"},
        {"name": "/api/v1/tasks/?unit=", "path": f"/api/v1/tasks/?unit={squad.pk}", "cookie": leader,
         "floor": f"/bench/floor/tasks/?unit={squad.pk}"},
        {"name": "/api/v1/findings/?unit=&status=", "path": f"/api/v1/findings/?unit={squad.pk}&status={status}",
         "cookie": leader, "floor": f"/bench/floor/findings/?unit={squad.pk}&status={status}"},
        {"name": "bulletin page", "path": f"/reports/bulletins/{bulletin.pk}/", "cookie": leader,
         "floor": f"/bench/floor/bulletins/{bulletin.pk}/"},
    ]


def post_rows(threads: int, per_thread: int) -> list[list[tuple[int, int]]]:
    """Disjoint open personal items per wrk thread, with their current versions (read just before).

    A leader posts them (the leader may update any unit's items), each item at most once per run: an item
    updated twice would need the version its first update made, and wrk cannot read it back. (Cycling
    through one squad's few hundred items went wrong: wrk asks the script for a request it never sends, so
    an item's second visit carried a version one ahead, and was refused as stale.)
    """
    from tasks.models import Task

    rows = list(Task.objects.filter(level=Task.Level.PERSONAL).exclude(status=Task.Status.DONE)
                .order_by("pk").values_list("pk", "version")[: threads * per_thread])
    return [rows[i::threads] for i in range(threads)]


def lua(path: str, method: str, cookie: str, csrf: str, expect: int, posts) -> Path:
    posts_lua = "{" + ",".join("{" + ",".join(f"{{{pk},{v}}}" for pk, v in chunk) + "}" for chunk in posts) + "}"
    header = (f'PATH_ = "{path}"\nMETHOD_ = "{method}"\nCOOKIE_ = "{cookie}"\nCSRF_ = "{csrf}"\n'
              f"EXPECT_ = {expect}\nPOSTS_ = {posts_lua}\n")
    script = Path(tempfile.gettempdir()) / f"bairi-bench-{os.getpid()}.lua"
    script.write_text(header + (BENCH / "wrk.lua").read_text())
    return script


def wrk(base: str, target: dict, *, floor: bool, csrf: str, args, warm_up: bool = True) -> dict:
    path = target["floor"] if floor else target["path"]
    method = target.get("method", "GET")
    expect = target.get("floor_expect", 200) if floor else target.get("expect", 200)
    if warm_up:  # imports, template loading, connections, the caches
        posts = post_rows(args.threads, POSTS_PER_THREAD) if method == "POST" else []
        script = lua(path, method, target["cookie"], csrf, expect, posts)
        subprocess.run(["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", "2s", "-s", str(script),
                        base], capture_output=True, check=True)
    if method == "POST":  # the versions moved on: let the last requests finish, then read them afresh
        time.sleep(2)
    posts = post_rows(args.threads, POSTS_PER_THREAD) if method == "POST" else []
    script = lua(path, method, target["cookie"], csrf, expect, posts)
    out = subprocess.run(["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s",
                          "--latency", "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (\{.*\})$", out, re.M)
    return json.loads(match.group(1))


def measure(base: str, target: dict, *, csrf: str, args) -> dict:
    """``args.rounds`` alternating runs of the floor and the page, so both see the same machine.

    The host's CPU speed drifts by tens of per cent from minute to minute (other tenants), so one run of
    each, a minute apart, compares two different machines. Reported: the median of each figure over the
    rounds, and the median of the rounds' ratios.
    """
    floors, reals = [], []
    for n in range(args.rounds):
        floors.append(wrk(base, target, floor=True, csrf=csrf, args=args, warm_up=n == 0))
        reals.append(wrk(base, target, floor=False, csrf=csrf, args=args, warm_up=n == 0))

    def median(runs: list[dict]) -> dict:
        return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p95", "p99")} | {
            "bad": sum(run["bad"] for run in runs), "rounds": [round(run["rps"]) for run in runs]}

    ratio = statistics.median(real["rps"] / floor["rps"] for real, floor in zip(reals, floors, strict=True))
    return {"name": target["name"], "real": median(reals), "floor": median(floors), "ratio": ratio}


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "campaign.wsgi:application", "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env=os.environ, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310 (loopback)
            return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not answer /healthz")


# --- report -----------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "ok" if ok else "**MISSED**"


def report(args, results: list[dict], bulletin: dict, pack_result: dict, started: str, load: str) -> str:
    from django.conf import settings

    lines = [
        f"## {args.label} — {started}", "",
        f"- machine: {machine()}; load average before the run: {load}",
        f"- gunicorn: {args.workers} sync workers; wrk: {args.threads} threads, {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.duration} s (floor, page) per endpoint after a 2 s warm-up "
        "of each; medians over the rounds; load generator on the same machine",
        f"- sessions: `{settings.SESSION_ENGINE}`; "
        f"cache: `{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}`; "
        f"CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}",
        f"- note: {args.note}" if args.note else "", "",
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | floor req/s | floor p95 ms | ratio | bad | budget |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        real, floor, ratio = r["real"], r["floor"], r["ratio"]
        ok = ratio >= BUDGET_RATIO and real["p95"] <= BUDGET_P95_MS and real["bad"] == 0
        lines.append(f"| {r['name']} | {real['rps']:.1f} | {real['p50']:.1f} | {real['p95']:.1f} | {real['p99']:.1f} "
                     f"| {floor['rps']:.1f} | {floor['p95']:.1f} | {ratio:.0%} | {real['bad']} | {verdict(ok)} |")
    b = bulletin
    lines += [
        "",
        f"- weekly bulletin {b['week']} (`bulletin_figures`, median of 3): **{b['figures_s']:.2f} s**; "
        f"one SQL statement (bench/bulletin.sql): {b['sql_s']:.2f} s; ratio **{b['ratio']:.1f}×** "
        f"(figures agree: {'yes' if b['agree'] else 'NO ' + str(b['mismatches'])}; trend points "
        f"{b['trend_points'][0]} / {b['trend_points'][1]}) — "
        f"{verdict(b['figures_s'] <= BUDGET_BULLETIN_S and b['ratio'] <= BUDGET_SQL_X)}",
        f"- meeting pack: **{pack_result['seconds']:.1f} s**, worker peak RSS **{pack_result['peak_mb']:.0f} MB**, "
        f"{pack_result['size'] / 1024:.0f} KiB ZIP ({pack_result['status']}, every bulletin rendered) — "
        f"{verdict(pack_result['seconds'] <= BUDGET_PACK_S and pack_result['peak_mb'] <= BUDGET_PACK_MB)}",
        "",
    ]
    return "\n".join(line for line in lines if line is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="run")
    parser.add_argument("--note", default="")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=8, help="Seconds per run.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating floor/page runs per endpoint.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", default="", help="Run only endpoints whose name contains this text.")
    parser.add_argument("--skip-reports", action="store_true", help="Skip the bulletin and pack measurements.")
    parser.add_argument("--no-write", action="store_true", help="Print the section instead of appending it.")
    parser.add_argument("--reports-only", action="store_true",
                        help="Only the bulletin and pack measurements (printed, nothing written), no wrk.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from campaign.large import CAMPAIGN_NAME
    from campaign.models import Campaign

    call_command("collectstatic", "--noinput", verbosity=0)
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    bulletin = pack_result = None
    if not args.skip_reports:
        bulletin = bulletin_and_sql(campaign)
        print("bulletin", bulletin, flush=True)
        pack_result = pack(campaign)
        print("pack", pack_result, flush=True)
    if args.reports_only:
        return
    csrf = secrets.token_hex(16)
    chosen = [t for t in targets(campaign, csrf) if args.only in t["name"]]
    from django.db import connections

    connections.close_all()
    server = start_gunicorn(args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    results = []
    try:
        for target in chosen:
            result = measure(base, target, csrf=csrf, args=args)
            results.append(result)
            real, floor = result["real"], result["floor"]
            print(f"{target['name']}: {real['rps']:.1f} req/s {real['rounds']} p95 {real['p95']:.1f} ms "
                  f"bad {real['bad']} | floor {floor['rps']:.1f} req/s {floor['rounds']} p95 {floor['p95']:.1f} ms "
                  f"| ratio {result['ratio']:.0%}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if bulletin is None:
        bulletin = {"week": "-", "figures_s": 0, "sql_s": 1, "ratio": 0, "agree": True, "mismatches": [],
                    "trend_points": (0, 0)}
        pack_result = {"seconds": 0, "peak_mb": 0, "size": 0, "status": "skipped"}
    section = report(args, results, bulletin, pack_result, started, load)
    print(section)
    if not args.no_write:
        with open(BENCH / "RESULTS.md", "a") as out:
            out.write("\n" + section)


if __name__ == "__main__":
    main()
