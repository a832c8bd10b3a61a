"""The benchmark district's plan and its counts, and what every part of it shares."""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from accounts.models import Unit, User
from campaign.demo import DEMO_PASSWORD, GIVEN, SURNAMES
from campaign.models import Campaign, Site

LARGE_PASSWORD = DEMO_PASSWORD  # the demo's: one password to remember
CAMPAIGN_NAME = "大规模基准：百日攻坚行动（26周）"
# Five districts in one campaign is the largest deployment planned for; past it memory, not time, runs out.
MAX_SCALE = 5
WEEKS = 26
SOUTH, NORTH, WEST, EAST = 30.2000, 30.3600, 120.0800, 120.2800


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
    """The district as the campaign built it, handed to every app's step (``campaign.core.seeding``).

    ``people`` are keyed ``admin``, ``leaders``, ``inspectors``, ``leader:<squad pk>`` and
    ``members:<squad pk>``; ``sites`` by squad pk. ``rng`` is the running step's own random
    stream (from the seed and the app's label). Each step adds its own rows' ``counts``.
    """

    plan: Plan
    campaign: Campaign
    bureau: Unit
    squads: list[Unit]
    rng: random.Random
    now: datetime.datetime
    people: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    sites: dict[int, list[Site]] = field(default_factory=dict)
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
