"""Monday morning: gunicorn under bench/locustfile.py at growing numbers of people, until p95 passes 300 ms.

    pip install -r bench/requirements.txt          # locust, into the venv (bench only)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bairi_scale5 REDIS_URL=redis://127.0.0.1:6379/7 \\
        CONN_MAX_AGE=60 .venv/bin/python bench/monday.py --label "before: rendered-page cache" \\
        [--people 100,250,500,750,1000,1250,1500] [--ramp 30] [--hold 90] [--no-cache] [--no-write]

For each number of people: locust (headless, on this machine) starts them over ``--ramp`` seconds,
its statistics are reset once all are running (``--reset-stats``), and the next ``--hold`` seconds
are what is reported: p50, p95, errors and requests per second over every request of the mix. The
same gunicorn serves every step (its caches warm from step to step, as a real Monday's would).
Bounded: at most ``--max-steps`` steps and ``--max-minutes`` in all, and it stops after the first
step past p95 300 ms or with errors plus one more (to show the knee). Only 127.0.0.1 is targeted.

gunicorn: sync workers, ``2 × cores + 1`` by default (5 on 2 cores). A sync worker holds one request
at a time and blocks while PostgreSQL, Redis or an upload keeps it waiting, so a few more processes
than cores keep both cores busy; many more only add memory and contention on 2 cores (bench/run.py
found 3, 4 and 6 workers equal within the noise). Locust itself runs on the same 2 cores: its CPU
time per step is reported next to the figures.

The curve is written at the top of bench/RESULTS.md (after the introduction), with the machine,
the date and the load average before each step.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import BENCH, machine, session_cookie, start_gunicorn  # noqa: E402  (sets the env)

os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "bairi-bench-media"))
BUDGET_P95_MS = 300.0


def sessions(max_people: int, path: Path) -> dict:
    """A session for as many seed_large accounts as the run can use, and what the scenario picks from."""
    from django.db.models import Q

    from accounts.models import Unit, User
    from campaign.large import CAMPAIGN_NAME
    from campaign.models import Campaign
    from inspections.models import Finding
    from reports.models import Bulletin

    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    csrf = secrets.token_hex(16)
    leaders = list(User.objects.filter(username__regex=r"^squad\d+$").values_list("username", flat=True))
    members = list(User.objects.filter(role=User.Role.MEMBER).order_by("pk").values_list("username", flat=True))
    # Squad leaders and members alternate, so even a small run has both (members see the same list and
    # may change only their own items).
    squad_pool = [name for pair in zip(leaders, members, strict=False) for name in pair][:max_people]
    pools = {
        "squad": squad_pool,
        "inspector": list(User.objects.filter(role=User.Role.INSPECTOR).order_by("pk")
                          .values_list("username", flat=True))[:max_people],
        "leader": list(User.objects.filter(role=User.Role.LEADER).order_by("pk").values_list("username", flat=True)),
        "admin": list(User.objects.filter(Q(role=User.Role.ADMIN)).order_by("pk").values_list("username", flat=True)),
    }
    data = {pool: [{"username": u, "cookie": session_cookie(u, csrf)} for u in names] for pool, names in pools.items()}
    data["rectified"] = list(Finding.objects.filter(campaign=campaign, status=Finding.Status.RECTIFIED)
                             .values_list("pk", flat=True))
    data["squads"] = list(Unit.objects.filter(kind=Unit.Kind.SQUAD).values_list("pk", flat=True))
    data["bulletin"] = (Bulletin.objects.filter(campaign=campaign, is_current=True)
                        .order_by("-iso_year", "-iso_week").values_list("pk", flat=True).first())
    if data["bulletin"] is None:
        raise SystemExit("no bulletin yet: run bench/run.py (or write_bulletin) once on this database")
    path.write_text(json.dumps(data))
    return data


def step(people: int, args, host: str, env: dict, prefix: Path) -> dict:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    spawn = max(1.0, people / args.ramp)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(BENCH / "locustfile.py"), "--headless",
               "-u", str(people), "-r", f"{spawn:.2f}", "-t", f"{args.ramp + args.hold}s", "--reset-stats",
               "--host", host, "--csv", str(prefix), "--only-summary", "--stop-timeout", "20",
               "--loglevel", "WARNING"]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=args.ramp + args.hold + 120, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(f"{prefix}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    per_name = {r["Name"]: {"n": int(r["Request Count"]), "fail": int(r["Failure Count"]),
                            "p50": float(r["50%"] or 0), "p95": float(r["95%"] or 0)}
                for r in rows if r["Name"] != "Aggregated"}
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv") as fails:
            failures = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(fails)]
    return {"people": people, "requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
            "p50": float(total["50%"] or 0), "p95": float(total["95%"] or 0), "rps": float(total["Requests/s"] or 0),
            "load": load, "locust_cpu_pct": 100 * locust_cpu / wall, "per_name": per_name, "failures": failures[:6],
            "exit": done.returncode, "stderr": done.stderr[-2000:]}


def report(args, steps: list[dict], started: str, cache: str) -> str:
    fine = [s["people"] for s in steps if s["p95"] <= BUDGET_P95_MS and s["errors"] == 0]
    lines = [
        f"### Monday morning curve: {args.label} — {started}", "",
        f"- machine: {machine()}; locust {args.ramp} s ramp then {args.hold} s measured per step, on the same "
        f"machine; gunicorn {args.workers} sync workers; cache: {cache}",
        f"- note: {args.note}" if args.note else None, "",
        "| people | requests | req/s | p50 ms | p95 ms | errors | locust CPU | load before | budget |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in steps:
        ok = s["p95"] <= BUDGET_P95_MS and s["errors"] == 0
        lines.append(f"| {s['people']} | {s['requests']} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | "
                     f"{s['errors']} | {s['locust_cpu_pct']:.0f} % | {s['load']} | {'ok' if ok else '**missed**'} |")
    lines += ["", f"**Largest number of people with p95 ≤ {BUDGET_P95_MS:.0f} ms and no errors: "
                  f"{max(fine) if fine else 'none of the steps'}.**", ""]
    if steps:
        last = steps[-1]
        lines += [f"Per action at {last['people']} people (p50 / p95 ms, requests, errors):", ""]
        lines += [f"- {name}: {v['p50']:.0f} / {v['p95']:.0f}, {v['n']}, {v['fail']}"
                  for name, v in sorted(last["per_name"].items())]
        for s in steps:
            if s["failures"]:
                lines.append(f"- errors at {s['people']} people: " + "; ".join(s["failures"]))
    return "\n".join(line for line in lines if line is not None) + "\n"


def write_top(section: str) -> None:
    """Insert the section before the first ``## `` heading: the newest results come first."""
    results = BENCH / "RESULTS.md"
    text = results.read_text()
    at = text.find("\n## ")
    results.write_text(text[:at + 1] + section + "\n" + text[at + 1:] if at >= 0 else text + "\n" + section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="Monday morning")
    parser.add_argument("--note", default="")
    parser.add_argument("--people", default="100,250,500,750,1000,1250,1500")
    parser.add_argument("--ramp", type=int, default=30, help="Seconds to start a step's people.")
    parser.add_argument("--hold", type=int, default=90, help="Seconds measured once all are running.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--max-steps", type=int, default=10)
    parser.add_argument("--max-minutes", type=float, default=30)
    parser.add_argument("--no-cache", action="store_true", help="DummyCache in gunicorn (bench/settings.py).")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.no_cache:
        os.environ["BENCH_NO_CACHE"] = "1"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", "--noinput", verbosity=0)
    people = [int(n) for n in args.people.split(",")][: args.max_steps]
    session_file = Path(tempfile.gettempdir()) / f"bairi-monday-sessions-{os.getpid()}.json"
    sessions(max(people), session_file)
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    connections.close_all()
    env = {**os.environ, "BAIRI_SESSIONS": str(session_file)}
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    deadline = time.monotonic() + args.max_minutes * 60
    server = start_gunicorn(args.port, args.workers)
    steps, past = [], 0
    try:
        for n in people:
            if time.monotonic() + args.ramp + args.hold > deadline:
                print(f"stopping before {n} people: --max-minutes reached", flush=True)
                break
            prefix = Path(tempfile.gettempdir()) / f"bairi-monday-{os.getpid()}-{n}"
            result = step(n, args, f"http://127.0.0.1:{args.port}", env, prefix)
            steps.append(result)
            print(f"{n} people: {result['requests']} requests, {result['rps']:.1f} req/s, p50 {result['p50']:.0f} "
                  f"ms, p95 {result['p95']:.0f} ms, errors {result['errors']}, locust CPU "
                  f"{result['locust_cpu_pct']:.0f} %, load before {result['load']}", flush=True)
            if result["failures"]:
                print("  ", "; ".join(result["failures"]), flush=True)
            if result["p95"] > BUDGET_P95_MS or result["errors"]:
                past += 1
                if past >= 2:  # the knee and one step past it
                    break
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        session_file.unlink(missing_ok=True)
    section = report(args, steps, started, cache)
    print(section)
    if not args.no_write:
        write_top(section)


if __name__ == "__main__":
    main()
