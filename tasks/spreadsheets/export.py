"""The responsibility list written as Excel in the bureau's layout, and the blank template."""

from __future__ import annotations

import io

from django.db.models import Count, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from accounts.models import User
from campaign.core.spreadsheets import safe_cell
from tasks.models import Task
from tasks.spreadsheets.layout import (
    COLUMNS,
    WIDTHS,
)


def _header(ws) -> None:
    ws.append(COLUMNS)
    for cell, width in zip(ws[1], WIDTHS, strict=True):
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDECEA")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _person_names(tasks: list[Task]) -> dict[int, str]:
    """How to write each person: the full name, or the username when two people share the name."""
    shared = set(
        User.objects.exclude(full_name="").values("full_name").annotate(n=Count("pk")).filter(n__gt=1)
        .values_list("full_name", flat=True)
    )
    names = {}
    for task in tasks:
        for person in (task.responsible, task.supervisor):
            if person is not None:
                names[person.pk] = person.username if (not person.full_name or person.full_name in shared) \
                    else person.full_name
    return names


def export_workbook(tasks: QuerySet[Task]) -> bytes:
    """The tasks in the bureau's layout, by 序号; parents outside ``tasks`` keep their 序号 as a reference."""
    rows = list(tasks.select_related("unit", "responsible", "supervisor", "parent")
                .prefetch_related("standards").order_by("seq"))
    names = _person_names(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "责任清单"
    _header(ws)
    for task in rows:
        codes = "、".join(s.code for s in sorted(task.standards.all(), key=lambda s: s.code))
        ws.append([safe_cell(v) for v in (
            task.seq, task.content, task.unit.name, names[task.responsible_id],
            names.get(task.supervisor_id, ""), task.deadline, task.criteria, codes,
            task.parent.seq if task.parent_id else None,
        )])
        ws.cell(row=ws.max_row, column=6).number_format = "yyyy-mm-dd"
        for col in (2, 7):
            ws.cell(row=ws.max_row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    return _workbook_bytes(wb)


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "责任清单"
    _header(ws)
    notes = wb.create_sheet("填写说明")
    for line in (
        ["列", "说明"],
        ["序号", "整数，本次攻坚内唯一；留空则自动编号。"],
        ["任务内容", "必填。"],
        ["责任单位", "必填，单位全称或简称，如“第一中队”。"],
        ["责任人", "必填，姓名或登录名，须属于责任单位。"],
        ["分管领导", "选填，姓名或登录名。"],
        ["完成时限", "必填，日期，如 2026-05-31，须在攻坚期内。"],
        ["完成标准", "选填。"],
        ["对应测评标准", "选填，测评标准编号，多个用顿号分隔，如 Ⅲ-59-1、Ⅲ-59-2。"],
        ["上级任务序号", "选填，分解任务时填写上级任务的序号（本表或系统中已有）。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 70
    return _workbook_bytes(wb)
