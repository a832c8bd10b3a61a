"""Reads for inspections and findings: the one place that decides who sees what, and the traffic light.

Leaders, admins and the inspection squad see every finding; a squad's people
see the findings their unit (or a unit under it) answers for, plus the ones
they reported themselves (a tier-3 inspector). Inspections follow the same
rule through their squad and their target units.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Round
from django.utils import timezone

from accounts.access import can_see_all_units, restrict_to_units
from campaign.models import Campaign, CheckItem, PointType, Site
from inspections.models import (
    CheckResult,
    ExtensionRequest,
    Finding,
    FindingEvent,
    FindingPhoto,
    Inspection,
    Rectification,
    Verification,
)

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = (GREEN, YELLOW, RED)
#: Site-less findings are grouped into places by rounding coordinates to this many decimals
#: (0.001° ≈ 111 m north–south, ≈ 96 m east–west here): about two rebound radii, see ``relapse_places``.
PLACE_DECIMALS = 3
RELAPSE_THRESHOLD = 3


def light_expression(now: datetime.datetime | None = None) -> Case:
    """green under 80 % of the period used, yellow 80–100 %, red past the deadline; none once answered."""
    now = now or timezone.now()
    return Case(
        When(~Q(status__in=Finding.OPEN_STATUSES), then=Value("")),
        When(deadline__lte=now, then=Value(RED)),
        When(yellow_at__lte=now, then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=CharField(),
    )


def with_light(queryset: QuerySet[Finding], now: datetime.datetime | None = None) -> QuerySet[Finding]:
    return queryset.annotate(light=light_expression(now))


def _visible_findings_q(user) -> Q | None:
    if can_see_all_units(user):
        return None
    unit_rows = restrict_to_units(Finding.objects.all(), user, unit_field="responsible_unit")
    return Q(pk__in=unit_rows.values("pk")) | Q(reporter_id=getattr(user, "pk", None))


def findings_visible_to(user) -> QuerySet[Finding]:
    """Every finding ``user`` may read, with what a list row shows, and its traffic light.

    Only what a row shows is joined (PostgreSQL's planning time grows fast with every table joined);
    the detail page joins the rest.
    """
    qs = Finding.objects.select_related("category__parent", "responsible_unit", "reporter", "site")
    rule = _visible_findings_q(user)
    if rule is not None:
        qs = qs.filter(rule)
    return with_light(qs).order_by("-reported_at", "-pk")


#: What a row of a findings table shows (inspections/templatetags/finding_rows.py), and nothing else.
ROW_FIELDS = ("tier", "description", "address", "deadline", "status", "is_rebound", "rework_count", "site_id",
              "category_id", "responsible_unit_id", "category__name", "responsible_unit__name",
              "responsible_unit__short_name", "site__name")


def finding_rows(user) -> QuerySet[Finding]:
    """:func:`findings_visible_to` with only what the list page's rows show.

    Three tables joined instead of five (no reporter, no major category) and a fifth of the columns:
    planning the five-table join cost PostgreSQL more than running it.
    """
    return findings_visible_to(user).select_related(None).select_related(
        "category", "responsible_unit", "site").only(*ROW_FIELDS)


def finding_detail(user, pk: int) -> Finding:
    """One visible finding with its photos and history, or DoesNotExist (the view answers 404)."""
    photos = Prefetch("photos", queryset=FindingPhoto.objects.order_by("uploaded_at", "pk"))
    rectifications = Prefetch(
        "rectifications", queryset=Rectification.objects.select_related("by").prefetch_related("photos"))
    verifications = Prefetch("verifications", queryset=Verification.objects.select_related("by"))
    events = Prefetch("events", queryset=FindingEvent.objects.select_related("by", "from_unit", "to_unit", "person"))
    extensions = Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("by", "decided_by"))
    return (findings_visible_to(user)
            .select_related("inspection", "standard", "rebound_of", "check_item", "point_type", "campaign", "handler")
            .prefetch_related(photos, rectifications, verifications, events, extensions)
            .get(pk=pk))


def photo_for(user, pk: int) -> FindingPhoto:
    """A photo whose finding ``user`` may see, or DoesNotExist."""
    return FindingPhoto.objects.select_related("finding").get(
        pk=pk, finding__in=findings_visible_to(user).values("pk"))


def unit_open_findings(user) -> QuerySet[Finding]:
    """The findings the user's unit answers for that are still open or awaiting verification, soonest first."""
    if not getattr(user, "unit_id", None):
        return Finding.objects.none()
    qs = findings_visible_to(user).filter(
        responsible_unit__path__startswith=user.unit.path,
        status__in=[*Finding.OPEN_STATUSES, Finding.Status.RECTIFIED],
    )
    return qs.order_by("deadline", "pk")


def history(finding: Finding) -> list:
    """Report, rectifications, verifications, routing and requests for more time in time order, from
    prefetched rows: (kind, at, by, row); a report's row is the unit it was first sent to."""
    moves = list(finding.events.all())
    first_unit = moves[0].from_unit if moves else finding.responsible_unit
    events = [("reported", finding.reported_at, finding.reporter, first_unit)]
    events += [("rectified", r.at, r.by, r) for r in finding.rectifications.all()]
    events += [(v.result, v.at, v.by, v) for v in finding.verifications.all()]
    events += [(e.kind, e.at, e.by, e) for e in moves]
    for request in finding.extensions.all():
        events.append(("extension_asked", request.at, request.by, request))
        if request.decided_at and request.status != ExtensionRequest.Status.LAPSED:
            events.append((f"extension_{request.status}", request.decided_at, request.decided_by, request))
    return sorted(events, key=lambda e: e[1])


def pending_extension(finding: Finding) -> ExtensionRequest | None:
    """The request for more time waiting on ``finding``, from the prefetched rows."""
    return next((r for r in finding.extensions.all() if r.status == ExtensionRequest.Status.PENDING), None)


def _place_filter(finding: Finding) -> Q:
    if finding.site_id:
        return Q(site_id=finding.site_id)
    lat, lon = round(finding.latitude, PLACE_DECIMALS), round(finding.longitude, PLACE_DECIMALS)
    return Q(site__isnull=True, lat_r=lat, lon_r=lon)


def _placed(qs: QuerySet[Finding]) -> QuerySet[Finding]:
    return qs.annotate(lat_r=Round("latitude", PLACE_DECIMALS), lon_r=Round("longitude", PLACE_DECIMALS))


def relapse_count_at(finding: Finding) -> int:
    """How many times the problem came back at this finding's place during its campaign."""
    return _placed(Finding.objects.filter(campaign_id=finding.campaign_id, is_rebound=True)
                   .exclude(status=Finding.Status.WITHDRAWN)).filter(
        _place_filter(finding)).count()


def relapse_places(campaign: Campaign, *, minimum: int = RELAPSE_THRESHOLD, user=None) -> list[dict]:
    """Places with ``minimum`` or more rebounds in the campaign, worst first.

    A place is a site when the finding names one; otherwise a cell of the
    coordinates rounded to ``PLACE_DECIMALS`` (≈ 100 m, two rebound radii), so
    vendors who move a few metres still count as one place. Three queries.
    """
    qs = _placed(Finding.objects.filter(campaign=campaign, is_rebound=True).exclude(status=Finding.Status.WITHDRAWN))
    if user is not None:
        rule = _visible_findings_q(user)
        if rule is not None:
            qs = qs.filter(rule)
    by_site = dict(qs.filter(site__isnull=False).values_list("site").annotate(n=Count("pk"))
                   .filter(n__gte=minimum).values_list("site", "n"))
    sites = Site.objects.select_related("unit").in_bulk(list(by_site))
    places = [{"site": sites[pk], "latitude": sites[pk].latitude, "longitude": sites[pk].longitude,
               "relapses": n} for pk, n in by_site.items()]
    cells = (qs.filter(site__isnull=True).values("lat_r", "lon_r").annotate(n=Count("pk"))
             .filter(n__gte=minimum).order_by())
    places += [{"site": None, "latitude": c["lat_r"], "longitude": c["lon_r"], "relapses": c["n"]} for c in cells]
    return sorted(places, key=lambda p: (-p["relapses"], str(p["site"] or "")))


# --- inspections ---------------------------------------------------------------

def inspections_visible_to(user) -> QuerySet[Inspection]:
    qs = Inspection.objects.select_related("created_by", "squad", "campaign")
    if not can_see_all_units(user):
        if not getattr(user, "unit_id", None):
            return qs.none()
        path = user.unit.path
        mine = Inspection.objects.filter(
            Q(squad__path__startswith=path) | Q(target_units__path__startswith=path) | Q(inspectors=user)
        ).values("pk")
        qs = qs.filter(pk__in=mine)
    return qs.annotate(finding_count=Count("findings", distinct=True)).order_by("-date", "-pk")


def inspection_detail(user, pk: int) -> Inspection:
    results = Prefetch("results", queryset=CheckResult.objects.select_related("site", "check_item__standard")
                       .order_by("site__name", "check_item__sort_order"))
    return (inspections_visible_to(user)
            .prefetch_related("inspectors", "target_units", "target_sites", results)
            .get(pk=pk))


def inspection_findings(user, inspection: Inspection) -> QuerySet[Finding]:
    return findings_visible_to(user).filter(inspection=inspection)


def open_inspections_of(user) -> QuerySet[Inspection]:
    """The open inspections ``user`` takes part in: the finding form offers them."""
    taking_part = Inspection.inspectors.through.objects.filter(inspection_id=OuterRef("pk"), user_id=user.pk)
    return (Inspection.objects.filter(status=Inspection.Status.OPEN)
            .filter(Q(created_by=user) | Exists(taking_part)).order_by("-date", "-pk"))


def checks_of(point_type: PointType | None) -> QuerySet[CheckItem]:
    if point_type is None:
        return CheckItem.objects.none()
    return point_type.checks.select_related("standard").order_by("sort_order", "pk")


def report_by_site(inspection: Inspection) -> list[dict]:
    """The check-list results grouped by site (prefetched), with counts of failures."""
    groups: dict = {}
    for result in inspection.results.all():
        group = groups.setdefault(result.site_id, {"site": result.site, "results": [], "failed": 0})
        group["results"].append(result)
        group["failed"] += 0 if result.passed else 1
    return list(groups.values())
