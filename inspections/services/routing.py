"""Writes for a finding's routing: sent back as not the unit's (退回), re-dispatched (改派), more time asked
for and decided (申请延期), and corrected or withdrawn (作废) by its inspector before the unit acts. Each locks
the finding, checks the rule and the version, and changes nothing unless everything holds; each hand-off
reaches the people who act next through the reports app's jobs."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from campaign.core import outbox
from inspections import rules
from inspections.models import ExtensionRequest, Finding, FindingEvent
from inspections.services.findings import check_version, checked_category, locked


def _reason(text: str, field: str, message: str) -> str:
    if not (text or "").strip():
        raise ValidationError({field: message})
    return text.strip()


def _future(deadline: datetime.datetime | None, field: str, now: datetime.datetime) -> datetime.datetime:
    if deadline is None or deadline <= now:
        raise ValidationError({field: _("The deadline must be in the future.")}, code="deadline_past")
    return deadline


def _pending(finding: Finding) -> ExtensionRequest | None:
    return finding.extensions.select_for_update().filter(status=ExtensionRequest.Status.PENDING).first()


@transaction.atomic
def finding_send_back(*, finding: Finding, by, reason: str, expected_version: int | None = None) -> FindingEvent:
    """退回: the unit it was dispatched to says it is not theirs, with the reason; the dispatcher decides."""
    finding = locked(finding)
    if not rules.can_send_back(by, finding):
        if finding.status != Finding.Status.DISPATCHED or finding.first_rectified_at is not None:
            raise PermissionDenied(_("Only a finding the unit has not answered yet can be sent back."))
        raise PermissionDenied(_("Only the responsible unit's squad leader sends a finding back."))
    check_version(finding, expected_version)
    reason = _reason(reason, "reason", _("Say why this finding is not your unit's."))
    now = timezone.now()
    pending = _pending(finding)
    if pending is not None:  # the unit gives the finding up, and its request for more time with it
        _decide(pending, by=by, status=ExtensionRequest.Status.LAPSED, at=now)
    event = FindingEvent.objects.create(finding=finding, kind=FindingEvent.Kind.SENT_BACK, by=by, at=now,
                                        note=reason, from_unit=finding.responsible_unit)
    finding.status = Finding.Status.SENT_BACK
    finding.version += 1
    finding.save(update_fields=["status", "version"])
    outbox.enqueue("reports.jobs.announce_sent_back", event.pk)  # the dispatcher must re-dispatch it
    return event


@transaction.atomic
def finding_redispatch(*, finding: Finding, by, unit: Unit | None, deadline: datetime.datetime | None,
                       note: str = "", expected_version: int | None = None) -> FindingEvent:
    """改派: to the rightful unit with a new deadline; its clock starts now. A move to another unit is counted
    against the dispatch's accuracy; sending it back to the same unit (it is theirs after all) is not."""
    finding = locked(finding)
    if not rules.can_redispatch(by, finding):
        if not rules.is_dispatcher(by, finding):
            raise PermissionDenied(_("Only the reporting inspector, the inspection squad or a bureau leader "
                                     "re-dispatches a finding."))
        raise PermissionDenied(_("Only a finding sent back, or one its unit has not answered yet, can be "
                                 "re-dispatched."))
    check_version(finding, expected_version)
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit it goes to.")})
    if not rules.can_redispatch_to(by, finding, unit):
        raise ValidationError({"unit": _("%(unit)s cannot take this finding: choose a squad or an office "
                                         "(a tier-3 finding stays in its squad).") % {"unit": unit.name}})
    now = timezone.now()
    deadline = _future(deadline, "deadline", now)
    event = FindingEvent.objects.create(
        finding=finding, kind=FindingEvent.Kind.REDISPATCHED, by=by, at=now, note=(note or "").strip(),
        from_unit=finding.responsible_unit, to_unit=unit, deadline=deadline)
    pending = _pending(finding)
    if pending is not None:
        _decide(pending, by=by, status=ExtensionRequest.Status.LAPSED, at=now)
    finding.save(update_fields=rules.mark_redispatched(finding, at=now, unit=unit, deadline=deadline))
    outbox.enqueue("reports.jobs.announce_dispatch", finding.pk)  # the rightful unit hears it as a dispatch
    return event


@transaction.atomic
def extension_ask(*, finding: Finding, by, reason: str, deadline: datetime.datetime | None,
                  expected_version: int | None = None) -> ExtensionRequest:
    """申请延期: one request at a time, for a deadline later than the one in force."""
    finding = locked(finding)
    if not rules.can_ask_extension(by, finding):
        if not finding.is_open:
            raise PermissionDenied(_("More time is asked for only while the finding awaits rectification."))
        raise PermissionDenied(_("Only the responsible unit's people ask for more time."))
    check_version(finding, expected_version)
    if _pending(finding) is not None:
        raise ValidationError(_("A request for more time is already waiting for a decision."),
                              code="extension_pending")
    reason = _reason(reason, "reason", _("Say why more time is needed."))
    now = timezone.now()
    deadline = _future(deadline, "deadline", now)
    if deadline <= finding.deadline:
        raise ValidationError({"deadline": _("Propose a deadline later than the one in force.")},
                              code="deadline_not_later")
    request = ExtensionRequest.objects.create(finding=finding, by=by, at=now, reason=reason,
                                              old_deadline=finding.deadline, proposed_deadline=deadline)
    outbox.enqueue("reports.jobs.announce_extension_asked", request.pk)  # the dispatcher must decide
    return request


def _decide(request: ExtensionRequest, *, by, status: str, at: datetime.datetime, answer: str = "",
            granted: datetime.datetime | None = None) -> None:
    request.status, request.decided_by, request.decided_at = status, by, at
    request.answer, request.granted_deadline = answer, granted
    request.save(update_fields=["status", "decided_by", "decided_at", "answer", "granted_deadline"])


@transaction.atomic
def extension_decide(*, finding: Finding, by, approve: bool, answer: str = "",
                     deadline: datetime.datetime | None = None,
                     expected_version: int | None = None) -> ExtensionRequest:
    """Approve (the proposed deadline, or one the decider sets) or refuse (with the reason) the waiting
    request. An approval moves the deadline: the light and "on time" are judged against it from now on."""
    finding = locked(finding)
    if not rules.is_dispatcher(by, finding):
        raise PermissionDenied(_("Only the reporting inspector, the inspection squad or a bureau leader "
                                 "decides on more time."))
    check_version(finding, expected_version)
    request = _pending(finding)
    if request is None or not finding.is_open:
        raise ValidationError(_("No request for more time is waiting on this finding."), code="no_extension")
    now = timezone.now()
    if not approve:
        _decide(request, by=by, status=ExtensionRequest.Status.REFUSED, at=now,
                answer=_reason(answer, "answer", _("Say why more time is refused.")))
        outbox.enqueue("reports.jobs.announce_extension_decided", request.pk)
        return request
    granted = _future(deadline or request.proposed_deadline, "deadline", now)
    if granted <= finding.deadline:
        raise ValidationError({"deadline": _("The new deadline must be later than the one in force.")},
                              code="deadline_not_later")
    _decide(request, by=by, status=ExtensionRequest.Status.APPROVED, at=now, answer=(answer or "").strip(),
            granted=granted)
    finding.save(update_fields=rules.mark_extended(finding, deadline=granted))
    outbox.enqueue("reports.jobs.announce_extension_decided", request.pk)
    return request


def _correctable(finding: Finding, by, expected_version) -> Finding:
    finding = locked(finding)
    if finding.reporter_id != by.pk:
        raise PermissionDenied(_("Only the inspector who logged a finding corrects or withdraws it."))
    if not rules.can_correct(by, finding):
        raise PermissionDenied(_("The unit has already acted on this finding: it can no longer be corrected or "
                                 "withdrawn."))
    check_version(finding, expected_version)
    return finding


#: What an inspector may correct, with how the history words a value.
CORRECTABLE = {
    "category": lambda f: f.category.name,
    "description": lambda f: f.description,
    "severity": lambda f: str(f.get_severity_display()),
    "address": lambda f: f.address,
}


@transaction.atomic
def finding_correct(*, finding: Finding, by, changes: dict, expected_version: int | None = None) -> FindingEvent:
    """Correct a finding's category, description, severity or address; the history keeps before → after."""
    finding = _correctable(finding, by, expected_version)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(_("These cannot be corrected: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "category" in changes:
        changes["category"] = checked_category(changes["category"])
    if "description" in changes and not (changes["description"] or "").strip():
        raise ValidationError({"description": _("Describe what is wrong.")})
    before = {name: CORRECTABLE[name](finding) for name in changes}
    for name, value in changes.items():
        setattr(finding, name, value.strip() if isinstance(value, str) else value)
    finding.full_clean(exclude=["campaign", "reporter", "responsible_unit", "inspection"])
    diff = {name: [before[name], CORRECTABLE[name](finding)] for name in changes
            if before[name] != CORRECTABLE[name](finding)}
    if not diff:
        raise ValidationError(_("Nothing was changed."), code="unchanged")
    finding.version += 1
    finding.save(update_fields=[*changes, "version"])
    return FindingEvent.objects.create(finding=finding, kind=FindingEvent.Kind.CORRECTED, by=by,
                                       at=timezone.now(), changes=diff)


@transaction.atomic
def finding_withdraw(*, finding: Finding, by, reason: str, expected_version: int | None = None) -> FindingEvent:
    """作废: the finding leaves every figure and every list of work; its page and history stay readable. The
    unit it was dispatched to hears that nothing is asked of it any more."""
    finding = _correctable(finding, by, expected_version)
    reason = _reason(reason, "reason", _("Say why the finding is withdrawn."))
    event = FindingEvent.objects.create(finding=finding, kind=FindingEvent.Kind.WITHDRAWN, by=by, at=timezone.now(),
                                        note=reason, from_unit=finding.responsible_unit)
    finding.status = Finding.Status.WITHDRAWN
    finding.version += 1
    finding.save(update_fields=["status", "version"])
    outbox.enqueue("reports.jobs.announce_withdrawn", event.pk)
    return event


@transaction.atomic
def finding_assign(*, finding: Finding, by, person, expected_version: int | None = None) -> FindingEvent:
    """交办: the squad leader hands an open finding to a member (承办人), who then has it in their 待办 and
    rectifies it; the squad leader stays responsible and keeps seeing it. Handing it on again replaces them."""
    finding = locked(finding)
    if not rules.can_assign(by, finding):
        raise PermissionDenied(_("Only the responsible unit's squad leader hands an open finding to a member."))
    check_version(finding, expected_version)
    if not rules.can_handle(person, finding):
        raise ValidationError({"person": _("Choose an active person of the responsible unit.")})
    if person.pk == finding.handler_id:
        raise ValidationError({"person": _("%(name)s already handles it.") % {"name": person.display_name}})
    event = FindingEvent.objects.create(finding=finding, kind=FindingEvent.Kind.ASSIGNED, by=by, at=timezone.now(),
                                        person=person)
    finding.handler = person
    finding.version += 1
    finding.save(update_fields=["handler", "version"])
    outbox.enqueue("reports.jobs.announce_handed", event.pk)  # the member must now act
    return event
