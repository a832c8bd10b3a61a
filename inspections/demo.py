"""Demo activity: five weeks of three-tier inspections and findings through the whole closed loop.

The demo replays the weeks through the real services with the clock set back
(``_clock``), so every timestamp, deadline, traffic light, rework count and
rebound link is exactly what the services would have produced on those days.
Running it again changes nothing: each inspection is matched by campaign and
topic, and its findings are only logged when the inspection is new.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import random
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign.models import EventCategory
from inspections import services
from inspections.models import Finding, Inspection, Tier

BEFORE_COLOURS = [(150, 120, 90), (120, 110, 100), (170, 140, 80), (110, 90, 70)]
AFTER_COLOURS = [(200, 210, 205), (190, 200, 210), (210, 205, 190)]


@contextlib.contextmanager
def _clock(moment: datetime.datetime):
    """Run the services as if it were ``moment`` (only for replaying demo history)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _photo(rng: random.Random, label: str, after: bool = False) -> SimpleUploadedFile:
    """A small generated picture: a street-coloured background with a few blocks, re-encoded by the upload code."""
    colour = rng.choice(AFTER_COLOURS if after else BEFORE_COLOURS)
    image = Image.new("RGB", (320, 240), colour)
    draw = ImageDraw.Draw(image)
    for _ in range(2 if after else 6):
        x, y = rng.randint(0, 260), rng.randint(60, 200)
        shade = tuple(max(0, c - rng.randint(30, 90)) for c in colour)
        draw.rectangle([x, y, x + rng.randint(20, 60), y + rng.randint(15, 40)], fill=shade)
    draw.rectangle([0, 0, 320, 22], fill=(30, 30, 30))
    draw.text((6, 5), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _category(name: str) -> EventCategory:
    return EventCategory.objects.filter(name=name, parent__isnull=False).select_related("parent").first()


class _Replay:
    def __init__(self, district, rng: random.Random):
        self.district = district
        self.people = district.people
        self.rng = rng
        self.now = timezone.now()
        self.count = 0

    def at(self, days_ago: float, hour: int = 10) -> datetime.datetime:
        day = timezone.localtime(self.now - datetime.timedelta(days=days_ago))
        return day.replace(hour=hour, minute=self.rng.randint(0, 59), second=0, microsecond=0)

    def inspection(self, *, by: str, tier: int, topic: str, days_ago: float, others=(), units=(), sites=()):
        campaign = self.district.campaign
        if Inspection.objects.filter(campaign=campaign, topic=topic).exists():
            return None
        with _clock(self.at(days_ago, 9)):
            return services.inspection_start(
                by=self.people[by], tier=tier, topic=topic, date=timezone.localdate(),
                inspectors=[self.people[o] for o in others], target_units=list(units), target_sites=list(sites),
                campaign=campaign,
            )

    def finding(self, inspection, *, by: str, site, category: str, text: str, hours_ago: float, fail_check=True,
                severity=Finding.Severity.GENERAL, offset=(0.0, 0.0), unit=None) -> Finding:
        when = self.now - datetime.timedelta(hours=hours_ago)
        checks = list(site.point_type.checks.all()[:4])
        failed = checks[0] if (checks and fail_check) else None
        results = {check: check != failed for check in checks}
        self.count += 1
        with _clock(when):
            return services.finding_create(
                by=self.people[by], inspection=inspection, site=site, category=_category(category),
                description=text, severity=severity, check_item=failed, check_results=results,
                latitude=site.latitude + type(site.latitude)(f"{offset[0]:.6f}"),
                longitude=site.longitude + type(site.longitude)(f"{offset[1]:.6f}"),
                photos=[_photo(self.rng, f"before-{self.count}-{i}") for i in range(self.rng.randint(1, 2))],
                responsible_unit=unit,
            )

    def rectify(self, finding: Finding, *, by: str, share: float, note: str = "已整改到位，现场恢复整洁。"):
        """Rectify after ``share`` of the period (above 1.0 means late)."""
        when = finding.clock_start + (finding.deadline - finding.clock_start) * share
        with _clock(when):
            services.finding_rectify(finding=finding, by=self.people[by], note=note,
                                     photos=[_photo(self.rng, f"after-{finding.pk}", after=True)])
        finding.refresh_from_db()
        return when

    def close(self, finding: Finding, *, by: str, hours_later: float = 3):
        with _clock(finding.rectified_at + datetime.timedelta(hours=hours_later)):
            services.finding_close(finding=finding, by=self.people[by], note="复查合格，予以销号。")
        finding.refresh_from_db()

    def return_for_rework(self, finding: Finding, *, by: str, hours_later: float = 2, new_hours: int = 24):
        when = finding.rectified_at + datetime.timedelta(hours=hours_later)
        with _clock(when):
            services.finding_return(finding=finding, by=self.people[by], note="复查发现仍有货物堆放，整改不彻底。",
                                    new_deadline=when + datetime.timedelta(hours=new_hours))
        finding.refresh_from_db()

    def sent_back(self, finding: Finding, *, by: str, reason: str, hours_later: float = 1) -> datetime.datetime:
        """退回 ``hours_later`` after the dispatch; returns when."""
        when = finding.dispatched_at + datetime.timedelta(hours=hours_later)
        with _clock(when):
            services.finding_send_back(finding=finding, by=self.people[by], reason=reason)
        finding.refresh_from_db()
        return when

    def redispatch(self, finding: Finding, *, by: str, unit, at: datetime.datetime, hours: int = 24):
        with _clock(at):
            services.finding_redispatch(finding=finding, by=self.people[by], unit=unit,
                                        deadline=at + datetime.timedelta(hours=hours), note="经核实，改派责任中队。")
        finding.refresh_from_db()

    def more_time(self, finding: Finding, *, by: str, decider: str, share: float, hours: int, reason: str,
                  refusal: str = ""):
        """申请延期 after ``share`` of the period, for ``hours`` more; granted unless ``refusal`` is given."""
        when = finding.clock_start + (finding.deadline - finding.clock_start) * share
        with _clock(when):
            services.extension_ask(finding=finding, by=self.people[by], reason=reason,
                                   deadline=finding.deadline + datetime.timedelta(hours=hours))
        with _clock(when + datetime.timedelta(minutes=40)):
            services.extension_decide(finding=finding, by=self.people[decider], approve=not refusal, answer=refusal)
        finding.refresh_from_db()

    def loop(self, finding: Finding, *, squad_person: str, verifier: str, share: float = 0.4):
        self.rectify(finding, by=squad_person, share=share)
        self.close(finding, by=verifier)
        return finding

    def finish(self, inspection, *, by: str, summary: str):
        latest = inspection.findings.aggregate(latest=Max("reported_at"))["latest"] or self.at(0, 8)
        with _clock(latest + datetime.timedelta(hours=1)):
            services.inspection_finish(inspection=inspection, by=self.people[by], summary=summary)


#: A community of 第七中队 where the mobile vendors keep coming back (a relapse place in the bulletin).
RELAPSE_SITE = 27


@transaction.atomic
def seed(district) -> None:
    """Add the demo inspections and findings to the demo district; a second run adds nothing."""
    if not EventCategory.objects.filter(parent__isnull=False).exists():
        return
    r = _Replay(district, random.Random(4))
    for week in (_bureau_special, _directed_markets, _look_back, _this_week):
        week(r, district.squads, district.sites)


def _bureau_special(r: _Replay, squads, sites) -> None:
    """Week 1: a bureau leader's special inspection of the fringe and back streets."""
    relapse_site = sites[RELAPSE_SITE]
    first = r.inspection(by="leader", tier=Tier.BUREAU, topic="城乡结合部及背街小巷环境秩序专项督查", days_ago=28,
                         others=("leader2",), units=squads[6:8])
    if first is not None:
        a = r.finding(first, by="leader", site=relapse_site, category="无照经营游商", hours_ago=28 * 24 - 2,
                      text="路口聚集流动摊点5处，占用人行道。", severity=Finding.Severity.SERIOUS)
        r.loop(a, squad_person="squad7", verifier="leader")
        b = r.finding(first, by="leader2", site=sites[29], category="暴露垃圾", hours_ago=28 * 24 - 3,
                      text="背街小巷垃圾桶满溢，周边散落生活垃圾。")
        r.loop(b, squad_person="member23", verifier="leader2")
        c = r.finding(first, by="leader", site=sites[30], category="私搭乱建", hours_ago=28 * 24 - 4,
                      text="沿街商户在店外搭建雨棚。", fail_check=False)
        r.loop(c, squad_person="squad8", verifier="inspector1", share=0.7)
        r.finish(first, by="leader", summary="城乡结合部流动摊点问题突出，要求第七中队建立常态巡查机制。")


def _directed_markets(r: _Replay, squads, sites) -> None:
    """Week 2: the inspection squad's directed inspection of market surroundings."""
    relapse_site = sites[RELAPSE_SITE]
    second = r.inspection(by="inspector1", tier=Tier.DIRECTED, topic="农贸市场周边店外经营定向督查", days_ago=21,
                          others=("inspector2",), units=[squads[0], squads[4], squads[6]])
    if second is not None:
        d = r.finding(second, by="inspector1", site=relapse_site, category="无照经营游商", hours_ago=21 * 24 - 1,
                      text="流动摊点再次出现，售卖水果蔬菜。", offset=(0.0001, 0.0))
        r.loop(d, squad_person="member19", verifier="inspector1")
        e = r.finding(second, by="inspector1", site=sites[2], category="店外经营", hours_ago=21 * 24 - 2,
                      text="市场东门3家商户店外摆放货架。")
        r.rectify(e, by="member2", share=0.5)
        r.return_for_rework(e, by="inspector1")
        r.rectify(e, by="squad1", share=0.5, note="已督促商户全部收回店内，并签订门前三包责任书。")
        r.close(e, by="inspector1")
        f = r.finding(second, by="inspector2", site=sites[17], category="店外经营", hours_ago=21 * 24 - 3,
                      text="餐饮店门口占道摆放桌椅。")
        r.rectify(f, by="squad5", share=1.2)  # late
        r.close(f, by="inspector2")
        g = r.finding(second, by="inspector2", site=sites[18], category="机动车乱停放", hours_ago=21 * 24 - 4,
                      text="市场出入口机动车乱停放，堵塞消防通道。", severity=Finding.Severity.URGENT)
        r.loop(g, squad_person="squad5", verifier="inspector2", share=0.3)
        r.finish(second, by="inspector1", summary="店外经营整改后易反弹，第一、五中队须加强早晚高峰巡查。")


def _look_back(r: _Replay, squads, sites) -> None:
    """Week 4: back to the same places; the relapses show, some findings are still open."""
    relapse_site = sites[RELAPSE_SITE]
    third = r.inspection(by="inspector2", tier=Tier.DIRECTED, topic="占道经营问题回头看", days_ago=12,
                         others=("inspector1",), units=[squads[0], squads[6]])
    if third is not None:
        h = r.finding(third, by="inspector2", site=relapse_site, category="无照经营游商", hours_ago=12 * 24 - 2,
                      text="流动摊点第三次出现，夜间尤为集中。", severity=Finding.Severity.SERIOUS)
        r.loop(h, squad_person="squad7", verifier="inspector2", share=0.6)
        k = r.finding(third, by="inspector1", site=sites[26], category="乱堆物料堆", hours_ago=12 * 24 - 3,
                      text="空地堆放建筑材料，未覆盖。")
        r.loop(k, squad_person="member21", verifier="inspector1", share=0.8)
        r.finish(third, by="inspector2", summary="反弹点位已列入重点监管清单。")


def _this_week(r: _Replay, squads, sites) -> None:
    """This week: a squad's own full inspection, and an inspection still in progress."""
    relapse_site = sites[RELAPSE_SITE]
    fourth = r.inspection(by="member1", tier=Tier.INTERNAL, topic="第一中队内部全面督查", days_ago=4,
                          others=("member2",), sites=sites[0:4])
    if fourth is not None:
        i = r.finding(fourth, by="member1", site=sites[0], category="非机动车乱停放", hours_ago=4 * 24 - 1,
                      text="沿线非机动车乱停放，占用盲道。")
        r.rectify(i, by="member2", share=0.3)
        r.close(i, by="inspector1")
        r.finding(fourth, by="member1", site=sites[3], category="非法小广告", hours_ago=_hours("非法小广告", 0.3),
                  text="社区宣传栏外墙张贴小广告。")  # green
        r.finish(fourth, by="member1", summary="自查发现问题2处，已整改1处。")

    fifth = r.inspection(by="inspector1", tier=Tier.DIRECTED, topic="夜市及流动摊点定向督查", days_ago=3,
                         others=("inspector2",), units=[squads[0], squads[6]])
    if fifth is not None:  # still in progress: open findings with green, yellow and red lights
        r.finding(fifth, by="inspector2", site=sites[1], category="店外经营",
                  hours_ago=_hours("店外经营", 1.3), text="商户店外经营，摆放促销展台。")  # red
        r.finding(fifth, by="inspector1", site=sites[25], category="暴露垃圾",
                  hours_ago=_hours("暴露垃圾", 0.9), text="垃圾收集点周边有散落垃圾。")  # yellow
        r.finding(fifth, by="inspector1", site=relapse_site, category="无照经营游商", hours_ago=20,
                  text="流动摊点又一次聚集，约8处。", severity=Finding.Severity.URGENT)  # 3rd relapse
        j = r.finding(fifth, by="inspector2", site=sites[24], category="店外经营", hours_ago=18,
                      text="沿街商铺店外堆放杂物。")
        r.rectify(j, by="squad7", share=0.4)  # awaiting verification
        _routing(r, fifth, squads, sites)


def _routing(r: _Replay, inspection, squads, sites) -> None:
    """A finding dispatched to the wrong squad, sent back and re-dispatched, then given more time; one with
    more time refused and handed to a member; one sent back and waiting for the inspection squad to
    re-dispatch it; one logged twice and withdrawn."""
    wrong = r.finding(inspection, by="inspector1", site=sites[3], category="店外经营", hours_ago=30,
                      text="社区商户店外摆放水果摊。", unit=squads[1])
    back = r.sent_back(wrong, by="squad2", reason="该点位属第一中队辖区，不属于本中队。")
    r.redispatch(wrong, by="inspector1", unit=squads[0], at=back + datetime.timedelta(hours=1), hours=24)
    r.more_time(wrong, by="squad1", decider="inspector1", share=0.5, hours=24,
                reason="商户需协调市场管理方腾退摊位，申请延期一天。")
    refused = r.finding(inspection, by="inspector2", site=sites[25], category="暴露垃圾", hours_ago=10,
                        text="垃圾收集点周边堆放大件垃圾。")
    r.more_time(refused, by="squad7", decider="inspector2", share=0.3, hours=48, reason="清运车辆紧张。",
                refusal="大件垃圾清运可调度环卫车辆，时限内可完成。")
    with _clock(refused.clock_start + (refused.deadline - refused.clock_start) * 0.4):  # 交办 to a member
        services.finding_assign(finding=refused, by=r.people["squad7"], person=r.people["member20"])
    waiting = r.finding(inspection, by="inspector2", site=sites[6], category="乱堆物料堆", hours_ago=5,
                        text="人行道上堆放装修材料。", unit=squads[3])
    r.sent_back(waiting, by="squad4", reason="该路段属第二中队辖区，请改派。")
    twice = r.finding(inspection, by="inspector1", site=sites[24], category="店外经营", hours_ago=17,
                      text="沿街商铺店外堆放杂物（重复登记）。")
    with _clock(twice.reported_at + datetime.timedelta(minutes=10)):
        services.finding_withdraw(finding=twice, by=r.people["inspector1"], reason="与同一点位已登记的问题重复，作废。")


def _hours(category: str, share: float) -> float:
    """How long ago to log a finding so that ``share`` of its category's time limit has passed now."""
    return _category(category).time_limit_hours * share
