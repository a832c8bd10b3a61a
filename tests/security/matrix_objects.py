"""Objects for the permission matrix: one of each kind in squad 1 ("own") and one in squad 2 ("other").

Built through the real services on top of the demo district, so every object is
in a state the app can reach. Kinds without a unit (campaign, framework,
bulletin, meeting...) have one object, used for both columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Unit, User

ROLE_USERS = {
    "admin": "admin",
    "leader": "leader",
    "squad_leader": "squad1",
    "member": "member2",
    "inspector": "inspector1",
}


@dataclass
class Objects:
    own: dict[str, int] = field(default_factory=dict)
    other: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, own, other=None) -> None:
        self.own[kind] = own.pk
        self.other[kind] = (other or own).pk


def _task_with_evidence(campaign, squad: Unit, leader: User, admin: User):
    from tasks import services as task_services
    from tasks.models import Attachment
    from tests.tasks.factories import make_task, photo

    task = make_task(campaign=campaign, unit=squad, responsible=leader, by=admin, content=f"{squad.name}：清理店外经营")
    task_services.task_update_status(task=task, by=leader, status="in_progress", progress=40, note="已开始",
                                     files=[photo("evidence.jpg")], expected_version=task.version)
    task.refresh_from_db()
    return task, Attachment.objects.filter(update__task=task).latest("pk")


def _finding(squad: Unit, inspector: User):
    from campaign.models import Site
    from tests.inspections.factories import log_finding

    site = Site.objects.filter(unit=squad).order_by("pk").first()
    finding = log_finding(by=inspector, site=site, responsible_unit=squad)
    return finding, finding.photos.order_by("pk").first()


def _inspection(squad: Unit, inspector: User):
    from inspections import services as inspection_services

    return inspection_services.inspection_start(by=inspector, tier=2, topic=f"{squad.name}定向督查",
                                                date=timezone.localdate(), target_units=[squad])


def build_objects() -> Objects:
    """Seed the district (with its activity) and add the objects the matrix's routes point at."""
    from campaign.core.channels import Message
    from campaign.demo import seed_district
    from campaign.models import Campaign, Content, EventCategory, Framework, NegativeListItem, PointType, Site, Standard
    from reports.models import Bulletin, Meeting, MeetingPack, Robot
    from reports.services import deliveries
    from tests.factories import category, standard

    seed_district(activity=True)
    squad1, squad2 = Unit.objects.get(code="squad1"), Unit.objects.get(code="squad2")
    admin, inspector = User.objects.get(username="admin"), User.objects.get(username="inspector1")
    campaign = Campaign.objects.order_by("pk").first()
    objects = Objects()
    objects.add("unit", squad1, squad2)
    objects.add("person", User.objects.get(username="member3"), User.objects.get(username="member4"))
    objects.add("site", Site.objects.filter(unit=squad1).first(), Site.objects.filter(unit=squad2).first())
    own_task, own_file = _task_with_evidence(campaign, squad1, User.objects.get(username="squad1"), admin)
    other_task, other_file = _task_with_evidence(campaign, squad2, User.objects.get(username="squad2"), admin)
    objects.add("task", own_task, other_task)
    objects.add("attachment", own_file, other_file)
    own_finding, own_photo = _finding(squad1, inspector)
    other_finding, other_photo = _finding(squad2, inspector)
    objects.add("finding", own_finding, other_finding)
    objects.add("photo", own_photo, other_photo)
    objects.add("inspection", _inspection(squad1, inspector), _inspection(squad2, inspector))
    objects.add("campaign", campaign)
    if not Standard.objects.exists():
        standard("Ⅲ-59-2", 2)
    std = Standard.objects.order_by("pk").first()
    objects.add("standard", std)
    objects.add("content", Content.objects.get(pk=std.content_id))
    objects.add("framework", Framework.objects.order_by("pk").first())
    negative = NegativeListItem.objects.order_by("pk").first()
    if negative is None:
        negative = NegativeListItem.objects.create(framework=Framework.objects.order_by("pk").first(),
                                                   code="N-1", text="占道经营", penalty="扣 1 分")
    objects.add("negative", negative)
    objects.add("point_type", PointType.objects.order_by("pk").first())
    minor = (EventCategory.objects.filter(parent__isnull=False).order_by("pk").first()
             or category("街面秩序", "店外经营", 24))
    objects.add("major", minor.parent)
    objects.add("minor", minor)
    objects.add("bulletin", Bulletin.objects.order_by("pk").first())
    meeting = Meeting.objects.order_by("pk").first()
    objects.add("meeting", meeting)
    pack = (MeetingPack.objects.filter(meeting=meeting).first()
            or MeetingPack.objects.create(meeting=meeting, requested_by=admin))
    objects.add("pack", pack)
    own_robot, other_robot = (Robot.objects.filter(unit=unit).order_by("pk").first() for unit in (squad1, squad2))
    objects.add("robot", own_robot, other_robot)
    message = Message(title="测试", text="测试")
    objects.add("delivery", *(deliveries.plan_for_robot(key="matrix", robot=robot, message=message)
                              for robot in (own_robot, other_robot)))
    return objects
