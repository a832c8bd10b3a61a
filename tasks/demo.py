"""A believable responsibility list for the demo campaign, written through the real services.

Five bureau tasks tied to the bureau's standards (Ⅲ-48, Ⅲ-56, Ⅲ-57, Ⅲ-59,
Ⅲ-60, Ⅲ-77) split into unit tasks for the squads and personal items for
members; a few are done (with a photo), most are in progress, two are overdue
and one is blocked. History rows are moved back in time so the pages and the
bulletin see a campaign that has been running for weeks. Idempotent: when the
campaign already has tasks nothing happens.
"""

from __future__ import annotations

import datetime
import io
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign.models import Standard
from tasks import services
from tasks.models import Task, TaskUpdate

S = Task.Status


@dataclass(frozen=True)
class Plan:
    content: str
    criteria: str
    standards: tuple[str, ...]
    squads: tuple[int, ...]
    unit_content: str
    personal: tuple[str, ...]
    days: int  # deadline, days after the campaign start


PLANS = (
    Plan("主次干道、商业大街市容秩序集中整治，杜绝店外经营、占道经营和流动摊点",
         "主次干道无店外经营、无流动摊点，早晚高峰巡查全覆盖", ("Ⅲ-59-2", "Ⅲ-48-3"), (1, 2, 3),
         "辖区主次干道店外经营、流动摊点整治", ("{road}早晚高峰定点值守", "沿街商户门前三包告知书签订"), 55),
    Plan("背街小巷、城乡结合部环境卫生和私搭乱建整治", "背街小巷无乱堆乱放、无私搭乱建，整治后不反弹",
         ("Ⅲ-59-1", "Ⅲ-60-1"), (7, 8), "背街小巷、城乡结合部环境整治", ("违章搭建摸排建档", "背街小巷每日巡查"), 48),
    Plan("无障碍设施和街道设施侵占、损坏问题排查整改", "盲道、坡道无占用，主干道路灯、井盖等设施完好",
         ("Ⅲ-56-1", "Ⅲ-57-2"), (4, 5), "盲道占用和街道设施损坏排查", ("盲道占用排查登记",), 65),
    Plan("公共场所文明行为劝导，禁烟标识和不文明行为治理", "广场、公园、车站周边无乱扔杂物、随地吐痰，禁烟标识齐全",
         ("Ⅲ-48-1", "Ⅲ-48-2"), (3, 6), "广场公园文明劝导", ("周末文明劝导值守",), 75),
    Plan("生活垃圾分类宣传和定点投放督导", "社区垃圾定点投放、分类收集，开展环保主题宣传活动",
         ("Ⅲ-60-3", "Ⅲ-77-1"), (5, 6), "社区垃圾分类督导和环保宣传", ("垃圾分类宣传进社区",), 90),
)


def _photo(label: str) -> SimpleUploadedFile:
    picture = Image.new("RGB", (640, 480), (96, 125, 139))
    ImageDraw.Draw(picture).rectangle((40, 320, 600, 440), fill=(230, 230, 230))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


@contextmanager
def _at(when: datetime.datetime):
    """Move everything the services write inside the block back to ``when``: demo history only.

    The services stamp history rows and the task timestamps with the current
    time; a demo campaign that started weeks ago needs them spread over weeks.
    """
    mark = timezone.now()
    yield
    TaskUpdate.objects.filter(at__gte=mark).update(at=when)
    for name in ("created_at", "updated_at", "assigned_at", "first_response_at", "done_at", "last_activity_at"):
        Task.objects.filter(**{f"{name}__gte": mark}).update(**{name: when})


def _update(task: Task, by, when, status, progress=None, note="", files=None) -> None:
    task.refresh_from_db()
    with _at(when):
        services.task_update_status(task=task, by=by, status=status, progress=progress, note=note, files=files,
                                    expected_version=task.version)
    task.refresh_from_db()


@transaction.atomic
def seed(district) -> list[Task]:
    campaign = district.campaign
    if Task.objects.filter(campaign=campaign).exists():
        return list(Task.objects.filter(campaign=campaign))
    people = district.people
    admin, leaders = people["admin"], [people["leader"], people["leader2"]]
    codes = {s.code: s for s in Standard.objects.filter(framework=campaign.framework_id)}
    start = campaign.start_date
    now = timezone.now()
    today = timezone.localdate()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    created = []
    for index, plan in enumerate(PLANS):
        standards = [codes[c] for c in plan.standards if c in codes]
        with _at(ago(33 - index)):
            top = services.task_create(
                campaign=campaign, by=admin, content=plan.content, criteria=plan.criteria, unit=district.bureau,
                responsible=leaders[index % 2], supervisor=leaders[index % 2], standards=standards,
                deadline=min(start + datetime.timedelta(days=plan.days), campaign.end_date))
        created.append(top)
        for number in plan.squads:
            squad = district.squads[number - 1]
            chief = people[f"squad{number}"]
            with _at(ago(32 - index)):
                unit_task = services.task_create(
                    campaign=campaign, by=admin, parent=top, content=f"{squad.name}：{plan.unit_content}",
                    criteria=plan.criteria, unit=squad, responsible=chief, standards=standards,
                    deadline=top.deadline - datetime.timedelta(days=2))
            created.append(unit_task)
            road = squad.jurisdiction.split("：", 1)[-1].split("、")[0]
            members = [people[f"member{(number - 1) * 3 + k}"] for k in (1, 2, 3)]
            for k, text in enumerate(plan.personal):
                with _at(ago(30 - index - k)):
                    item = services.task_create(
                        campaign=campaign, by=chief, parent=unit_task, content=text.format(road=road),
                        unit=squad, responsible=members[k], standards=standards,
                        deadline=unit_task.deadline - datetime.timedelta(days=3 + k))
                created.append(item)
    _activity(created, people, today, ago)
    created += _weekly_rhythm(district, admin, leaders[0], now)
    return created


#: Each squad's habits in the weekly rhythm: (share done on time, share done late, hours to first response).
#: They differ on purpose, so the weekly bulletins rank the squads and the pressure gauge shows a
#: "blockage in the middle" at the slow ones.
HABITS = ((0.9, 0.1, 3), (0.75, 0.15, 8), (0.8, 0.1, 5), (0.6, 0.2, 20), (0.85, 0.1, 4), (0.5, 0.2, 40),
          (0.65, 0.15, 30), (0.7, 0.2, 12))
WEEKLY_TOPICS = ("店外经营、流动摊点专项整治", "背街小巷卫生死角清理", "占道广告牌和乱张贴清理",
                 "非机动车乱停放整治", "建筑工地围挡和渣土撒漏检查", "夜市露天烧烤和油烟整治")


def _weekly_rhythm(district, admin, leader, now: datetime.datetime) -> list[Task]:
    """The bureau's weekly special clean-up: each squad gets one item a week, due on Sunday.

    Past weeks are already settled according to each squad's habits (on time,
    late, or still open and overdue), so every bulletin since the start has
    something to count.
    """
    campaign = district.campaign
    first_monday = campaign.start_date - datetime.timedelta(days=campaign.start_date.weekday())
    this_monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    weeks = max(0, (this_monday - first_monday).days // 7)
    if not weeks:
        return []
    tz = timezone.get_current_timezone()

    def local(day: datetime.date, hour: int) -> datetime.datetime:
        return min(datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz), now)

    with _at(local(campaign.start_date, 9)):
        parent = services.task_create(
            campaign=campaign, by=admin, content="每周专项整治（周调度）", unit=district.bureau, responsible=leader,
            supervisor=leader, criteria="每周一个整治主题，周日前完成并上传整治前后照片", deadline=campaign.end_date)
    made = [parent]
    plan = []
    # Every item first, then the history: a parent whose items are all done closes itself (roll-up)
    # and takes no new items, so settling week 1 before creating week 2 would lock the list.
    for week in range(weeks):
        monday = max(first_monday + datetime.timedelta(weeks=week), campaign.start_date)
        sunday = first_monday + datetime.timedelta(weeks=week, days=6)
        topic = WEEKLY_TOPICS[week % len(WEEKLY_TOPICS)]
        for number, squad in enumerate(district.squads, start=1):
            chief = district.people[f"squad{number}"]
            with _at(local(monday, 9)):
                item = services.task_create(
                    campaign=campaign, by=admin, parent=parent, content=f"第{week + 1}周：{topic}", unit=squad,
                    responsible=chief, deadline=sunday, criteria="整治前后照片各一张，问题清零")
            made.append(item)
            plan.append((week, number, chief, item, monday, sunday))
    for week, number, chief, item, monday, sunday in plan:
        _settle(item, chief, week=week, number=number, last=week == weeks - 1,
                answered=local(monday, 9), early=local(sunday - datetime.timedelta(days=1), 17),
                late=local(sunday + datetime.timedelta(days=2), 17))
    return made


def _settle(item: Task, chief, *, week: int, number: int, last: bool, answered, early, late) -> None:
    """One squad's week as its habits go: done on time (``early``), ``late``, or still open; the last may be silent."""
    share_on_time, share_late, reply_hours = HABITS[(number - 1) % len(HABITS)]
    # A deterministic spread: squad habits decide the share of weeks that go each way.
    draw = ((week * 7 + number * 3) % 10) / 10
    if draw >= share_on_time + share_late and last:
        return  # last week, nobody has answered yet
    _update(item, chief, answered + datetime.timedelta(hours=reply_hours), S.IN_PROGRESS, 50, "已部署，正在整治")
    if draw < share_on_time:
        _update(item, chief, early, S.DONE, note="整治完成，问题清零")
    elif draw < share_on_time + share_late:
        _update(item, chief, late, S.DONE, note="延期完成，已补齐照片")


def _activity(tasks: list[Task], people, today, ago) -> None:
    """Progress on the personal items: done ones with a photo, overdue ones, one blocked, some silent."""
    personal = [t for t in tasks if t.level == Task.Level.PERSONAL]
    for n, item in enumerate(personal):
        person = item.responsible
        if n % 5 == 0:  # done, with a note and a photo
            _update(item, person, ago(25 - n % 7), S.IN_PROGRESS, 40, "已开始排查，建立台账")
            _update(item, person, ago(12 - n % 5), S.DONE, note="已完成整治，现场照片附后",
                    files=[_photo(f"done-{item.seq}")])
        elif n % 5 == 1:
            _update(item, person, ago(20), S.IN_PROGRESS, 30, "已完成第一轮巡查")
            _update(item, person, ago(6), S.IN_PROGRESS, 60, "整改过半，继续推进")
        elif n % 5 == 2:
            _update(item, person, ago(15), S.IN_PROGRESS, 20, "商户告知中")
        # n % 5 in (3, 4): nobody has answered yet — the pressure gauge's "no response".
    # One blocked item, waiting on another department.
    blocked = next(t for t in personal if t.content.startswith("违章搭建"))
    blocked.refresh_from_db()
    if blocked.status != S.DONE:
        _update(blocked, blocked.responsible, ago(4), S.BLOCKED,
                note="涉及规划部门认定，待区规划分局出具意见后拆除")
    # Two overdue items: their squad leader brought the deadline forward and they missed it.
    for item in [t for t in personal if t.status == S.IN_PROGRESS][:2]:
        chief = people[f"squad{item.unit.code.removeprefix('squad')}"]
        with _at(ago(10)):
            services.task_edit(task=item, by=chief, expected_version=item.version,
                               deadline=today - datetime.timedelta(days=2 + item.seq % 4),
                               note="上级督办，提前完成时限")
