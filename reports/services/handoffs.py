"""Hand-offs that other apps announce through the outbox: the job names the object, this finds who must act.

Each is safe to run twice: the notices (one per person, key and day) and the deliveries (one per hand-off,
recipient and channel) are unique rows, so a second run finds them and sends nothing more.
"""

from __future__ import annotations

import datetime
import functools

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from campaign.selectors import active_campaigns
from inspections.models import ExtensionRequest, Finding, FindingEvent, Rectification, Verification
from reports import pushes
from reports.models import Bulletin, Delivery, Meeting, Notice, Robot
from reports.services import deliveries
from reports.services.notices import notify

#: What a finding's hand-off message names, read with the row that points at the finding.
_FINDING_ROWS = ("finding__site", "finding__category", "finding__responsible_unit", "finding__reporter__unit")


def sends_its_own(announce):
    """The hand-off's job sends the messages it plans itself, right after its commit (``deliveries.sent_here``):
    under a Monday backlog a robot's message then waits behind the queue once (for this job), not a second
    time for a delivery job queued behind everything that arrived meanwhile."""

    @functools.wraps(announce)
    def announce_and_send(**kwargs):
        with deliveries.sent_here() as planned_ids:
            planned = announce(**kwargs)
        for delivery_id in planned_ids:
            deliveries.deliver(delivery_id=delivery_id)
        return planned

    return announce_and_send


@sends_its_own
@transaction.atomic
def announce_dispatch(*, finding_id: int) -> list[Delivery]:
    """A finding dispatched to a unit reaches the unit's leaders (a notice, pushed through their own
    channels) and the unit's group robots, which @ the leaders by their mobile numbers.

    A finding closed or withdrawn before the job ran needs nobody's action any more: it is left alone.
    """
    finding = (Finding.objects.select_related("site", "category", "responsible_unit", "reporter__unit")
               .filter(pk=finding_id).first())
    if finding is None or not finding.is_open:
        return []
    return _finding_handoff(
        finding, key=dispatch_key(finding), kind=Notice.Kind.DISPATCHED,
        line=pushes.dispatch_line(finding), title=_("Rectification notice"),
        people=_leaders(finding.responsible_unit_id), day=timezone.localdate(finding.dispatched_at),
        robots_of=finding.responsible_unit_id)


def dispatch_key(finding: Finding) -> str:
    """The first dispatch's key, and each re-dispatch's with its moment (the pressure gauge reads them so)."""
    if finding.dispatched_at <= finding.reported_at:
        return f"finding:{finding.pk}:dispatched"
    return f"finding:{finding.pk}:dispatched:{timezone.localtime(finding.dispatched_at):%Y%m%d%H%M%S}"


def _announce(*, key: str, people: list[User], kind: str, line: str, message, url: str, day,
              robots_of: int | None) -> list[Delivery]:
    """Tell ``people`` (a notice each, pushed through their own channels) and the group robots of the unit
    ``robots_of`` (none when None), which @ those people by their mobile numbers. ``message(mobiles=…)``
    words the push."""
    planned, to_person = [], message()
    for person in people:
        notice, created = notify(user=person, kind=kind, key=key, message=line, url=url, day=day,
                                 push=to_person)
        if created:
            planned += list(notice.deliveries.all())
    if robots_of is None:
        return planned
    to_group = message(mobiles=[person.phone for person in people if person.phone])
    return planned + deliveries.plan_for_robots(key=key, unit_id=robots_of, message=to_group)


def _finding_handoff(finding: Finding, *, key: str, kind: str, line: str, title: str, people: list[User], day,
                     robots_of: int | None, mention: bool = True) -> list[Delivery]:
    """:func:`_announce` for a hand-off about ``finding``, linking to its page."""
    return _announce(
        key=key, kind=kind, line=line, people=people, day=day, robots_of=robots_of,
        url=reverse("inspections:finding_detail", args=[finding.pk]),
        message=lambda mobiles=(): pushes.finding_message(finding, title, line,
                                                          mobiles=mobiles if mention else ()))


@sends_its_own
@transaction.atomic
def announce_rectified(*, rectification_id: int) -> list[Delivery]:
    """A rectification submitted reaches the inspector who logged the finding and the group of their unit
    (the inspection squad's, or for a tier-3 finding the squad's own). Left alone once it is verified."""
    rectification = Rectification.objects.select_related(*_FINDING_ROWS).filter(pk=rectification_id).first()
    if rectification is None or rectification.finding.status != Finding.Status.RECTIFIED:
        return []
    finding = rectification.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:rectified:{rectification.pk}", kind=Notice.Kind.RECTIFIED,
        line=pushes.rectified_line(finding, rectification), title=_("Awaiting verification"),
        people=_reporter(finding), day=timezone.localdate(rectification.at), robots_of=finding.reporter.unit_id)


@sends_its_own
@transaction.atomic
def announce_returned(*, verification_id: int) -> list[Delivery]:
    """A rectification sent back for rework reaches the unit's leaders and its group, with the reason and the
    new deadline. Left alone once the unit has answered again or the finding is closed."""
    verification = _standing_verification(verification_id, Verification.Result.RETURNED, Finding.Status.RETURNED)
    if verification is None:
        return []
    finding = verification.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:returned:{verification.pk}", kind=Notice.Kind.RETURNED,
        line=pushes.returned_line(finding, verification), title=_("Returned for rework"),
        people=_leaders(finding.responsible_unit_id), day=timezone.localdate(verification.at),
        robots_of=finding.responsible_unit_id)


@sends_its_own
@transaction.atomic
def announce_closed(*, verification_id: int) -> list[Delivery]:
    """销号 reaches the unit's leaders and its group: the matter is finished and counted. Nobody is @-ed:
    nothing is asked of them."""
    verification = _standing_verification(verification_id, Verification.Result.CLOSED, Finding.Status.CLOSED)
    if verification is None:
        return []
    finding = verification.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:closed", kind=Notice.Kind.CLOSED,
        line=pushes.closed_line(finding, verification), title=_("Finding closed"),
        people=_leaders(finding.responsible_unit_id), day=timezone.localdate(verification.at),
        robots_of=finding.responsible_unit_id, mention=False)


@sends_its_own
@transaction.atomic
def announce_sent_back(*, event_id: int) -> list[Delivery]:
    """A finding sent back as not the unit's reaches its reporter and the reporter's group (the inspection
    squad's, or a bureau leader's), with the unit's reason. Left alone once it has been re-dispatched."""
    event = (FindingEvent.objects.select_related("from_unit", *_FINDING_ROWS)
             .filter(pk=event_id, kind=FindingEvent.Kind.SENT_BACK).first())
    if event is None or event.finding.status != Finding.Status.SENT_BACK:
        return []
    finding = event.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:sent_back:{event.pk}", kind=Notice.Kind.SENT_BACK,
        line=pushes.sent_back_line(finding, event), title=_("Sent back"), people=_reporter(finding),
        day=timezone.localdate(event.at), robots_of=finding.reporter.unit_id)


@sends_its_own
@transaction.atomic
def announce_handed(*, event_id: int) -> list[Delivery]:
    """A finding handed to a member reaches that member (a notice through their own channels). Left alone once
    it is handed to someone else, answered or closed."""
    event = (FindingEvent.objects.select_related("by", "person", *_FINDING_ROWS)
             .filter(pk=event_id, kind=FindingEvent.Kind.ASSIGNED).first())
    if event is None or not event.finding.is_open or event.finding.handler_id != event.person_id:
        return []
    finding = event.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:handed:{event.pk}", kind=Notice.Kind.HANDED,
        line=pushes.handed_line(finding, event), title=_("Handed to you"),
        people=[event.person] if event.person.is_active else [], day=timezone.localdate(event.at), robots_of=None)


@sends_its_own
@transaction.atomic
def announce_withdrawn(*, event_id: int) -> list[Delivery]:
    """A withdrawn finding reaches the unit's leaders and its group: nobody is @-ed, nothing is asked of them."""
    event = (FindingEvent.objects.select_related(*_FINDING_ROWS)
             .filter(pk=event_id, kind=FindingEvent.Kind.WITHDRAWN).first())
    if event is None or event.finding.status != Finding.Status.WITHDRAWN:
        return []
    finding = event.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:withdrawn", kind=Notice.Kind.WITHDRAWN,
        line=pushes.withdrawn_line(finding, event), title=_("Finding withdrawn"),
        people=_leaders(finding.responsible_unit_id), day=timezone.localdate(event.at),
        robots_of=finding.responsible_unit_id, mention=False)


@sends_its_own
@transaction.atomic
def announce_extension_asked(*, request_id: int) -> list[Delivery]:
    """A request for more time reaches the finding's reporter and their group. Left alone once decided."""
    request = (ExtensionRequest.objects.select_related(*_FINDING_ROWS)
               .filter(pk=request_id, status=ExtensionRequest.Status.PENDING).first())
    if request is None:
        return []
    finding = request.finding
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:extension:{request.pk}", kind=Notice.Kind.EXTENSION_ASKED,
        line=pushes.extension_asked_line(finding, request), title=_("More time asked for"),
        people=_reporter(finding), day=timezone.localdate(request.at), robots_of=finding.reporter.unit_id)


@sends_its_own
@transaction.atomic
def announce_extension_decided(*, request_id: int) -> list[Delivery]:
    """The decision on more time reaches the unit's leaders, the person who asked, and the unit's group."""
    request = (ExtensionRequest.objects.select_related("by", *_FINDING_ROWS)
               .filter(pk=request_id, status__in=[ExtensionRequest.Status.APPROVED, ExtensionRequest.Status.REFUSED])
               .first())
    if request is None or not request.finding.is_open:
        return []
    finding = request.finding
    people = _leaders(finding.responsible_unit_id)
    if request.by.is_active and request.by not in people:
        people.append(request.by)
    return _finding_handoff(
        finding, key=f"finding:{finding.pk}:extension:{request.pk}:{request.status}",
        kind=Notice.Kind.EXTENSION_DECIDED, line=pushes.extension_decided_line(finding, request),
        title=_("More time decided"), people=people, day=timezone.localdate(request.decided_at),
        robots_of=finding.responsible_unit_id)


def _reporter(finding: Finding) -> list[User]:
    return [finding.reporter] if finding.reporter.is_active else []


def _standing_verification(verification_id: int, result: str, status: str) -> Verification | None:
    """The verification with what its message names, while its finding still stands where it left it."""
    verification = (Verification.objects.select_related(*_FINDING_ROWS)
                    .filter(pk=verification_id, result=result).first())
    return verification if verification is not None and verification.finding.status == status else None


#: A light that turned red longer ago than this is not announced as news any more (a sweep that was down
#: for days, a campaign's first run): 待办 and the escalations carry it from there.
RED_NEWS = datetime.timedelta(days=1)


@sends_its_own
def sweep_lights(*, now: datetime.datetime | None = None) -> list[Delivery]:
    """Every few minutes: each open finding of an active campaign whose light turned yellow (80 % of its time
    gone) or red (its deadline passed) is announced to its unit once per deadline; one overdue by the
    campaign's escalation days goes to the unit's 分管领导, by twice as many to the bureau's head.

    The keys carry the deadline, so a return for rework (a new deadline) is announced afresh; the keys already
    used are read in one query, and the notices' and deliveries' own constraints keep a second run silent.
    """
    now = now or timezone.now()
    campaigns = {c.pk: c for c in active_campaigns()}
    if not campaigns:
        return []
    longest = max(c.escalation_days for c in campaigns.values()) * len(_LEVELS)
    findings = list(
        Finding.objects.filter(campaign_id__in=campaigns, status__in=Finding.OPEN_STATUSES, yellow_at__lte=now)
        # Overdue longer than the last level's days, it was escalated all the way on an earlier sweep.
        .filter(deadline__gt=now - datetime.timedelta(days=longest + 1))
        .select_related("site", "category", "responsible_unit", "reporter__unit").order_by("deadline", "pk"))
    due = []
    for finding in findings:
        for key, moment, step in _light_steps(finding, campaigns[finding.campaign_id], now):
            due.append((finding, key, moment, step))
    if not due:
        return []
    keys = {key for _f, key, _m, _s in due}
    done = set(Notice.objects.filter(key__in=keys).values_list("key", flat=True).distinct())
    done |= set(Delivery.objects.filter(key__in=keys).values_list("key", flat=True).distinct())
    leaders = _leaders_by_unit({f.responsible_unit_id for f, key, _m, _s in due if key not in done})
    chain = _escalation_chain()
    planned = []
    for finding, key, moment, step in due:
        if key in done:
            continue
        with transaction.atomic():
            planned += _light_handoff(finding, key, moment, step, leaders.get(finding.responsible_unit_id, []),
                                      chain, now)
    return planned


#: The escalation levels above the unit, in order: its 分管领导, then the bureau's head.
_LEVELS = ("supervisor", "head")


def _light_steps(finding: Finding, campaign, now: datetime.datetime):
    """(key, moment, step) of each announcement ``finding`` is due by ``now``: "yellow", "red", or a level."""
    stamp = f"{timezone.localtime(finding.deadline):%Y%m%d%H%M}"
    if finding.deadline > now:
        yield f"finding:{finding.pk}:yellow:{stamp}", finding.yellow_at, "yellow"
        return
    if now - finding.deadline < RED_NEWS:
        yield f"finding:{finding.pk}:red:{stamp}", finding.deadline, "red"
    for number, level in enumerate(_LEVELS, start=1):
        moment = finding.deadline + datetime.timedelta(days=campaign.escalation_days * number)
        if moment <= now:
            yield f"finding:{finding.pk}:escalated:{number}:{stamp}", moment, level


def _light_handoff(finding: Finding, key: str, moment, step: str, leaders: list[User], chain, now):
    day = timezone.localdate(moment)
    if step == "yellow":
        return _finding_handoff(finding, key=key, kind=Notice.Kind.YELLOW, line=pushes.yellow_line(finding, now),
                                title=_("Deadline near"), people=leaders, day=day,
                                robots_of=finding.responsible_unit_id)
    if step == "red":
        return _finding_handoff(finding, key=key, kind=Notice.Kind.RED, line=pushes.red_line(finding),
                                title=_("Deadline passed"), people=leaders, day=day,
                                robots_of=finding.responsible_unit_id)
    people = chain(finding.responsible_unit, step)
    return _finding_handoff(finding, key=key, kind=Notice.Kind.ESCALATION, line=pushes.escalation_line(finding, now),
                            title=_("Supervision notice"), people=people, day=day, robots_of=None)


def _escalation_chain():
    """``chain(unit, level)``: who an escalation at ``level`` reaches. The unit's 分管领导, then the bureau's
    head (the bureau unit's own supervising leader); where one is not named, every bureau leader, so an
    escalation never falls on nobody. A level whose people heard the level below already is skipped."""
    leaders = list(User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("pk"))
    by_pk = {leader.pk: leader for leader in leaders}
    head = by_pk.get(Unit.objects.filter(kind=Unit.Kind.BUREAU).values_list("supervisor", flat=True).first())

    def chain(unit: Unit, level: str) -> list[User]:
        supervisor = by_pk.get(unit.supervisor_id)
        if level == "supervisor":
            return [supervisor] if supervisor else leaders
        if supervisor is None:
            return []  # every leader heard it at the level below
        if head is None:
            return [leader for leader in leaders if leader != supervisor]
        return [] if head == supervisor else [head]

    return chain


def _leaders(unit_id: int) -> list[User]:
    return _leaders_by_unit({unit_id}).get(unit_id, [])


def _leaders_by_unit(unit_ids) -> dict[int, list[User]]:
    """The active squad leaders of each unit, in one query."""
    leaders: dict[int, list[User]] = {}
    for person in User.objects.filter(unit_id__in=unit_ids, role=User.Role.SQUAD_LEADER,
                                      is_active=True).order_by("pk"):
        leaders.setdefault(person.unit_id, []).append(person)
    return leaders


@sends_its_own
@transaction.atomic
def announce_bulletin(*, bulletin_id: int) -> list[Delivery]:
    """A published bulletin reaches the leaders' group (the bureau's robots) with the district's figures, and
    each squad's group with its own line: its rank and how it moved, its on-time rate, what it has overdue.
    The readers' in-app notices are written when it is published; this adds the groups."""
    bulletin = Bulletin.objects.filter(pk=bulletin_id, published_at__isnull=False).select_related("campaign").first()
    if bulletin is None or not bulletin.is_current:
        return []
    key = f"bulletin:{bulletin.pk}"
    url = pushes.absolute(reverse("reports:bulletin", args=[bulletin.pk]))
    rows = {row["unit_id"]: row for row in bulletin.figures.get("units", [])}
    bureau = Unit.objects.filter(kind=Unit.Kind.BUREAU).values_list("pk", flat=True).first()
    robots = Robot.objects.filter(enabled=True, unit_id__in=[*rows, bureau]).order_by("unit_id", "pk")
    planned = []
    for robot in robots:  # every group at once: one query, not one per squad
        row = None if robot.unit_id == bureau else rows[robot.unit_id]
        message = pushes.bulletin_message(bulletin, url=url, row=row)
        planned.append(deliveries.plan_for_robot(key=key, robot=robot, message=message))
    return [delivery for delivery in planned if delivery is not None]


@sends_its_own
@transaction.atomic
def announce_speakers(*, meeting_id: int) -> list[Delivery]:
    """An approved agenda reaches each person who speaks at the meeting (named as the speaker, or else the
    leader of the squad an item is for) with what they speak about and for how long: one notice each."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.APPROVED).first()
    if meeting is None or meeting.date < timezone.localdate():
        return []
    items = list(meeting.items.select_related("unit", "speaker").order_by("order", "pk"))
    leaders = _leaders_by_unit({item.unit_id for item in items if item.speaker_id is None and item.unit_id})
    by_person: dict[int, tuple[User, list]] = {}
    for item in items:
        people = [item.speaker] if item.speaker_id else leaders.get(item.unit_id, [])
        for person in people:
            if person.is_active:
                by_person.setdefault(person.pk, (person, []))[1].append(item)
    url = reverse("reports:meeting", args=[meeting.pk])
    planned = []
    for person, spoken in by_person.values():
        line = pushes.speaking_line(meeting, spoken)
        notice, created = notify(user=person, kind=Notice.Kind.SPEAKING, key=f"meeting:{meeting.pk}:speaking",
                                 message=line, url=url, day=timezone.localdate(meeting.approved_at),
                                 push=pushes.line_message(_("Speaking at the meeting"), line, url))
        if created:
            planned += list(notice.deliveries.all())
    return planned
