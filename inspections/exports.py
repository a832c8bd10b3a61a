"""The findings list as an Excel workbook, with absolute links to every photo."""

from __future__ import annotations

import io
from urllib.parse import urljoin

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from campaign.core.spreadsheets import safe_cell
from inspections.models import Finding, FindingPhoto

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def findings_workbook(findings: QuerySet[Finding], *, base_url: str) -> bytes:
    """One row per finding, in the list's order; photos as absolute links (two queries)."""
    photos = Prefetch("photos", queryset=FindingPhoto.objects.order_by("uploaded_at", "pk").only(
        "pk", "finding_id", "phase", "uploaded_at"))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Findings")[:31]
    headers = [
        _("No."), _("Reported at"), _("Tier"), _("Major category"), _("Category"), _("Description"),
        _("Severity"), _("Responsible unit"), _("Site"), _("Address"), _("Latitude"), _("Longitude"),
        _("Deadline"), _("Status"), _("Light"), _("Reworks"), _("Rebound of"), _("Reported by"),
        _("Closed at"), _("Rectified on time"), _("Photos before"), _("Photos after"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    lights = {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red"), "": ""}
    for finding in findings.prefetch_related(photos):
        links = {FindingPhoto.Phase.BEFORE: [], FindingPhoto.Phase.AFTER: []}
        for photo in finding.photos.all():
            links[photo.phase].append(urljoin(base_url, reverse("inspections:finding_photo", args=[photo.pk])))
        row = [
            finding.pk, _local(finding.reported_at), finding.get_tier_display(), finding.category.parent.name,
            finding.category.name, finding.description, finding.get_severity_display(),
            finding.responsible_unit.name, finding.site.name if finding.site else "", finding.address,
            float(finding.latitude), float(finding.longitude), _local(finding.deadline),
            finding.get_status_display(), lights.get(getattr(finding, "light", ""), ""), finding.rework_count,
            finding.rebound_of_id or "", finding.reporter.display_name, _local(finding.closed_at),
            {True: _("Yes"), False: _("No"), None: ""}[finding.closed_on_time],
            "\n".join(links[FindingPhoto.Phase.BEFORE]), "\n".join(links[FindingPhoto.Phase.AFTER]),
        ]
        sheet.append([safe_cell(v) for v in row])
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUV", (7, 17, 16, 12, 14, 40, 8, 14, 18, 24, 11, 11, 17, 12, 8,
                                                          8, 9, 10, 17, 10, 50, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
