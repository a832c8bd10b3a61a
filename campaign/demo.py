"""A believable demo district: the bureau, eight squads with their streets, people, sites and one campaign.

Everything is matched on natural keys (unit code, username, site name), so
running it again changes nothing. Other apps add their demo activity in their
own ``demo.py``: a ``seed(district)`` function each registers in its ``ready()``
(``campaign.core.seeding``), run after this one in their declared order.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from accounts.services import unit_save
from campaign import loader
from campaign.core import seeding
from campaign.models import Campaign, Framework, PointType, Site

DEMO_PASSWORD = "campaign100"

# The district's bounding box (WGS-84): eight squads in a 4 × 2 grid of jurisdictions.
SOUTH, NORTH, WEST, EAST = 30.2500, 30.3100, 120.1400, 120.2200

SQUADS = [
    ("第一中队", "解放路街道", "解放路、中山中路、惠民路、吴山广场周边"),
    ("第二中队", "清波街道", "南山路、河坊街、清河坊历史街区、劳动路"),
    ("第三中队", "湖滨街道", "延安路、平海路、湖滨路、东坡路步行街"),
    ("第四中队", "小营街道", "建国中路、菜市桥路、小营巷、马市街"),
    ("第五中队", "望江街道", "望江路、秋涛路、近江农贸市场、江城路"),
    ("第六中队", "紫阳街道", "紫阳山路、城头巷、鼓楼周边、中河中路"),
    ("第七中队", "南星街道", "复兴路、海月桥、南星桥、之江路沿线（城乡结合部）"),
    ("第八中队", "凯旋街道", "凯旋路、景芳路、机场路、笕桥背街小巷"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华",
         "平", "刚", "建国", "志强", "海燕", "晓东", "立新", "红梅", "卫东", "国庆", "振华", "文博"]

SITE_PLAN = [
    ("主次干道、商业大街", "{road}沿线"),
    ("背街小巷", "{street}背街小巷"),
    ("农贸市场(专业市场)", "{short}农贸市场"),
    ("公共广场、公园", "{short}文化广场"),
    ("餐馆、餐饮店", "{road}餐饮一条街"),
    ("城乡结合部", "{short}城乡结合部"),
    ("学校周边环境(中学、小学、幼儿园)", "{short}小学周边"),
    ("公共卫生间", "{road}公厕"),
    ("建筑工地", "{short}安置房工地"),
    ("社区", "{short}社区"),
]


@dataclass
class District:
    bureau: Unit
    squads: list[Unit]
    inspection: Unit
    office: Unit
    campaign: Campaign
    people: dict[str, User] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)


def cell_boundary(index: int) -> list[list[float]]:
    """Squad ``index`` (0–7) gets one cell of a 4 × 2 grid over the district."""
    col, row = index % 4, index // 4
    dlat, dlon = (NORTH - SOUTH) / 2, (EAST - WEST) / 4
    s, w = SOUTH + row * dlat, WEST + col * dlon
    n, e = s + dlat, w + dlon
    return [[round(s, 6), round(w, 6)], [round(s, 6), round(e, 6)], [round(n, 6), round(e, 6)],
            [round(n, 6), round(w, 6)]]


def _unit(code: str, **fields) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = unit_save(unit=Unit(code=code, **fields))
    return unit


MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "187", "188")


def demo_mobile(username: str) -> str:
    """A plausible 11-digit mobile number, the same for a username on every run. It comes from the name, not
    from the district's random stream, so the people's names stay what they were before numbers existed."""
    digest = int(hashlib.sha256(username.encode()).hexdigest(), 16)
    return MOBILE_PREFIXES[digest % len(MOBILE_PREFIXES)] + f"{digest // 97 % 10**8:08d}"


def _person(username: str, unit: Unit, role: str, full_name: str, **extra) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, unit=unit, role=role, full_name=full_name, phone=demo_mobile(username),
                    email=f"{username}@demo.bairi.local", **extra)
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
    elif not user.phone:  # a demo database from before people had numbers
        User.objects.filter(pk=user.pk).update(phone=demo_mobile(username))
        user.phone = demo_mobile(username)
    return user


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@transaction.atomic
def seed_district(today: datetime.date | None = None, *, activity: bool = True) -> District:
    today = today or timezone.localdate()
    rng = random.Random(100)
    if not Framework.objects.exists():
        loader.load_all()
    framework = Framework.objects.order_by("-edition").first()

    bureau = _unit("bureau", name="滨江区城市管理执法局", short_name="区城管执法局", kind=Unit.Kind.BUREAU)
    office = _unit("chuangjianban", name="创建工作办公室", short_name="创建办", kind=Unit.Kind.OFFICE,
                   parent=bureau, sort_order=1)
    inspection = _unit("duchazhongdui", name="督察中队", kind=Unit.Kind.INSPECTION, parent=bureau, sort_order=2)
    squads = []
    for i, (name, street, roads) in enumerate(SQUADS):
        squads.append(_unit(
            f"squad{i + 1}", name=name, short_name=f"{street[:-2]}中队", kind=Unit.Kind.SQUAD, parent=bureau,
            sort_order=10 + i, jurisdiction=f"{street}：{roads}", boundary=cell_boundary(i),
        ))

    start = today - datetime.timedelta(days=35)
    campaign = Campaign.objects.filter(name="2026年创建全国文明城区百日攻坚行动").first()
    if campaign is None:
        campaign = Campaign(name="2026年创建全国文明城区百日攻坚行动", framework=framework, start_date=start,
                            end_date=start + datetime.timedelta(days=99),
                            evaluation_date=start + datetime.timedelta(days=100))
        campaign.full_clean()
        campaign.save()

    district = District(bureau=bureau, squads=squads, inspection=inspection, office=office, campaign=campaign)
    people = district.people
    people["admin"] = _person("admin", office, User.Role.ADMIN, "周创建", is_staff=True, title="创建办主任")
    people["leader"] = _person("leader", bureau, User.Role.LEADER, "陈局长", title="局长")
    people["leader2"] = _person("leader2", bureau, User.Role.LEADER, "林副局长", title="副局长")
    people["inspector1"] = _person("inspector1", inspection, User.Role.INSPECTOR, "郑督察", title="督察中队长")
    people["inspector2"] = _person("inspector2", inspection, User.Role.INSPECTOR, "孙督察", title="督察员")
    member_no = 0
    for i, squad in enumerate(squads, start=1):
        people[f"squad{i}"] = _person(f"squad{i}", squad, User.Role.SQUAD_LEADER, _name(rng), title="中队长")
        for j in range(3):
            member_no += 1
            people[f"member{member_no}"] = _person(
                f"member{member_no}", squad, User.Role.MEMBER, _name(rng), title="队员",
                is_tier3_inspector=(j == 0),
            )
    name_supervisors(bureau, head=people["leader"], deputy=people["leader2"])
    district.sites = _seed_sites(squads, rng)

    for _app_label, seed in seeding.demo_steps() if activity else ():
        seed(district)
    return district


def name_supervisors(bureau: Unit, *, head: User, deputy: User) -> None:
    """局长 heads the bureau; the 副局长 is 分管领导 of the squads: long-overdue findings climb to them in turn."""
    Unit.objects.filter(pk=bureau.pk, supervisor__isnull=True).update(supervisor=head)
    Unit.objects.filter(kind=Unit.Kind.SQUAD, supervisor__isnull=True).update(supervisor=deputy)


def _seed_sites(squads: list[Unit], rng: random.Random) -> list[Site]:
    types = {pt.name: pt for pt in PointType.objects.all()}
    sites = []
    for index, squad in enumerate(squads):
        (s, w), _, (n, e), _ = squad.boundary
        street, roads = squad.jurisdiction.split("：", 1)
        road = roads.split("、")[0]
        short = street[:-2]
        plan = [SITE_PLAN[(index + k) % len(SITE_PLAN)] for k in range(4)]
        for point_type_name, pattern in plan:
            name = pattern.format(road=road, street=street, short=short)
            site = Site.objects.filter(unit=squad, name=name).first()
            if site is None:
                lat = s + (n - s) * rng.uniform(0.15, 0.85)
                lon = w + (e - w) * rng.uniform(0.15, 0.85)
                site = Site(name=name, unit=squad, point_type=types[point_type_name],
                            address=f"{street}{road}{rng.randint(1, 300)}号附近",
                            latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lon:.6f}"),
                            marked_line_zone=point_type_name == "餐馆、餐饮店")
                site.full_clean()
                site.save()
            sites.append(site)
    return sites
