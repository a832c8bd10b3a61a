"""The findings list as an Excel workbook, with absolute links to every photo."""

from __future__ import annotations

import io
from urllib.parse import urljoin

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from campaign.core.spreadsheets import safe_cell
from inspections.models import Finding, FindingPhoto

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def findings_workbook(findings: QuerySet[Finding], *, base_url: str) -> bytes:
    """One row per finding, in the list's order; photos as absolute links (two queries).

    Written row by row (openpyxl's write-only mode): a squad's export at five districts' size is thousands
    of rows, and a workbook kept whole in memory costs a sync worker its time and memory twice over."""
    photos = Prefetch("photos", queryset=FindingPhoto.objects.order_by("uploaded_at", "pk").only(
        "pk", "finding_id", "phase", "uploaded_at"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Findings")[:31])
    for column, width in zip("ABCDEFGHIJKLMNOPQRSTUV", (7, 17, 16, 12, 14, 40, 8, 14, 18, 24, 11, 11, 17, 12, 8,
                                                          8, 9, 10, 17, 10, 50, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    headers = [
        _("No."), _("Reported at"), _("Tier"), _("Major category"), _("Category"), _("Description"),
        _("Severity"), _("Responsible unit"), _("Site"), _("Address"), _("Latitude"), _("Longitude"),
        _("Deadline"), _("Status"), _("Light"), _("Reworks"), _("Rebound of"), _("Reported by"),
        _("Closed at"), _("Rectified on time"), _("Photos before"), _("Photos after"),
    ]
    bold = Font(bold=True)
    sheet.append([_bold(sheet, text, bold) for text in headers])
    for row in _rows(findings.prefetch_related(photos), base_url):
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet, value, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _rows(findings, base_url: str):
    # Labels and the photo link's shape are looked up once, not once a row.
    tiers, severities, statuses = (dict(Finding._meta.get_field(name).flatchoices)
                                   for name in ("tier", "severity", "status"))
    lights = {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red"), "": ""}
    on_time = {True: _("Yes"), False: _("No"), None: ""}
    photo_url = urljoin(base_url, reverse("inspections:finding_photo", args=[0])).rsplit("0/", 1)[0] + "{}/"
    for finding in findings:
        links = {FindingPhoto.Phase.BEFORE: [], FindingPhoto.Phase.AFTER: []}
        for photo in finding.photos.all():
            links[photo.phase].append(photo_url.format(photo.pk))
        yield [
            finding.pk, _local(finding.reported_at), str(tiers[finding.tier]), finding.category.parent.name,
            finding.category.name, finding.description, str(severities[finding.severity]),
            finding.responsible_unit.name, finding.site.name if finding.site else "", finding.address,
            float(finding.latitude), float(finding.longitude), _local(finding.deadline),
            str(statuses[finding.status]), lights.get(getattr(finding, "light", ""), ""), finding.rework_count,
            finding.rebound_of_id or "", finding.reporter.display_name, _local(finding.closed_at),
            on_time[finding.closed_on_time],
            "\n".join(links[FindingPhoto.Phase.BEFORE]), "\n".join(links[FindingPhoto.Phase.AFTER]),
        ]
