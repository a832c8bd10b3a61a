"""The benchmark district's plan, its counts, and the bulk writes every part uses."""

from __future__ import annotations

import datetime
import io
import math
import operator
import random
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from accounts.models import Unit
from campaign.demo import DEMO_PASSWORD, GIVEN, SURNAMES
from campaign.models import Campaign
from inspections.models import Finding
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
