"""What findings ask of a person (campaign.core.todo): rectify what was dispatched to my unit, rework what was
returned, verify what was rectified.

The scopes follow ``rules.can_rectify`` and ``rules.can_verify``, in SQL: an entry appears only for a
person who may do its action, and leaves when anyone has done it (the status moves on).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import in_own_subtree
from accounts.models import Unit, User
from campaign.core import todo
from inspections.models import TIER_NAMES, ExtensionRequest, Finding, FindingEvent, Tier

Role = User.Role
Status = Finding.Status

TITLES = {
    "rectify": gettext_lazy("Findings to rectify"),
    "rework": gettext_lazy("Returned for rework"),
    "verify": gettext_lazy("Rectifications awaiting my verification"),
    "redispatch": gettext_lazy("Sent back to me: re-dispatch"),
    "extension": gettext_lazy("More time asked of me: decide"),
}
#: Each section's action: the verb on its button, and the form on the finding's page it leads to.
ACTIONS = {"rectify": (gettext_lazy("Rectify"), "#rectify"), "rework": (gettext_lazy("Rework"), "#rectify"),
           "verify": (gettext_lazy("Verify"), "#verify"), "redispatch": (gettext_lazy("Re-dispatch"), "#redispatch"),
           "extension": (gettext_lazy("Decide"), "#decide-extension")}


def _answers_for_findings(user) -> bool:
    """A squad leader or member of a unit that is not the bureau itself (``rules.can_rectify``)."""
    return (user.role in (Role.SQUAD_LEADER, Role.MEMBER) and bool(user.unit_id)
            and user.unit.kind != Unit.Kind.BUREAU)


def _scopes(user) -> dict[str, Q]:
    """Each section's rows as a condition; a section ``user`` has no part in is left out."""
    scopes = {}
    if _answers_for_findings(user):
        units = in_own_subtree(user, "responsible_unit")
        if user.role == Role.MEMBER:  # a finding handed to a member is theirs, not their colleagues'
            units &= Q(handler__isnull=True) | Q(handler_id=user.pk)
        scopes["rectify"] = Q(status=Status.DISPATCHED) & units
        scopes["rework"] = Q(status=Status.RETURNED) & units
    # The reporter verifies their own; the inspection squad is the verifier of tiers 2 and 3 (a tier-3
    # inspector's own squad may not verify itself); never anyone of the responsible unit.
    verifier = Q(reporter_id=user.pk)
    if user.role == Role.INSPECTOR:
        verifier |= Q(tier__in=[Tier.DIRECTED, Tier.INTERNAL])
    # ``rules.belongs_to_unit``: the person's unit is the responsible unit or lies under it.
    if user.unit_id:
        verifier &= ~Q(responsible_unit_id__in=user.unit.lineage_ids)
    # The dispatching side (``rules.is_dispatcher``) also re-dispatches what was sent back, and decides on
    # more time (a subquery, not a join: a finding's earlier requests must not repeat it).
    pending = ExtensionRequest.objects.filter(finding=OuterRef("pk"), status=ExtensionRequest.Status.PENDING)
    scopes["verify"] = Q(status=Status.RECTIFIED) & verifier
    scopes["redispatch"] = Q(status=Status.SENT_BACK) & verifier
    scopes["extension"] = Q(status__in=Finding.OPEN_STATUSES) & Exists(pending) & verifier
    return scopes


def _urgency(now: datetime.datetime) -> dict[str, Q]:
    return {todo.OVERDUE: Q(deadline__lte=now), todo.DUE_SOON: Q(deadline__gt=now, yellow_at__lte=now)}


class Findings:
    def pending(self, user, now: datetime.datetime) -> QuerySet[Finding]:
        either = Q()
        for scope in _scopes(user).values():
            either |= scope
        return Finding.objects.filter(either)

    def sections(self, user, now: datetime.datetime, limit: int) -> list[todo.Section]:
        scopes = _scopes(user)
        if not scopes:
            return []
        urgency = _urgency(now)
        counts = {}
        for key, scope in scopes.items():
            counts[f"{key}_total"] = Count("pk", filter=scope)
            if key in ("rectify", "rework"):  # the others wait on a dispatcher; the deadline is the unit's
                counts[f"{key}_overdue"] = Count("pk", filter=scope & urgency[todo.OVERDUE])
                counts[f"{key}_due_soon"] = Count("pk", filter=scope & urgency[todo.DUE_SOON])
        figures = Finding.objects.aggregate(**counts)
        found = []
        for key, scope in scopes.items():
            total = figures[f"{key}_total"]
            section = todo.Section(key=f"findings_{key}", title=str(TITLES[key]), total=total,
                                   overdue=figures.get(f"{key}_overdue") or 0,
                                   due_soon=figures.get(f"{key}_due_soon") or 0)
            if total:
                section.entries = [_entry(key, f, now) for f in _rows(scope, key)[:limit]]
                section.more_url = _more_url(key)
            found.append(section)
        return found


def _rows(scope: Q, key: str) -> QuerySet[Finding]:
    order = ("rectified_at", "pk") if key == "verify" else ("deadline", "pk")
    rows = (Finding.objects.filter(scope).select_related("category", "responsible_unit", "site")
            .only("tier", "address", "deadline", "yellow_at", "rectified_at", "dispatched_at", "status", "site__name",
                  "category__name", "responsible_unit__name", "responsible_unit__short_name"))
    if key == "redispatch":  # its deadline was the wrong unit's: what counts is how long it has waited
        sent_back = FindingEvent.objects.filter(finding=OuterRef("pk"), kind=FindingEvent.Kind.SENT_BACK)
        rows = rows.annotate(sent_back_at=Subquery(sent_back.order_by("-at").values("at")[:1]))
        order = ("sent_back_at", "pk")
    return rows.order_by(*order)


def _entry(key: str, finding: Finding, now: datetime.datetime) -> todo.Entry:
    title = f"#{finding.pk} {finding.category.name}"
    # Where, and which tier found it; a verifier also needs whose rectification it is.
    detail = [finding.place, str(TIER_NAMES[finding.tier])]
    # Straight to the form of the action on the finding's page.
    action, anchor = ACTIONS[key]
    url = reverse("inspections:finding_detail", args=[finding.pk]) + anchor
    if key == "redispatch":
        detail.insert(1, _("sent back by %(unit)s") % {"unit": finding.responsible_unit.label})
        since = finding.sent_back_at or finding.dispatched_at  # rows written in bulk carry no event
        return todo.Entry(title=title, detail=" · ".join(detail), url=url, since=since, action=str(action),
                          sort_key=since.timestamp())
    if key == "extension":
        detail.insert(1, finding.responsible_unit.label)
        return todo.Entry(title=title, detail=" · ".join(detail), url=url, due=finding.deadline, action=str(action),
                          sort_key=finding.deadline.timestamp())
    if key == "verify":
        detail.insert(1, finding.responsible_unit.label)
        return todo.Entry(title=title, detail=" · ".join(detail), url=url, since=finding.rectified_at,
                          action=str(action),
                          sort_key=finding.rectified_at.timestamp() if finding.rectified_at else 0.0)
    if finding.deadline <= now:
        urgency = todo.OVERDUE
    elif finding.yellow_at <= now:
        urgency = todo.DUE_SOON
    else:
        urgency = todo.OPEN
    return todo.Entry(title=title, detail=" · ".join(detail), url=url, urgency=urgency, due=finding.deadline,
                      action=str(action), sort_key=finding.deadline.timestamp())


def _more_url(key: str) -> str:
    if key == "verify":
        return reverse("inspections:finding_list") + "?status=" + Status.RECTIFIED
    if key == "redispatch":
        return reverse("inspections:finding_list") + "?status=" + Status.SENT_BACK
    if key == "extension":
        return reverse("inspections:finding_list") + "?extension=true"
    return reverse("inspections:unit_findings")
