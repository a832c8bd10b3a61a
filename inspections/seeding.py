"""The benchmark district's findings round the closed loop, with rebounds, inspections and photos.

``campaign.large`` builds the district and runs this step (registered in ``InspectionsConfig.ready``).
Bulk inserts skip ``save()`` and the services, so this module applies the services' own rules
(``inspections.rules``) to the rows it builds:

* a finding is dispatched when reported, with the category's time limit as its deadline
  (``proposed_deadline``) and its period, deadline and yellow light set by ``start_period``;
* it goes round the closed loop through ``mark_rectified``, ``mark_returned`` (counted, a new
  period and deadline) and ``mark_closed`` (``closed_on_time`` against the deadline in force),
  so its status, timestamps and version are what the services would have left;
* it is a rebound iff ``rebound_source`` finds an earlier finding it repeats (``repeats``: same
  category, closed within the campaign's window before the report, at the same site or within the
  radius), and then links to the most recently closed one. An in-memory index of the closed
  findings stands in for the service's query.

Photos: one small generated JPEG is stored once; every finding has one
"before" photo row pointing at that file (the rows are real, the pixels shared).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import random
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Unit
from campaign.core import bulk
from campaign.large.base import Built
from campaign.models import Campaign, EventCategory
from inspections import rules
from inspections.models import Finding, FindingPhoto, Inspection, Rectification, Tier, Verification


def seed_large(built: Built) -> None:
    """The large district's findings, reported over the campaign by all three tiers, each round its loop."""
    findings, loops, rebound_links = _report(built)
    inspections = _inspections(built.campaign, findings)
    Inspection.objects.bulk_create(inspections.values(), batch_size=bulk.BATCH)
    for finding in findings:
        finding.inspection = inspections[_inspection_key(finding)]
    Finding.objects.bulk_create(findings, batch_size=bulk.BATCH)
    # The source has a key only now: the links are written after both rows exist.
    for finding, source in rebound_links:
        finding.is_rebound, finding.rebound_of = True, source
    Finding.objects.bulk_update([f for f, _s in rebound_links], ["is_rebound", "rebound_of"],
                                batch_size=bulk.UPDATE_BATCH)
    rectifications, verifications = [], []
    for finding, (rects, verifs) in zip(findings, loops, strict=True):
        for row in rects + verifs:
            row.finding = finding
        rectifications += rects
        verifications += verifs
    bulk.insert(Rectification, rectifications)
    bulk.insert(Verification, verifications)
    _photos(findings)
    built.counts.update(findings=len(findings), rebounds=len(rebound_links), inspections=len(inspections),
                        rectifications=len(rectifications), verifications=len(verifications))


def _report(built: Built):
    """Every finding in the order reported, walked round its loop: the findings, their loops' rows, the rebounds."""
    campaign, squads, people, rng, now = built.campaign, built.squads, built.people, built.rng, built.now
    categories = list(EventCategory.objects.filter(parent__isnull=False, is_active=True).order_by("pk"))
    start_dt = datetime.datetime.combine(campaign.start_date, datetime.time(8), tzinfo=now.tzinfo)
    span = (now - datetime.timedelta(hours=1)) - start_dt
    moments = sorted(start_dt + span * rng.random() for _ in range(built.plan.findings))
    tier3 = {s.pk: people[f"members:{s.pk}"][0] for s in squads}
    index = _ClosedIndex(campaign)
    findings, loops, rebound_links = [], [], []
    for reported in moments:
        tier = rng.choices([1, 2, 3], weights=[1, 6, 3])[0]
        squad = rng.choice(squads)
        reporter = (rng.choice(people["leaders"]) if tier == 1 else rng.choice(people["inspectors"]) if tier == 2
                    else tier3[squad.pk])
        finding = Finding(campaign=campaign, tier=tier, reporter=reporter, severity="general", responsible_unit=squad,
                          status=Finding.Status.DISPATCHED, reported_at=reported, dispatched_at=reported)
        _place(finding, squad, built.sites[squad.pk], rng)
        category = (index.recent_category(finding) if rng.random() < 0.15 else None) or rng.choice(categories)
        finding.category = category
        finding.description = f"{finding.site.name if finding.site else squad.jurisdiction}发现{category.name}问题"
        rules.start_period(finding, at=reported, deadline=rules.proposed_deadline(category, reported))
        source = index.source_for(finding)
        if source is not None:
            rebound_links.append((finding, source))
        loops.append(_loop(finding, rng, now, people, squad))
        findings.append(finding)
        index.add(finding)
    return findings, loops, rebound_links


def _place(finding: Finding, squad: Unit, sites, rng: random.Random) -> None:
    if rng.random() < 0.4:  # at a known site (its point type), a little off its marker
        site = rng.choice(sites)
        finding.site, finding.point_type_id, finding.address = site, site.point_type_id, site.address
        finding.location_source = Finding.LocationSource.SITE
        lat = float(site.latitude) + rng.uniform(-0.0002, 0.0002)
        lon = float(site.longitude) + rng.uniform(-0.0002, 0.0002)
    else:  # somewhere on the squad's streets, located by the phone
        (s, w), _, (n, e), _ = squad.boundary
        lat, lon = rng.uniform(s, n), rng.uniform(w, e)
        finding.location_source = Finding.LocationSource.BROWSER
    finding.latitude, finding.longitude = Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


class _ClosedIndex:
    """Closed findings by site and by ~110 m grid cell: the candidates the rebound rule decides among.

    The rule is ``rules.repeats``, as in ``inspections.services.find_rebound_source``; this index only
    stands in for that service's query, so the seeding asks no query per finding.
    """

    CELL = 0.001  # degrees; larger than the radius in latitude, so the 3 × 3 neighbourhood covers it

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.window = datetime.timedelta(days=campaign.rebound_window_days)
        self.by_site: dict[int, list[Finding]] = defaultdict(list)
        self.by_cell: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        # The rule only ever matches the same category: keyed by it too, a lookup reads a handful of rows
        # where the whole site's or cell's history would grow with the number of findings.
        self.by_site_category: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        self.by_cell_category: dict[tuple[int, int, int], list[Finding]] = defaultdict(list)

    def _cell(self, finding: Finding) -> tuple[int, int]:
        return int(float(finding.latitude) // self.CELL), int(float(finding.longitude) // self.CELL)

    def add(self, finding: Finding) -> None:
        if finding.closed_at is None:
            return
        cell = self._cell(finding)
        if finding.site is not None:
            self.by_site[finding.site.pk].append(finding)
            self.by_site_category[finding.site.pk, finding.category_id].append(finding)
        self.by_cell[cell].append(finding)
        self.by_cell_category[(*cell, finding.category_id)].append(finding)

    def recent_category(self, finding: Finding):
        """A category closed recently at this site or cell: lets some findings repeat (so rebounds happen)."""
        rows = self.by_site.get(finding.site.pk, []) if finding.site else self.by_cell.get(self._cell(finding), [])
        at = finding.reported_at
        recent = [f for f in rows if at - self.window <= f.closed_at <= at]
        return recent[-1].category if recent else None

    def source_for(self, finding: Finding) -> Finding | None:
        category = finding.category_id
        candidates = list(self.by_site_category.get((finding.site.pk, category), ())) if finding.site else []
        cy, cx = self._cell(finding)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                candidates += self.by_cell_category.get((cy + dy, cx + dx, category), ())
        candidates.sort(key=lambda f: f.closed_at, reverse=True)
        return rules.rebound_source(candidates, campaign=self.campaign, category_id=category,
                                    site_id=finding.site.pk if finding.site else None, latitude=finding.latitude,
                                    longitude=finding.longitude, at=finding.reported_at)


def _loop(finding: Finding, rng: random.Random, now: datetime.datetime, people, squad: Unit):
    """Walk one finding through the closed loop up to ``now``; returns its rectification and verification rows."""
    rects, verifs = [], []
    unit_person = people[f"leader:{squad.pk}"][0]
    verifier = finding.reporter
    period = finding.deadline - finding.clock_start
    while True:
        rectified = finding.clock_start + period * rng.uniform(0.15, 1.25)
        if rectified > now:
            return rects, verifs  # still dispatched / returned: open
        rects.append(Rectification(by=unit_person, note="已整改到位", at=rectified))
        rules.mark_rectified(finding, at=rectified)
        verified = rectified + datetime.timedelta(hours=rng.uniform(2, 48))
        if verified > now:
            return rects, verifs  # awaiting verification
        if rng.random() < 0.12 and finding.rework_count < 3:
            new_deadline = verified + period
            verifs.append(Verification(by=verifier, result=Verification.Result.RETURNED, note="整改不彻底，返工",
                                       new_deadline=new_deadline, at=verified))
            rules.mark_returned(finding, at=verified, new_deadline=new_deadline)
            continue
        verifs.append(Verification(by=verifier, result=Verification.Result.CLOSED, note="复查合格，销号", at=verified))
        rules.mark_closed(finding, at=verified)
        return rects, verifs


def _photos(findings: list[Finding]) -> None:
    """One "before" photo row per finding, all pointing at one small stored picture."""
    picture = Image.new("RGB", (160, 120), (96, 125, 139))
    ImageDraw.Draw(picture).rectangle((10, 80, 150, 110), fill=(230, 230, 230))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=70)
    data = out.getvalue()
    name = default_storage.save("private/inspections/large/shared-before.jpg", ContentFile(data))
    digest = hashlib.sha256(data).hexdigest()
    bulk.insert(FindingPhoto, [
        FindingPhoto(finding=f, phase=FindingPhoto.Phase.BEFORE, file=name, original_name="现场.jpg",
                     content_type="image/jpeg", size=len(data), sha256=digest, is_image=True, width=160, height=120,
                     uploaded_by=f.reporter, uploaded_at=f.reported_at)
        for f in findings])


def _inspection_key(finding: Finding):
    return finding.tier, finding.reporter.username, timezone.localdate(finding.reported_at)


def _inspections(campaign: Campaign, findings: list[Finding]) -> dict:
    """One finished inspection per inspector and day: the findings of that outing belong to it."""
    inspections: dict = {}
    tz = timezone.get_current_timezone()
    for finding in findings:
        key = _inspection_key(finding)
        if key not in inspections:
            tier, _user, day = key
            inspections[key] = Inspection(
                campaign=campaign, tier=tier, topic=f"{day:%m月%d日}{Tier(tier).label[:6]}", date=day,
                created_by=finding.reporter, squad=finding.responsible_unit if tier == Tier.INTERNAL else None,
                status=Inspection.Status.FINISHED,
                finished_at=min(timezone.now(), datetime.datetime.combine(day, datetime.time(23, 0), tzinfo=tz)),
                summary="本次督查发现的问题已全部交办")
    return inspections
