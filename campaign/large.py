"""Districts at full scale for the benchmark: per district 30 squads, 600 people, 20,000 tasks, 50,000 findings.

``scale`` 1 is one district; 5 is five in one campaign (150 squads, 3,000 people, 100,000
tasks, 500,000 history rows, 250,000 findings). Rows are built in memory and written with
``bulk_create`` in batches, or COPY for the large tables whose keys nothing reads back, so one
district takes under a minute on PostgreSQL and five under six. Bulk inserts skip ``save()``
and the services, so this module keeps the invariants the services would keep, by construction:

* units get their materialised path from ``accounts.services.unit_save``
  (33 rows: the real rule, no copy of it);
* a task's level comes from ``Task.derive_level``; seq is 1…N in the campaign;
  a child's deadline never passes its parent's; a parent's status and progress
  are rolled up from its children as ``tasks.services._roll_up`` does;
* each task's history starts with its "create" row (version 1) and its
  versions run 1…n; ``done_at`` is set iff the task is done,
  ``first_response_at`` is the first status/note row by the responsible
  person, ``last_activity_at``/``updated_at`` the last row;
* a finding's deadline, ``clock_start`` and ``yellow_at`` (80 % of the
  current period) follow the closed loop: reported → rectified → closed, or
  returned for rework (counted, a new period and deadline) and rectified again;
  ``closed_at`` is set iff closed, ``closed_on_time`` compares the last
  rectification with the deadline in force;
* a finding is a rebound iff an earlier finding of the same category at the
  same site was closed within the campaign's window before it was reported
  (``inspections.services.find_rebound_source``), and then links to the most
  recent one.

Photos: one small generated JPEG is stored once; every finding has one
"before" photo row pointing at that file (the rows are real, the pixels shared).
Everyone's password is one hash computed once (hashing 600 passwords would take
minutes). Task evidence files are not generated.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import operator
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from accounts.models import Unit, User
from accounts.services import unit_save
from campaign import loader
from campaign.core import cache
from campaign.core.geo import distance_m
from campaign.demo import DEMO_PASSWORD, GIVEN, SURNAMES
from campaign.models import Campaign, EventCategory, Framework, PointType, Site, Standard
from inspections.models import Finding, FindingPhoto, Inspection, Rectification, Tier, Verification
from tasks.models import Task, TaskUpdate

LARGE_PASSWORD = DEMO_PASSWORD  # the demo's: one password to remember
CAMPAIGN_NAME = "大规模基准：百日攻坚行动（26周）"
BATCH = 2000
UPDATE_BATCH = 200
COPY_CHUNK = 50_000
# Five districts in one campaign is the largest deployment planned for; past it memory, not time, runs out.
MAX_SCALE = 5
WEEKS = 26
YELLOW_SHARE = 0.8
SOUTH, NORTH, WEST, EAST = 30.2000, 30.3600, 120.0800, 120.2800

S = Task.Status
K = TaskUpdate.Kind
F = Finding.Status


@dataclass(frozen=True)
class Plan:
    """How many of each thing a given ``scale`` builds (1.0 is one full district, 5 five of them in one campaign)."""

    squads: int
    people: int
    tasks: int
    updates: int
    findings: int
    sites_per_squad: int = 10
    inspectors: int = 10
    bureau_tasks: int = 40

    @classmethod
    def for_scale(cls, scale: float) -> Plan:
        squads = max(2, round(30 * scale))
        inspectors = max(2, round(10 * scale))
        # admin, two leaders, the inspectors, a leader and at least two members per squad.
        people = max(3 + inspectors + squads * 3, round(600 * scale))
        tasks = max(squads * 2 + 1, round(20_000 * scale))
        # Each bureau task is split to every squad: past one district, more squads share the same 40
        # bureau tasks, so each squad's list keeps one district's shape (40 unit tasks, ≈ 625 items).
        bureau_tasks = max(1, round(tasks * 0.002 / max(1.0, scale)))
        return cls(squads=squads, people=people, tasks=tasks, updates=max(tasks, round(100_000 * scale)),
                   findings=max(10, round(50_000 * scale)), sites_per_squad=10 if scale >= 0.1 else 3,
                   inspectors=inspectors, bureau_tasks=bureau_tasks)

    @property
    def members(self) -> int:
        return self.people - 3 - self.inspectors - self.squads


@dataclass
class Built:
    plan: Plan
    campaign: Campaign
    bureau: Unit
    squads: list[Unit]
    counts: dict[str, int] = field(default_factory=dict)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _grid(n: int) -> tuple[int, int]:
    cols = math.ceil(math.sqrt(n * 1.25))
    return cols, math.ceil(n / cols)


def _boundary(index: int, cols: int, rows: int) -> list[list[float]]:
    col, row = index % cols, index // cols
    dlat, dlon = (NORTH - SOUTH) / rows, (EAST - WEST) / cols
    s, w = SOUTH + row * dlat, WEST + col * dlon
    return [[round(s, 6), round(w, 6)], [round(s, 6), round(w + dlon, 6)],
            [round(s + dlat, 6), round(w + dlon, 6)], [round(s + dlat, 6), round(w, 6)]]


def build(*, scale: float = 1.0, seed: int = 7, now: datetime.datetime | None = None,
          log=lambda message: None) -> Built:
    """Build the large district in the current (empty) database. Returns what was built, with counts."""
    plan = Plan.for_scale(scale)
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        if not Framework.objects.exists():
            loader.load_all()
        built, people = _organisation(plan, rng, now)
        log(f"units and {sum(len(v) for v in people.values())} people")
        sites = _sites(built.squads, plan.sites_per_squad, rng)
        tasks = _tasks(built, people, rng, now)
        log(f"{len(tasks)} tasks, {built.counts['task_updates']} updates")
        _findings(built, people, sites, rng, now)
        log(f"{built.counts['findings']} findings")
        # Bulk inserts send no signals: the cached reference data must not outlive them.
        cache.flush(cache.campaigns_key(), cache.unit_paths_key())
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would gather soon after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log("analyzed")
    return built


def _insert(model, rows: list) -> None:
    """Write rows whose keys nothing reads back: COPY on PostgreSQL, ``bulk_create`` elsewhere.

    At five districts the history, rectifications, verifications and photos are 1.3 million rows;
    ``bulk_create`` spends most of its time building 2,000-row INSERT statements in Python, where
    COPY streams the same values (each field's own ``pre_save`` and database preparation, as
    ``bulk_create`` applies them). The keys come from the table's sequence as usual.
    """
    if connection.vendor != "postgresql" or not rows:
        model.objects.bulk_create(rows, batch_size=BATCH)
        return
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the ``connection`` proxy costs a lookup per use
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    # Plain columns are copied as they are; only fields that transform a value on save (files, automatic
    # dates, decimals, JSON…) go through their own pre_save and preparation.
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)

    def getter(f):
        if isinstance(f, plain) and not isinstance(f, models.FileField):
            return operator.attrgetter(f.attname)
        return lambda row: f.get_db_prep_save(f.pre_save(row, True), db)

    getters = [getter(f) for f in fields]
    quote = db.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with db.cursor() as cursor:
        raw = cursor.cursor  # the driver's own cursor: psycopg 2 or 3
        for start in range(0, len(rows), COPY_CHUNK):
            text = "".join("\t".join([_copy_value(get(row)) for get in getters]) + "\n"
                           for row in rows[start:start + COPY_CHUNK])
            if hasattr(raw, "copy"):
                with raw.copy(statement) as copy:
                    copy.write(text)
            else:
                raw.copy_expert(statement, io.StringIO(text))


def _copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- organisation -------------------------------------------------------------

def _organisation(plan: Plan, rng: random.Random, now: datetime.datetime):
    framework = Framework.objects.order_by("-edition").first()
    bureau = unit_save(unit=Unit(code="bureau", name="滨江区城市管理执法局", short_name="区城管执法局",
                                 kind=Unit.Kind.BUREAU))
    office = unit_save(unit=Unit(code="chuangjianban", name="创建工作办公室", short_name="创建办",
                                 kind=Unit.Kind.OFFICE, parent=bureau, sort_order=1))
    inspection = unit_save(unit=Unit(code="duchazhongdui", name="督察中队", kind=Unit.Kind.INSPECTION,
                                     parent=bureau, sort_order=2))
    cols, rows = _grid(plan.squads)
    squads = [
        unit_save(unit=Unit(code=f"squad{i + 1}", name=f"第{i + 1}中队", short_name=f"{i + 1}中队",
                            kind=Unit.Kind.SQUAD, parent=bureau, sort_order=10 + i,
                            jurisdiction=f"第{i + 1}片区", boundary=_boundary(i, cols, rows)))
        for i in range(plan.squads)
    ]
    today = timezone.localdate(now)
    start = today - datetime.timedelta(weeks=WEEKS)
    campaign = Campaign(name=CAMPAIGN_NAME, framework=framework, start_date=start,
                        end_date=today + datetime.timedelta(days=17),
                        evaluation_date=today + datetime.timedelta(days=18))
    campaign.full_clean()
    campaign.save()

    password = make_password(LARGE_PASSWORD)  # once: every person shares it
    users: list[User] = []

    def person(username, unit, role, **extra):
        users.append(User(username=username, unit=unit, role=role, full_name=_name(rng), password=password,
                          email=f"{username}@large.bairi.local", date_joined=now, **extra))
        return users[-1]

    people: dict[str, list[User]] = defaultdict(list)
    people["admin"].append(person("admin", office, User.Role.ADMIN, is_staff=True, title="创建办主任"))
    people["leaders"] += [person("leader", bureau, User.Role.LEADER, title="局长"),
                          person("leader2", bureau, User.Role.LEADER, title="副局长")]
    people["inspectors"] += [person(f"inspector{i + 1}", inspection, User.Role.INSPECTOR, title="督察员")
                             for i in range(plan.inspectors)]
    for i, squad in enumerate(squads):
        people[f"leader:{squad.pk}"].append(person(f"squad{i + 1}", squad, User.Role.SQUAD_LEADER, title="中队长"))
    for m in range(plan.members):
        squad = squads[m % len(squads)]
        first_of_squad = m < len(squads)
        people[f"members:{squad.pk}"].append(person(f"member{m + 1}", squad, User.Role.MEMBER, title="队员",
                                                    is_tier3_inspector=first_of_squad))
    User.objects.bulk_create(users, batch_size=BATCH)
    built = Built(plan=plan, campaign=campaign, bureau=bureau, squads=squads)
    built.counts.update(units=3 + len(squads), people=len(users))
    return built, people


def _sites(squads: list[Unit], per_squad: int, rng: random.Random) -> dict[int, list[Site]]:
    types = list(PointType.objects.filter(is_active=True).order_by("sort_order", "name"))
    rows = []
    for squad in squads:
        (s, w), _, (n, e), _ = squad.boundary
        for k in range(per_squad):
            point_type = types[(squad.sort_order + k) % len(types)]
            lat, lon = s + (n - s) * rng.uniform(0.1, 0.9), w + (e - w) * rng.uniform(0.1, 0.9)
            rows.append(Site(name=f"{squad.name}{point_type.name}{k + 1}号点", unit=squad, point_type=point_type,
                             address=f"{squad.jurisdiction}{rng.randint(1, 400)}号",
                             latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lon:.6f}")))
    Site.objects.bulk_create(rows, batch_size=BATCH)
    by_unit: dict[int, list[Site]] = defaultdict(list)
    for site in rows:
        by_unit[site.unit_id].append(site)
    return by_unit


# --- tasks ----------------------------------------------------------------------

def _between(rng: random.Random, a: datetime.datetime, b: datetime.datetime) -> datetime.datetime:
    if b <= a:
        return a
    return a + (b - a) * rng.random()


def _tasks(built: Built, people, rng: random.Random, now: datetime.datetime) -> list[Task]:
    plan, campaign, squads = built.plan, built.campaign, built.squads
    admin = people["admin"][0]
    start_dt = datetime.datetime.combine(campaign.start_date, datetime.time(9), tzinfo=now.tzinfo)
    n_bureau = plan.bureau_tasks
    n_unit = min(n_bureau * len(squads), plan.tasks - n_bureau)
    n_personal = plan.tasks - n_bureau - n_unit
    seq = iter(range(1, plan.tasks + 1))
    standards = list(Standard.objects.filter(framework=campaign.framework_id, bureau_scope=True)
                     .values_list("pk", flat=True)) or [None]

    def task(parent, unit, responsible, content, deadline, created_at):
        row = Task(campaign=campaign, parent=parent, unit=unit, responsible=responsible, created_by=admin,
                   seq=next(seq), content=content, criteria="按测评标准完成整治，现场无反弹", deadline=deadline,
                   created_at=created_at, assigned_at=created_at, updated_at=created_at,
                   last_activity_at=created_at, supervisor=people["leaders"][0] if parent is None else None)
        row.level = row.derive_level()
        return row

    bureau_tasks = []
    for b in range(n_bureau):
        deadline = campaign.start_date + datetime.timedelta(days=rng.randint(40, (campaign.end_date
                                                                                  - campaign.start_date).days))
        created = start_dt + datetime.timedelta(days=rng.uniform(0, 10))
        bureau_tasks.append(task(None, built.bureau, people["leaders"][b % 2], f"局级责任事项{b + 1}：重点区域市容整治",
                                 deadline, created))
    Task.objects.bulk_create(bureau_tasks, batch_size=BATCH)
    unit_tasks = []
    for u in range(n_unit):
        parent, squad = bureau_tasks[u % n_bureau], squads[u // n_bureau % len(squads)]
        deadline = max(campaign.start_date, parent.deadline - datetime.timedelta(days=rng.randint(0, 5)))
        created = parent.created_at + datetime.timedelta(days=rng.uniform(0, 3))
        unit_tasks.append(task(parent, squad, people[f"leader:{squad.pk}"][0], f"{squad.name}：{parent.content[:20]}",
                               deadline, created))
    Task.objects.bulk_create(unit_tasks, batch_size=BATCH)
    personal = []
    for p in range(n_personal):
        parent = unit_tasks[p % n_unit]
        members = people[f"members:{parent.unit_id}"]
        deadline = max(campaign.start_date, parent.deadline - datetime.timedelta(days=rng.randint(0, 6)))
        created = parent.created_at + datetime.timedelta(days=rng.uniform(0, 5))
        personal.append(task(parent, parent.unit, members[p % len(members)], f"个人事项{p + 1}：责任路段巡查整改",
                             deadline, created))
    # Histories first (they decide status and timestamps), then insert.
    updates: list[TaskUpdate] = []
    per_task = _update_counts(plan, rng)
    for index, row in enumerate(personal):
        updates += _leaf_history(row, per_task[n_bureau + n_unit + index], rng, now)
    Task.objects.bulk_create(personal, batch_size=BATCH)
    children: dict[int, list[Task]] = defaultdict(list)
    for row in personal:
        children[row.parent_id].append(row)
    for index, row in enumerate(unit_tasks):
        updates += _parent_history(row, children[row.pk], per_task[n_bureau + index], rng, now)
        children[row.parent_id].append(row)
    for index, row in enumerate(bureau_tasks):
        updates += _parent_history(row, children[row.pk], per_task[index], rng, now)
    # bulk_update writes one CASE per column with a WHEN per row: PostgreSQL walks it for every row it
    # updates, so the cost grows with the batch squared; small batches keep it linear.
    Task.objects.bulk_update(bureau_tasks + unit_tasks, [
        "status", "progress", "version", "updated_at", "first_response_at", "done_at", "last_activity_at"],
        batch_size=UPDATE_BATCH)
    for u in updates:
        u.task_id = u.task.pk
    _insert(TaskUpdate, updates)
    tasks = bureau_tasks + unit_tasks + personal
    through = Task.standards.through
    if standards[0] is not None:
        links = [through(task_id=t.pk, standard_id=standards[i % len(standards)])
                 for i, t in enumerate(bureau_tasks + unit_tasks)]
        through.objects.bulk_create(links, batch_size=BATCH)
    built.counts.update(tasks=len(tasks), task_updates=len(updates))
    return tasks


def _update_counts(plan: Plan, rng: random.Random) -> list[int]:
    """How many history rows each task gets: exactly ``plan.updates`` in all, at least one (the creation) each."""
    base, extra = divmod(plan.updates, plan.tasks)
    counts = [base + (1 if i < extra else 0) for i in range(plan.tasks)]
    for _ in range(plan.tasks // 2):  # some busier, some quieter, same total
        a, b = rng.randrange(plan.tasks), rng.randrange(plan.tasks)
        if counts[a] > 1:
            counts[a] -= 1
            counts[b] += 1
    return counts


def _history_times(rng, task: Task, n: int, now: datetime.datetime) -> list[datetime.datetime]:
    end = min(now - datetime.timedelta(minutes=5),
              datetime.datetime.combine(task.deadline, datetime.time(18), tzinfo=now.tzinfo)
              + datetime.timedelta(days=7))
    end = max(end, task.created_at)
    return sorted(_between(rng, task.created_at, end) for _ in range(n))


def _create_row(task: Task) -> TaskUpdate:
    return TaskUpdate(task=task, kind=K.CREATE, by=task.created_by, at=task.created_at,
                      status_after=S.NOT_STARTED, progress_after=0, version=1, note="")


def _apply(task: Task, row: TaskUpdate) -> TaskUpdate:
    """Move ``task`` to the state after ``row``, the way ``tasks.services._record`` does."""
    task.version += 1
    row.version = task.version
    task.updated_at = task.last_activity_at = row.at
    if task.first_response_at is None and row.by_id == task.responsible_id and row.kind in (K.STATUS, K.NOTE):
        task.first_response_at = row.at
    if row.status_after:
        task.status = row.status_after
        task.progress = row.progress_after
        task.done_at = row.at if task.status == S.DONE else None
    return row


def _leaf_history(task: Task, n: int, rng: random.Random, now: datetime.datetime) -> list[TaskUpdate]:
    task.status, task.progress, task.version, task.done_at, task.first_response_at = S.NOT_STARTED, 0, 1, None, None
    rows = [_create_row(task)]
    moves = n - 1
    if moves == 0:
        return rows
    past_deadline = task.deadline < timezone.localdate(now)
    roll = rng.random()
    if roll < 0.08:
        final = None  # nobody answered: only the creator's notes (the pressure gauge's "no response")
    elif past_deadline:
        final = S.DONE if roll < 0.8 else (S.BLOCKED if roll < 0.85 else S.IN_PROGRESS)
    else:
        final = S.DONE if roll < 0.3 else (S.BLOCKED if roll < 0.35 else S.IN_PROGRESS)
    for k, at in enumerate(_history_times(rng, task, moves, now), start=1):
        if final is None:
            rows.append(_apply(task, TaskUpdate(task=task, kind=K.NOTE, by=task.created_by, at=at,
                                                note="请尽快反馈进展")))
            continue
        last = k == moves
        status = final if last else S.IN_PROGRESS
        progress = 100 if status == S.DONE else min(95, max(task.progress, round(90 * k / moves)))
        rows.append(_apply(task, TaskUpdate(
            task=task, kind=K.STATUS, by=task.responsible, at=at, status_before=task.status, status_after=status,
            progress_before=task.progress, progress_after=progress,
            note="已完成整治，现场照片附后" if status == S.DONE else ("待相关部门配合" if status == S.BLOCKED
                                                          else "按计划推进中"))))
    return rows


def _parent_history(task: Task, children: list[Task], n: int, rng: random.Random,
                    now: datetime.datetime) -> list[TaskUpdate]:
    """The responsible person acknowledges, then roll-ups bring the parent to its children's state."""
    task.status, task.progress, task.version, task.done_at, task.first_response_at = S.NOT_STARTED, 0, 1, None, None
    rows = [_create_row(task)]
    if n == 1:
        task.status, task.progress = S.NOT_STARTED, 0  # never touched: children may be ahead (no roll-up row yet)
        return rows
    target = round(sum(c.progress for c in children) / len(children)) if children else 0
    all_done = bool(children) and all(c.status == S.DONE for c in children)
    last_child = max((c.last_activity_at for c in children), default=task.created_at)
    times = sorted(_between(rng, task.created_at, max(task.created_at, last_child)) for _ in range(n - 1))
    rows.append(_apply(task, TaskUpdate(task=task, kind=K.NOTE, by=task.responsible, at=times[0],
                                        note="已分解落实到人")))
    for k, at in enumerate(times[1:], start=1):
        last = k == len(times) - 1
        status = S.DONE if (last and all_done) else S.IN_PROGRESS
        progress = 100 if status == S.DONE else (target if last else max(task.progress, target * k // len(times)))
        if status == task.status and progress == task.progress:
            rows.append(_apply(task, TaskUpdate(task=task, kind=K.NOTE, by=task.responsible, at=at, note="跟踪督办")))
            continue
        rows.append(_apply(task, TaskUpdate(
            task=task, kind=K.ROLLUP, by=children[0].responsible if children else task.responsible, at=at,
            status_before=task.status, status_after=status, progress_before=task.progress, progress_after=progress)))
    return rows


# --- findings ---------------------------------------------------------------------

def _photo_file() -> tuple[str, bytes]:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (160, 120), (96, 125, 139))
    ImageDraw.Draw(picture).rectangle((10, 80, 150, 110), fill=(230, 230, 230))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=70)
    data = out.getvalue()
    name = default_storage.save("private/inspections/large/shared-before.jpg", ContentFile(data))
    return name, data


def _findings(built: Built, people, sites: dict[int, list[Site]], rng: random.Random,
              now: datetime.datetime) -> None:
    plan, campaign, squads = built.plan, built.campaign, built.squads
    categories = list(EventCategory.objects.filter(parent__isnull=False, is_active=True).order_by("pk"))
    start_dt = datetime.datetime.combine(campaign.start_date, datetime.time(8), tzinfo=now.tzinfo)
    window = datetime.timedelta(days=campaign.rebound_window_days)
    span = (now - datetime.timedelta(hours=1)) - start_dt
    moments = sorted(start_dt + span * rng.random() for _ in range(plan.findings))
    tier3 = {s.pk: people[f"members:{s.pk}"][0] for s in squads}
    index = _ClosedIndex(campaign, window)
    findings, loops, rebound_links = [], [], []
    for reported in moments:
        tier = rng.choices([1, 2, 3], weights=[1, 6, 3])[0]
        squad = rng.choice(squads)
        reporter = (rng.choice(people["leaders"]) if tier == 1 else rng.choice(people["inspectors"]) if tier == 2
                    else tier3[squad.pk])
        finding = Finding(
            campaign=campaign, tier=tier, reporter=reporter, severity="general", responsible_unit=squad,
            reported_at=reported, dispatched_at=reported, clock_start=reported,
        )
        if rng.random() < 0.4:  # at a known site (its point type), a little off its marker
            site = rng.choice(sites[squad.pk])
            finding.site, finding.point_type_id, finding.address = site, site.point_type_id, site.address
            finding.location_source = Finding.LocationSource.SITE
            lat = float(site.latitude) + rng.uniform(-0.0002, 0.0002)
            lon = float(site.longitude) + rng.uniform(-0.0002, 0.0002)
        else:  # somewhere on the squad's streets, located by the phone
            (s, w), _, (n, e), _ = squad.boundary
            lat, lon = rng.uniform(s, n), rng.uniform(w, e)
            finding.location_source = Finding.LocationSource.BROWSER
        finding.latitude, finding.longitude = Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")
        repeat = index.recent_category(finding) if rng.random() < 0.15 else None
        category = repeat or rng.choice(categories)
        finding.category = category
        finding.description = f"{finding.site.name if finding.site else squad.jurisdiction}发现{category.name}问题"
        finding.deadline = reported + datetime.timedelta(hours=category.time_limit_hours)
        finding.yellow_at = reported + (finding.deadline - reported) * YELLOW_SHARE
        source = index.source_for(finding)
        if source is not None:
            rebound_links.append((finding, source))
        loops.append(_loop(finding, rng, now, people, squad))
        findings.append(finding)
        index.add(finding)
    inspections = _inspections(campaign, findings, squads)
    Inspection.objects.bulk_create(inspections.values(), batch_size=BATCH)
    for finding in findings:
        finding.inspection = inspections[_inspection_key(finding)]
    Finding.objects.bulk_create(findings, batch_size=BATCH)
    for finding, source in rebound_links:
        finding.is_rebound, finding.rebound_of = True, source
    Finding.objects.bulk_update([f for f, _s in rebound_links], ["is_rebound", "rebound_of"],
                                batch_size=UPDATE_BATCH)
    rectifications, verifications = [], []
    for finding, (rects, verifs) in zip(findings, loops, strict=True):
        for r in rects:
            r.finding = finding
        for v in verifs:
            v.finding = finding
        rectifications += rects
        verifications += verifs
    _insert(Rectification, rectifications)
    _insert(Verification, verifications)
    name, data = _photo_file()
    digest = hashlib.sha256(data).hexdigest()
    _insert(FindingPhoto, [
        FindingPhoto(finding=f, phase=FindingPhoto.Phase.BEFORE, file=name, original_name="现场.jpg",
                     content_type="image/jpeg", size=len(data), sha256=digest, is_image=True, width=160, height=120,
                     uploaded_by=f.reporter, uploaded_at=f.reported_at)
        for f in findings])
    built.counts.update(findings=len(findings), rebounds=len(rebound_links), inspections=len(inspections),
                        rectifications=len(rectifications), verifications=len(verifications))


class _ClosedIndex:
    """Closed findings by site and by ~110 m grid cell, to apply the rebound rule without a query per finding.

    Same rule as ``inspections.services.find_rebound_source``: same category,
    closed within the window before the new report, at the same site or within
    the campaign's radius; the most recently closed wins.
    """

    CELL = 0.001  # degrees; larger than the radius in latitude, so the 3 × 3 neighbourhood covers it

    def __init__(self, campaign: Campaign, window: datetime.timedelta):
        self.radius, self.window = campaign.rebound_radius_m, window
        self.by_site: dict[int, list[Finding]] = defaultdict(list)
        self.by_cell: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        # The rule only ever matches the same category: keyed by it too, a lookup reads a handful of rows
        # where the whole site's or cell's history would grow with the number of findings.
        self.by_site_category: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        self.by_cell_category: dict[tuple[int, int, int], list[Finding]] = defaultdict(list)

    def _cell(self, finding: Finding) -> tuple[int, int]:
        return int(float(finding.latitude) // self.CELL), int(float(finding.longitude) // self.CELL)

    def add(self, finding: Finding) -> None:
        if finding.closed_at is None:
            return
        cell = self._cell(finding)
        if finding.site is not None:
            self.by_site[finding.site.pk].append(finding)
            self.by_site_category[finding.site.pk, finding.category_id].append(finding)
        self.by_cell[cell].append(finding)
        self.by_cell_category[(*cell, finding.category_id)].append(finding)

    def _recent(self, rows: list[Finding], at: datetime.datetime):
        return (f for f in rows if at - self.window <= f.closed_at <= at)

    def recent_category(self, finding: Finding):
        """A category closed recently at this site or cell: lets some findings repeat (so rebounds happen)."""
        rows = self.by_site.get(finding.site.pk, []) if finding.site else self.by_cell.get(self._cell(finding), [])
        recent = list(self._recent(rows, finding.reported_at))
        return recent[-1].category if recent else None

    def source_for(self, finding: Finding) -> Finding | None:
        at, lat, lon, category = (finding.reported_at, float(finding.latitude), float(finding.longitude),
                                  finding.category.pk)
        candidates = []
        if finding.site is not None:
            candidates += self._recent(self.by_site_category.get((finding.site.pk, category), []), at)
        cy, cx = self._cell(finding)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                candidates += (f for f in self._recent(self.by_cell_category.get((cy + dy, cx + dx, category), []), at)
                               if distance_m(lat, lon, float(f.latitude), float(f.longitude)) <= self.radius)
        return max(candidates, key=lambda f: f.closed_at, default=None)


def _loop(finding: Finding, rng: random.Random, now: datetime.datetime, people, squad: Unit):
    """Walk one finding through the closed loop up to ``now``; returns its rectification and verification rows."""
    rects, verifs = [], []
    unit_person = people[f"leader:{squad.pk}"][0]
    verifier = finding.reporter
    period = finding.deadline - finding.clock_start
    while True:
        rectified = finding.clock_start + period * rng.uniform(0.15, 1.25)
        if rectified > now:
            return rects, verifs  # still dispatched / returned: open
        rects.append(Rectification(by=unit_person, note="已整改到位", at=rectified))
        finding.status, finding.rectified_at = F.RECTIFIED, rectified
        finding.first_rectified_at = finding.first_rectified_at or rectified
        verified = rectified + datetime.timedelta(hours=rng.uniform(2, 48))
        if verified > now:
            return rects, verifs  # awaiting verification
        if rng.random() < 0.12 and finding.rework_count < 3:
            new_deadline = verified + period
            verifs.append(Verification(by=verifier, result=Verification.Result.RETURNED, note="整改不彻底，返工",
                                       new_deadline=new_deadline, at=verified))
            finding.status, finding.rework_count = F.RETURNED, finding.rework_count + 1
            finding.deadline, finding.clock_start = new_deadline, verified
            finding.yellow_at = verified + (new_deadline - verified) * YELLOW_SHARE
            continue
        verifs.append(Verification(by=verifier, result=Verification.Result.CLOSED, note="复查合格，销号", at=verified))
        finding.status, finding.closed_at = F.CLOSED, verified
        finding.closed_on_time = finding.rectified_at <= finding.deadline
        return rects, verifs


def _inspection_key(finding: Finding):
    return finding.tier, finding.reporter.username, timezone.localdate(finding.reported_at)


def _inspections(campaign: Campaign, findings: list[Finding], squads: list[Unit]) -> dict:
    """One finished inspection per inspector and day: the findings of that outing belong to it."""
    inspections: dict = {}
    tz = timezone.get_current_timezone()
    for finding in findings:
        key = _inspection_key(finding)
        if key not in inspections:
            tier, _user, day = key
            inspections[key] = Inspection(
                campaign=campaign, tier=tier, topic=f"{day:%m月%d日}{Tier(tier).label[:6]}", date=day,
                created_by=finding.reporter, squad=finding.responsible_unit if tier == Tier.INTERNAL else None,
                status=Inspection.Status.FINISHED,
                finished_at=min(timezone.now(), datetime.datetime.combine(day, datetime.time(23, 0), tzinfo=tz)),
                summary="本次督查发现的问题已全部交办")
    return inspections
