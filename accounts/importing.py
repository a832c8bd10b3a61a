"""The people import (花名册): one sheet of the bureau's staff, every row checked before anything is written.

A row names a person by login name: an existing one is brought up to date (name, role, unit, post, mobile,
email, tier-3 designation), a new one is created with the initial password the admin gives on the form. Any
bad row (by number and reason) imports nothing: half a roster is worse than none, since the hand-offs would
reach some squads and not others.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import Unit, User, normalise_mobile
from accounts.services import user_save
from campaign.core.spreadsheets import HEADER_SEARCH_ROWS, RowError, cell_text, find_header, open_workbook

#: The sheet's columns, as the bureau's roster names them; * marks the required ones.
COLUMNS = ("登录名", "姓名", "角色", "单位", "职务", "手机", "邮箱", "三级督查员")
REQUIRED = ("登录名", "姓名", "角色", "单位")
YES = {"是", "Y", "YES", "TRUE", "1", "√"}
NO = {"", "否", "N", "NO", "FALSE", "0"}


@dataclass
class PeopleImport:
    errors: list[RowError] = field(default_factory=list)
    created: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def role_names() -> dict[str, str]:
    """What a roster may write in 角色: the Chinese label, the English one or the code."""
    names = {}
    for role in User.Role:
        names[role.value] = role.value
        names[str(role.label).lower()] = role.value
        with translation.override("zh-hans"):
            names[str(role.label)] = role.value
    names.update({"局领导": User.Role.LEADER, "领导": User.Role.LEADER, "督查员": User.Role.INSPECTOR,
                  "督察员": User.Role.INSPECTOR, "管理员": User.Role.ADMIN})
    return names


def import_people(*, upload, by: User, password: str = "") -> PeopleImport:
    """Check every row, then (only if all are good) save them all in one transaction."""
    result = PeopleImport()
    try:
        workbook = open_workbook(upload)
    except ValueError as exc:
        result.errors.append(RowError(0, str(exc)))
        return result
    rows = [tuple(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    header = find_header(rows, marker="登录名", columns=COLUMNS)
    if header is None:
        result.errors.append(RowError(1, _("No header row with the column “登录名” in the first %(n)s rows.")
                                      % {"n": HEADER_SEARCH_ROWS}))
        return result
    at, columns = header
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.errors.append(RowError(at + 1, _("Missing column: %(cols)s") % {"cols": "、".join(missing)}))
        return result
    planned = _check_rows(rows[at + 1:], first=at + 2, columns=columns, password=password, result=result)
    if result.errors:
        return result
    if not planned:
        result.errors.append(RowError(at + 2, _("The sheet has no people under its header.")))
        return result
    with transaction.atomic():
        for person in planned:
            is_new = person.pk is None
            user_save(user=person, password=password if is_new else None, by=by)
            (result.created if is_new else result.updated).append(person)
    return result


def _check_rows(rows: list[tuple], *, first: int, columns: dict[str, int], password: str,
                result: PeopleImport) -> list[User]:
    """Each row as a person to save (existing ones changed in memory only), its problems into ``result``."""
    units = _units()
    existing = {u.username: u for u in User.objects.filter(username__in=[
        cell_text(r[columns["登录名"]]) for r in rows if columns["登录名"] < len(r)])}
    roles, seen, planned = role_names(), {}, []
    for number, raw in enumerate(rows, start=first):
        cells = {name: cell_text(raw[col]) if col < len(raw) else "" for name, col in columns.items()}
        if not any(cells.values()):
            continue
        person, problems = _person(cells, units, roles, existing)
        username = cells.get("登录名", "")
        if username in seen:
            problems.append(_("登录名 “%(name)s” is on row %(row)s already") % {"name": username,
                                                                            "row": seen[username]})
        seen.setdefault(username, number)
        if person is not None and person.pk is None and not password:
            problems.append(_("a new person: give the initial password on the form"))
        if person is not None and not problems:
            problems += _model_problems(person)
        result.errors += [RowError(number, p) for p in problems]
        planned.append(person)
    return planned


def _units() -> dict[str, list[Unit]]:
    found: dict[str, list[Unit]] = {}
    for unit in Unit.objects.all():
        for name in {unit.name, unit.short_name, unit.code} - {""}:
            found.setdefault(name, []).append(unit)
    return found


def _person(cells: dict, units: dict, roles: dict, existing: dict) -> tuple[User | None, list[str]]:
    problems = [_("%(column)s is empty") % {"column": name} for name in REQUIRED if not cells.get(name)]
    if problems:
        return None, problems
    person = existing.get(cells["登录名"]) or User(username=cells["登录名"])
    person.full_name = cells["姓名"][:60]
    role = roles.get(cells["角色"]) or roles.get(cells["角色"].lower())
    if role is None:
        problems.append(_("角色 “%(role)s” is not one of %(roles)s") % {
            "role": cells["角色"], "roles": "、".join(str(r.label) for r in User.Role)})
    else:
        person.role = role
    matches = units.get(cells["单位"], [])
    if len(matches) != 1:
        problems.append(_("unknown unit “%(name)s”") % {"name": cells["单位"]} if not matches
                        else _("more than one unit is called “%(name)s”") % {"name": cells["单位"]})
    else:
        person.unit = matches[0]
    if "职务" in cells:
        person.title = cells["职务"][:60]
    if "手机" in cells:
        person.phone = normalise_mobile(cells["手机"])
    if "邮箱" in cells:
        person.email = cells["邮箱"]
    if "三级督查员" in cells:
        flag = cells["三级督查员"].upper()
        if flag not in YES | NO:
            problems.append(_("三级督查员 is “是” or “否”, not “%(value)s”") % {"value": cells["三级督查员"]})
        person.is_tier3_inspector = flag in YES
    return person, problems


def _model_problems(person: User) -> list[str]:
    """The model's own rules (a valid mobile, a role that fits the unit, a unique login name)."""
    try:
        person.full_clean(exclude=["password"])
    except ValidationError as exc:
        return [f"{_field_label(name)}: {message}" if name != "__all__" else message
                for name, messages in exc.message_dict.items() for message in messages]
    return []


def _field_label(name: str) -> str:
    try:
        return str(User._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def template_workbook() -> bytes:
    """An empty roster with the header and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append([f"{name}*" if name in REQUIRED else name for name in COLUMNS])
    sheet.append(["wangwu", "王五", "队员", "第一中队", "队员", "13812345678", "wangwu@example.org", "否"])
    for column, width in zip("ABCDEFGH", (14, 10, 10, 16, 12, 16, 24, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
