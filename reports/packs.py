"""The monthly meeting pack: one ZIP with the agenda (Word), the unit tables (Excel), the bulletins (PDF)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from campaign.core.spreadsheets import safe_cell
from reports import documents
from reports.models import Meeting
from reports.selectors import month_bulletins


def unit_columns() -> list[tuple[str, str]]:
    return [
        ("rank", _("Rank")), ("unit", _("Unit")), ("score", _("Score")), ("tasks_due", _("Due")),
        ("tasks_done", _("Done")), ("tasks_done_on_time", _("On time")), ("tasks_overdue", _("Overdue")),
        ("findings_tier1", _("Tier 1")), ("findings_tier2", _("Tier 2")), ("findings_tier3", _("Tier 3")),
        ("on_time_rectification_rate", _("Rectified on time %")), ("rework_rate", _("Rework %")),
        ("rebounds_week", _("Rebounds")), ("open_past_deadline", _("Open past deadline")),
        ("bureau_to_squad_median_hours", _("Wait: bureau → squad (h)")),
        ("squad_to_member_median_hours", _("Wait: squad → member (h)")), ("tasks_idle", _("Idle 7+ days")),
    ]


def _unit_sheet(book: Workbook, title: str, heading: str, units: list[dict]) -> None:
    sheet = book.create_sheet(title=title[:31])
    columns = unit_columns()
    sheet.append([safe_cell(heading)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([label for _key, label in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in units:
        sheet.append([safe_cell(row.get(key)) for key, _label in columns])
    for index, (key, _label) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if key == "unit" else 10
    sheet.freeze_panes = "C3"


def unit_tables_xlsx(meeting: Meeting, bulletins) -> bytes:
    book = Workbook()
    book.remove(book.active)
    period = meeting.figures.get("period", {})
    _unit_sheet(book, _("Month so far"), _("%(title)s — %(start)s to %(end)s") % {
        "title": meeting.title, "start": period.get("start", ""), "end": period.get("end", "")},
        meeting.figures.get("units", []))
    for bulletin in bulletins:
        _unit_sheet(book, _("No. %(n)s") % {"n": bulletin.number},
                    f"{bulletin.issue_no} {bulletin.week_start} — {bulletin.week_end}",
                    bulletin.figures.get("units", []))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def agenda_docx(meeting: Meeting) -> bytes:
    doc = documents.official_document(
        issuer=documents._bureau_name(), issue_no=f"{meeting.campaign.document_prefix}〔{meeting.date.year}〕"
        f"{meeting.date.month}月推进会", title=meeting.title)
    documents._paragraph(doc, _("Date: %(date)s  Location: %(place)s") % {
        "date": meeting.date.strftime("%Y年%-m月%-d日"), "place": meeting.location or "—"})
    for number, item in enumerate(meeting.items.select_related("unit", "speaker"), start=1):
        speaker = f"（{item.speaker.display_name}）" if item.speaker else ""
        documents._heading(doc, f"{number}. {item.title}{speaker}")
        minutes = _("%(n)s minutes") % {"n": item.minutes}
        documents._paragraph(doc, f"{item.get_kind_display()} · {minutes}")
        for line in filter(None, item.note.splitlines()):
            documents._paragraph(doc, line)
    return documents._save(doc)


def meeting_zip(meeting: Meeting, progress: Callable[[int, str], None] = lambda p, s: None) -> bytes:
    bulletins = list(month_bulletins(meeting))
    steps = 2 + len(bulletins)
    out = io.BytesIO()
    # gettext calls stay outside f-strings: xgettext does not look inside them.
    agenda, tables, bulletin_name = _("agenda"), _("unit tables"), _("bulletin")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        progress(5, _("Agenda"))
        archive.writestr(f"01-{agenda}.docx", agenda_docx(meeting))
        progress(int(100 * 1 / steps), _("Unit tables"))
        archive.writestr(f"02-{tables}.xlsx", unit_tables_xlsx(meeting, bulletins))
        for done, bulletin in enumerate(bulletins, start=2):
            progress(int(100 * done / steps), _("Bulletin No. %(n)s") % {"n": bulletin.number})
            archive.writestr(f"03-{bulletin_name}-{bulletin.number:02d}.pdf", documents.bulletin_pdf(bulletin))
    progress(99, _("Packing"))
    return out.getvalue()

