"""The benchmark district's units, people and sites."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Unit, User
from accounts.services import unit_save
from campaign.core import bulk
from campaign.demo import demo_mobile, name_supervisors
from campaign.large.base import CAMPAIGN_NAME, LARGE_PASSWORD, WEEKS, Built, Plan, _boundary, _grid, _name
from campaign.models import Campaign, Framework, PointType, Site


def _organisation(plan: Plan, rng: random.Random, now: datetime.datetime) -> Built:
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
                          email=f"{username}@large.bairi.local", phone=demo_mobile(username), date_joined=now,
                          **extra))
        return users[-1]

    built = Built(plan=plan, campaign=campaign, bureau=bureau, squads=squads, rng=rng, now=now)
    people = built.people
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
    User.objects.bulk_create(users, batch_size=bulk.BATCH)
    name_supervisors(bureau, head=people["leaders"][0], deputy=people["leaders"][1])
    built.counts.update(units=3 + len(squads), people=len(users))
    return built


def _sites(built: Built) -> None:
    squads, per_squad, rng = built.squads, built.plan.sites_per_squad, built.rng
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
    Site.objects.bulk_create(rows, batch_size=bulk.BATCH)
    for site in rows:
        built.sites.setdefault(site.unit_id, []).append(site)
