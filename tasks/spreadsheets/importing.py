"""Import: every row checked before anything is written; any bad row (by number and reason) imports nothing."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from campaign.core.spreadsheets import HEADER_SEARCH_ROWS, RowError, cell_text, find_header, open_workbook
from campaign.models import Campaign, Standard
from tasks import services
from tasks.models import MAX_DEPTH, Task
from tasks.spreadsheets.layout import (
    CODE_SPLIT,
    COLUMNS,
    DATE_FORMATS,
    REQUIRED_COLUMNS,
)


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[Task] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedRow:
    row: int
    seq: int | None = None
    content: str = ""
    unit: Unit | None = None
    responsible: User | None = None
    supervisor: User | None = None
    deadline: datetime.date | None = None
    criteria: str = ""
    standards: list[Standard] = field(default_factory=list)
    parent_seq: int | None = None


_text = cell_text


def _integer(value) -> int | None:
    text = _text(value)
    if not text:
        return None
    if isinstance(value, int | float) and float(value).is_integer() and value > 0:
        return int(value)
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise ValueError(text)


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def normalise_code(code: str) -> str:
    code = code.strip().replace("－", "-").replace("—", "-").replace("–", "-")
    return re.sub(r"^(III|Ⅲ)\s*-", "Ⅲ-", code, flags=re.IGNORECASE)


class _Lookups:
    """Every unit, person and standard loaded once, so checking a 1 000-row sheet is a handful of queries."""

    def __init__(self, campaign: Campaign):
        self.units: dict[str, list[Unit]] = {}
        for unit in Unit.objects.all():
            for key in {unit.name, unit.short_name} - {""}:
                self.units.setdefault(key, []).append(unit)
        self.people: dict[str, list[User]] = {}
        for person in User.objects.filter(is_active=True).select_related("unit"):
            for key in {person.username, person.full_name} - {""}:
                self.people.setdefault(key, []).append(person)
        self.standards = {s.code: s for s in Standard.objects.filter(framework=campaign.framework_id)}
        self.existing = {t.seq: t for t in Task.objects.filter(campaign=campaign).only("pk", "seq", "level",
                                                                                       "unit", "deadline")}

    def unit(self, name: str) -> Unit:
        found = self.units.get(name, [])
        if len(found) != 1:
            raise LookupError(_("unknown unit “%(name)s”") % {"name": name} if not found
                              else _("more than one unit is called “%(name)s”") % {"name": name})
        return found[0]

    def person(self, name: str, unit: Unit | None = None, *, column: str) -> User:
        found = self.people.get(name, [])
        if not found:
            raise LookupError(_("%(column)s: unknown person “%(name)s”") % {"column": column, "name": name})
        by_username = [p for p in found if p.username == name]
        if by_username:
            found = by_username
        if unit is not None:
            inside = [p for p in found if p.unit_id and p.unit.path.startswith(unit.path)]
            if not inside:
                raise LookupError(_("%(column)s: “%(name)s” does not belong to %(unit)s") % {
                    "column": column, "name": name, "unit": unit.name})
            found = inside
        if len(found) > 1:
            raise LookupError(_("%(column)s: more than one person is called “%(name)s”; write the login name")
                              % {"column": column, "name": name})
        return found[0]


def parse(campaign: Campaign, upload) -> tuple[list[ParsedRow], list[RowError], _Lookups | None]:
    """Read and check every row; the rows come back only when there are no errors."""
    try:
        wb = open_workbook(upload)
    except ValueError as exc:
        return [], [RowError(0, str(exc))], None
    rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    found = find_header(rows, marker="任务内容", columns=COLUMNS)
    if found is None:
        return [], [RowError(1, _("No header row with the column “任务内容” in the first %(n)s rows.")
                             % {"n": HEADER_SEARCH_ROWS})], None
    header_index, columns = found
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [], [RowError(header_index + 1, _("Missing column: %(cols)s") % {"cols": "、".join(missing)})], None
    lookups = _Lookups(campaign)
    parsed, errors = [], []
    for offset, raw in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = {name: raw[col] if col < len(raw) else None for name, col in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        row, problems = _parse_row(offset, cells, lookups, campaign)
        parsed.append(row)
        errors.extend(RowError(offset, p) for p in problems)
    errors.extend(_check_tree(parsed, lookups))
    errors.sort(key=lambda e: e.row)
    return parsed, errors, lookups


def _parse_row(number: int, cells: dict, lookups: _Lookups, campaign: Campaign) -> tuple[ParsedRow, list[str]]:
    row, problems = ParsedRow(row=number), []
    for name in REQUIRED_COLUMNS:
        if not _text(cells.get(name)):
            problems.append(_("%(column)s is empty") % {"column": name})
    try:
        row.seq = _integer(cells.get("序号"))
    except ValueError as exc:
        problems.append(_("序号 “%(v)s” is not a whole number") % {"v": exc})
    try:
        row.parent_seq = _integer(cells.get("上级任务序号"))
    except ValueError as exc:
        problems.append(_("上级任务序号 “%(v)s” is not a whole number") % {"v": exc})
    row.content, row.criteria = _text(cells.get("任务内容")), _text(cells.get("完成标准"))
    if unit_name := _text(cells.get("责任单位")):
        try:
            row.unit = lookups.unit(unit_name)
        except LookupError as exc:
            problems.append(str(exc))
    if (person := _text(cells.get("责任人"))) and row.unit is not None:
        try:
            row.responsible = lookups.person(person, row.unit, column="责任人")
        except LookupError as exc:
            problems.append(str(exc))
    if supervisor := _text(cells.get("分管领导")):
        try:
            row.supervisor = lookups.person(supervisor, column="分管领导")
        except LookupError as exc:
            problems.append(str(exc))
    if _text(cells.get("完成时限")):
        try:
            row.deadline = _date(cells.get("完成时限"))
        except ValueError:
            problems.append(_("完成时限 “%(v)s” is not a date") % {"v": _text(cells.get("完成时限"))})
        else:
            if not campaign.start_date <= row.deadline <= campaign.end_date:
                problems.append(_("完成时限 %(d)s is outside the campaign (%(start)s to %(end)s)") % {
                    "d": row.deadline.isoformat(), "start": campaign.start_date.isoformat(),
                    "end": campaign.end_date.isoformat()})
    for code in filter(None, CODE_SPLIT.split(_text(cells.get("对应测评标准")))):
        standard = lookups.standards.get(normalise_code(code))
        if standard is None:
            problems.append(_("unknown standard code “%(code)s”") % {"code": code})
        else:
            row.standards.append(standard)
    return row, problems


def _check_tree(rows: list[ParsedRow], lookups: _Lookups) -> list[RowError]:
    """序号 unique and new; every 上级任务序号 exists (in the file or the campaign); no loops; three levels."""
    errors, by_seq = [], {}
    for row in rows:
        if row.seq is None:
            continue
        if row.seq in by_seq:
            errors.append(RowError(row.row, _("序号 %(seq)s appears twice (also row %(other)s)") % {
                "seq": row.seq, "other": by_seq[row.seq].row}))
        elif row.seq in lookups.existing:
            errors.append(RowError(row.row, _("序号 %(seq)s is already used in this campaign") % {"seq": row.seq}))
        else:
            by_seq[row.seq] = row
    for row in rows:
        if row.parent_seq is None:
            continue
        if row.parent_seq not in by_seq and row.parent_seq not in lookups.existing:
            errors.append(RowError(row.row, _("上级任务序号 %(seq)s is neither in this file nor in the campaign")
                                   % {"seq": row.parent_seq}))
            continue
        depth, node, seen = 1, row, {row.row}
        while node is not None and node.parent_seq is not None:
            depth += 1
            if node.parent_seq in lookups.existing and node.parent_seq not in by_seq:
                depth += lookups.existing[node.parent_seq].depth - 1
                break
            node = by_seq.get(node.parent_seq)
            if node is None:
                break
            if node.row in seen:
                errors.append(RowError(row.row, _("上级任务序号 makes a loop")))
                depth = 0
                break
            seen.add(node.row)
        if depth > MAX_DEPTH:
            errors.append(RowError(row.row, _("too many levels: bureau task → unit task → personal item at most")))
    return errors


def import_tasks(*, campaign: Campaign, by: User, upload) -> ImportResult:
    """Check the whole sheet, then create every task in one transaction, or nothing."""
    rows, errors, lookups = parse(campaign, upload)
    result = ImportResult(errors=errors, rows=len(rows))
    if errors or not rows:
        if not rows and not errors:
            result.errors.append(RowError(0, _("The sheet has no tasks.")))
        return result
    # Rows without a 序号 are numbered after every number in the file and the campaign.
    next_seq = max([r.seq or 0 for r in rows] + list(lookups.existing) + [0]) + 1
    for row in rows:
        if row.seq is None:
            row.seq, next_seq = next_seq, next_seq + 1
    with transaction.atomic():
        created: dict[int, Task] = {}
        pending = list(rows)
        while pending:
            ready = [r for r in pending if r.parent_seq is None or r.parent_seq in created
                     or (r.parent_seq in lookups.existing and r.parent_seq not in {p.seq for p in rows})]
            for row in ready:
                parent = created.get(row.parent_seq) or lookups.existing.get(row.parent_seq)
                try:
                    task = services.task_create(
                        campaign=campaign, by=by, content=row.content, unit=row.unit, responsible=row.responsible,
                        deadline=row.deadline, criteria=row.criteria, supervisor=row.supervisor,
                        standards=row.standards, parent=parent, seq=row.seq)
                except (ValidationError, PermissionDenied) as exc:
                    result.errors.append(RowError(row.row, "; ".join(_messages(exc))))
                    continue
                result.created.append(task)
                created[row.seq] = task
            failed = {e.row for e in result.errors}
            pending = [r for r in pending if r not in ready]
            if not ready:
                # Only children of rows that failed are left: they are reported with their parent.
                for row in pending:
                    if row.row not in failed:
                        result.errors.append(RowError(row.row, _("its parent task could not be imported")))
                break
        if result.errors:
            result.created = []
            transaction.set_rollback(True)
    result.errors.sort(key=lambda e: e.row)
    return result


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]
