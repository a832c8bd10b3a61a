"""A hand-built campaign week with known answers (tests/reports/test_indicators.py spells them out).

Rows are written straight to the database with exact timestamps: the bulletin
reads history, and only the ORM can place history at chosen moments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import Unit, User
from campaign.models import Campaign
from inspections.models import Finding
from tasks.models import Task
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
WEEK = (2026, 47)  # Monday 2026-11-16 to Sunday 2026-11-22


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


@dataclass
class Scene:
    campaign: Campaign
    a: Unit
    b: Unit
    leader_a: User
    leader_b: User
    members_a: list[User]
    members_b: list[User]
    inspector: User
    leader: User
    admin: User
    tasks: dict[str, Task] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)


_seq = iter(range(1, 10_000))


def task(scene: Scene, key: str, *, unit: Unit, responsible: User, deadline: datetime.date, parent: Task | None = None,
         level: str = Task.Level.PERSONAL, assigned: datetime.datetime, response: datetime.datetime | None = None,
         done: datetime.datetime | None = None, activity: datetime.datetime | None = None,
         status: str | None = None) -> Task:
    row = Task.objects.create(
        campaign=scene.campaign, parent=parent, level=level, seq=next(_seq), content=f"任务{key}", deadline=deadline,
        unit=unit, responsible=responsible, created_by=scene.admin, created_at=at(10, 20),
        status=status or (Task.Status.DONE if done else Task.Status.IN_PROGRESS), progress=100 if done else 40,
        done_at=done, assigned_at=assigned, first_response_at=response, last_activity_at=activity or done or assigned,
    )
    scene.tasks[key] = row
    return row


def finding(scene: Scene, key: str, *, unit: Unit, tier: int, reported: datetime.datetime,
            deadline: datetime.datetime, rectified: datetime.datetime | None = None,
            closed: datetime.datetime | None = None, reworks: int = 0, rebound_of: Finding | None = None,
            status: str | None = None) -> Finding:
    status = status or (Finding.Status.CLOSED if closed else
                        Finding.Status.RECTIFIED if rectified else Finding.Status.DISPATCHED)
    row = Finding.objects.create(
        campaign=scene.campaign, tier=tier, reporter=scene.inspector, category=f.category(),
        description=f"问题{key}", latitude=Decimal("30.270000"), longitude=Decimal("120.160000"),
        location_source=Finding.LocationSource.BROWSER, responsible_unit=unit, deadline=deadline, status=status,
        rework_count=reworks, is_rebound=rebound_of is not None, rebound_of=rebound_of, reported_at=reported,
        dispatched_at=reported, clock_start=reported, yellow_at=reported + (deadline - reported) * 0.8,
        first_rectified_at=rectified, rectified_at=rectified, closed_at=closed,
        closed_on_time=(rectified <= deadline) if closed else None,
    )
    scene.findings[key] = row
    return row


def build_week(**campaign_settings) -> Scene:
    """Two squads, A and B, with the tasks and findings of docs in test_indicators.py."""
    campaign = f.CampaignFactory(name="测试百日攻坚", start_date=d(10, 5), end_date=d(10, 5) + datetime.timedelta(99),
                                 evaluation_date=d(10, 5) + datetime.timedelta(100), **campaign_settings)
    a = f.UnitFactory(name="第一中队", code="sa", sort_order=1)
    b = f.UnitFactory(name="第二中队", code="sb", sort_order=2)
    scene = Scene(campaign=campaign, a=a, b=b, leader_a=f.squad_leader(a), leader_b=f.squad_leader(b),
                  members_a=[f.member(a), f.member(a)], members_b=[f.member(b)], inspector=f.inspector(),
                  leader=f.leader(), admin=f.admin())
    # Squad A: a unit task (bureau → squad leader: 6 h to respond) split into four personal items.
    ua = task(scene, "UA", unit=a, responsible=scene.leader_a, deadline=d(12, 20), level=Task.Level.UNIT,
              assigned=at(11, 2, 8), response=at(11, 2, 14), activity=at(11, 21))
    m1, m2 = scene.members_a
    task(scene, "a1", unit=a, responsible=m1, deadline=d(11, 18), parent=ua, assigned=at(11, 3, 8),
         response=at(11, 3, 10), done=at(11, 17, 10))                       # due, done on time
    task(scene, "a2", unit=a, responsible=m2, deadline=d(11, 19), parent=ua, assigned=at(11, 3, 8),
         response=at(11, 4, 8), done=at(11, 21, 16))                        # due, done late
    task(scene, "a3", unit=a, responsible=m1, deadline=d(11, 20), parent=ua, assigned=at(11, 10, 8),
         activity=at(11, 20))                                               # due, overdue, never answered
    task(scene, "a4", unit=a, responsible=m2, deadline=d(12, 10), parent=ua, assigned=at(11, 1, 0),
         response=at(11, 1, 4), activity=at(11, 1, 4))                      # not due, idle since 11-01
    # Squad B: a unit task (24 h to respond) with two personal items.
    ub = task(scene, "UB", unit=b, responsible=scene.leader_b, deadline=d(12, 20), level=Task.Level.UNIT,
              assigned=at(11, 2, 8), response=at(11, 3, 8), activity=at(11, 21))
    (mb,) = scene.members_b
    task(scene, "b1", unit=b, responsible=mb, deadline=d(11, 20), parent=ub, assigned=at(11, 5, 8),
         response=at(11, 5, 9), done=at(11, 19, 12))                        # due, done on time
    task(scene, "b2", unit=b, responsible=mb, deadline=d(11, 25), parent=ub, assigned=at(11, 6, 8),
         activity=at(11, 21))                                               # not due, waiting for a response
    # Findings of squad A.
    finding(scene, "f1", unit=a, tier=2, reported=at(11, 17), deadline=at(11, 18, 12), rectified=at(11, 18, 10),
            closed=at(11, 18, 15))
    finding(scene, "f2", unit=a, tier=3, reported=at(11, 17), deadline=at(11, 21, 12), rectified=at(11, 21, 10),
            closed=at(11, 21, 18), reworks=1)
    finding(scene, "f3", unit=a, tier=1, reported=at(11, 18), deadline=at(11, 20, 12))
    f4 = finding(scene, "f4", unit=a, tier=2, reported=at(11, 10), deadline=at(11, 12), rectified=at(11, 11),
                 closed=at(11, 11, 12))
    finding(scene, "f5", unit=a, tier=2, reported=at(11, 19), deadline=at(11, 26), rebound_of=f4)
    # Findings of squad B.
    finding(scene, "f6", unit=b, tier=2, reported=at(11, 16, 10), deadline=at(11, 17, 12), rectified=at(11, 18),
            closed=at(11, 18, 12))
    return scene
