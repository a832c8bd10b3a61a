"""Load the evaluation framework, point types with their check lists, and event categories from YAML.

The shipped files live in ``campaign/data`` (copied from the team's shared
data, with this project's additions marked in each file). Loading is
all-or-nothing: every file is parsed and checked first, and a problem is
reported with its place (file, line or path) and reason before anything is
written. Loading is idempotent: rows are matched on their natural keys and
only missing ones are created, so a second load changes nothing and an
administrator's edits survive a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from campaign.models import (
    CheckItem,
    Content,
    EventCategory,
    Framework,
    FrameworkItem,
    Indicator,
    NegativeListItem,
    PointType,
    Standard,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORK_FILE = DATA_DIR / "evaluation_framework_2015.yaml"
POINTS_FILE = DATA_DIR / "inspection_points.yaml"
CASES_FILE = DATA_DIR / "urban_management_cases.yaml"


class DataFileError(Exception):
    """A data file that cannot be loaded: ``place`` says where, the message says why."""

    def __init__(self, source: str, place: str, reason: str):
        self.source, self.place, self.reason = source, place, reason
        super().__init__(f"{source}: {place}: {reason}")


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.existing
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


# --- reading and checking ---------------------------------------------------------------

def read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path.name, "file", f"cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path.name, f"byte {exc.start}", "is not UTF-8 text") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise DataFileError(path.name, place, f"is not valid YAML ({exc.problem})") from exc
    if not isinstance(data, dict):
        raise DataFileError(path.name, "top level", "must be a mapping of keys to values")
    return data


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, place: str, reason: str):
        raise DataFileError(self.source, place, reason)

    def text(self, mapping: dict, key: str, place: str) -> str:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(place, f'"{key}" is missing')
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.fail(place, f'"{key}" must be text')
        return str(value).strip()

    def items(self, mapping: dict, key: str, place: str, *, required: bool = True) -> list:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None:
            if required:
                self.fail(place, f'"{key}" is missing')
            return []
        if not isinstance(value, list):
            self.fail(place, f'"{key}" must be a list')
        return value

    def unique(self, seen: set, code: str, place: str) -> None:
        if code in seen:
            self.fail(place, f'code "{code}" appears twice')
        seen.add(code)


def check_framework(data: dict, source: str = FRAMEWORK_FILE.name) -> dict:
    """Return the framework as plain nested dicts, or raise DataFileError at the first problem."""
    c = _Checker(source)
    result = {
        "edition": c.text(data, "edition", "top level"),
        "name": c.text(data, "name", "top level"),
        "items": [],
        "negative": [],
        "scope": set(),
    }
    seen: set[str] = set()
    for i, item in enumerate(c.items(data, "items", "top level")):
        ip = f"items[{i}]"
        if not isinstance(item, dict):
            c.fail(ip, "must be a mapping with code, name and indicators")
        code = c.text(item, "code", ip)
        ip = f"items[{i}] ({code})"
        c.unique(seen, code, ip)
        out_item = {"code": code, "name": c.text(item, "name", ip), "indicators": []}
        for j, ind in enumerate(c.items(item, "indicators", ip)):
            jp = f"{ip} → indicators[{j}]"
            icode = c.text(ind, "code", jp)
            jp = f"{ip} → indicators[{j}] ({icode})"
            c.unique(seen, icode, jp)
            out_ind = {"code": icode, "name": c.text(ind, "name", jp), "contents": []}
            for k, content in enumerate(c.items(ind, "contents", jp)):
                kp = f"{jp} → contents[{k}]"
                ccode = c.text(content, "code", kp)
                kp = f"{jp} → contents[{k}] ({ccode})"
                c.unique(seen, ccode, kp)
                standards = []
                for n, std in enumerate(c.items(content, "standards", kp, required=False), start=1):
                    if not isinstance(std, str) or not std.strip():
                        c.fail(f"{kp} → standards[{n - 1}]", "must be the text of the standard")
                    standards.append(std.strip())
                out_ind["contents"].append({"code": ccode, "name": c.text(content, "name", kp),
                                            "standards": standards})
            out_item["indicators"].append(out_ind)
        result["items"].append(out_item)
    negative = data.get("negative_list_example")
    negatives = negative if isinstance(negative, list) else ([negative] if negative else [])
    for i, neg in enumerate(negatives + c.items(data, "negative_list", "top level", required=False)):
        place = f"negative list[{i}]"
        result["negative"].append({"code": c.text(neg, "code", place), "text": c.text(neg, "text", place),
                                   "penalty": str(neg.get("penalty") or "")})
    for i, code in enumerate(c.items(data, "bureau_scope", "top level", required=False)):
        if str(code) not in seen:
            c.fail(f"bureau_scope[{i}]", f'"{code}" is not a content code of this framework')
        result["scope"].add(str(code))
    return result


def check_points(data: dict, source: str = POINTS_FILE.name) -> dict:
    c = _Checker(source)
    names = []
    for i, name in enumerate(c.items(data, "point_types", "top level") + c.items(
            data, "extra_point_types", "top level", required=False)):
        if not isinstance(name, str) or not name.strip():
            c.fail(f"point_types[{i}]", "must be the name of a point type")
        names.append(name.strip())
    known = set(names)
    aliases = data.get("point_aliases") or {}
    if not isinstance(aliases, dict):
        c.fail("point_aliases", "must map a name to a list of point types")
    lists = []
    for i, checklist in enumerate(c.items(data, "checklists", "top level")):
        place = f"checklists[{i}]"
        if not isinstance(checklist, dict):
            c.fail(place, "must be a mapping with points, content and checks")
        targets: list[str] = []
        for point in c.items(checklist, "points", place):
            mapped = aliases.get(point, [point])
            for name in mapped:
                if name not in known:
                    c.fail(f"{place} → points", f'"{point}" is not a point type and has no alias')
                if name not in targets:
                    targets.append(name)
        checks = c.items(checklist, "checks", place)
        for j, check in enumerate(checks):
            if not isinstance(check, str) or not check.strip():
                c.fail(f"{place} → checks[{j}]", "must be the text of the check")
        lists.append({"points": targets, "content": c.text(checklist, "content", place),
                      "checks": [s.strip() for s in checks]})
    return {"point_types": names, "checklists": lists}


def check_categories(data: dict, source: str = CASES_FILE.name) -> list[dict]:
    c = _Checker(source)
    categories = data.get("event_categories")
    if not isinstance(categories, dict) or not categories:
        c.fail("event_categories", "must map each 大类 to its list of 小类")
    limits = data.get("time_limits_hours") or {}
    defaults = limits.get("default", {}) if isinstance(limits, dict) else {}
    exceptions = limits.get("exceptions", {}) if isinstance(limits, dict) else {}
    result = []
    for major, minors in categories.items():
        place = f"event_categories → {major}"
        if not isinstance(minors, list) or not minors:
            c.fail(place, "must be a list of 小类")
        default = defaults.get(major, 48)
        out_minors = []
        for j, minor in enumerate(minors):
            if not isinstance(minor, str) or not minor.strip():
                c.fail(f"{place}[{j}]", "must be the name of a 小类")
            hours = exceptions.get(minor, default)
            if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
                c.fail(f"time_limits_hours → {minor}", "must be a whole number of hours above 0")
            out_minors.append({"name": minor.strip(), "hours": hours})
        result.append({"name": str(major).strip(), "minors": out_minors})
    return result


# --- writing ------------------------------------------------------------------------------

def load_all(
    framework_file: Path = FRAMEWORK_FILE, points_file: Path = POINTS_FILE, cases_file: Path = CASES_FILE
) -> tuple[Framework, LoadReport]:
    """Check all three files, then load them in one transaction."""
    framework_data = check_framework(read_yaml(framework_file), framework_file.name)
    points_data = check_points(read_yaml(points_file), points_file.name)
    categories = check_categories(read_yaml(cases_file), cases_file.name)
    report = LoadReport()
    with transaction.atomic():
        framework = _load_framework(framework_data, report)
        _load_points(points_data, framework, report)
        _load_categories(categories, report)
    return framework, report


def _get_or_create(model, report: LoadReport, kind: str, defaults: dict | None = None, **keys):
    obj, created = model.objects.get_or_create(defaults=defaults or {}, **keys)
    report.count(kind, created)
    return obj


def _load_framework(data: dict, report: LoadReport) -> Framework:
    framework = _get_or_create(Framework, report, "framework", defaults={"name": data["name"]},
                               edition=data["edition"])
    for i, item in enumerate(data["items"]):
        db_item = _get_or_create(FrameworkItem, report, "item", framework=framework, code=item["code"],
                                 defaults={"name": item["name"], "sort_order": i})
        for j, ind in enumerate(item["indicators"]):
            db_ind = _get_or_create(Indicator, report, "indicator", framework=framework, code=ind["code"],
                                    defaults={"name": ind["name"], "item": db_item, "sort_order": j})
            for content in ind["contents"]:
                in_scope = content["code"] in data["scope"]
                db_content = _get_or_create(
                    Content, report, "content", framework=framework, code=content["code"],
                    defaults={"name": content["name"], "indicator": db_ind, "bureau_scope": in_scope,
                              "sort_order": _sort_key(content["code"])},
                )
                for n, text in enumerate(content["standards"], start=1):
                    _get_or_create(Standard, report, "standard", content=db_content, number=n,
                                   defaults={"framework": framework, "code": f"{content['code']}-{n}",
                                             "text": text, "bureau_scope": db_content.bureau_scope})
    for neg in data["negative"]:
        _get_or_create(NegativeListItem, report, "negative", framework=framework, code=neg["code"],
                       defaults={"text": neg["text"], "penalty": neg["penalty"]})
    return framework


def _sort_key(code: str) -> int:
    digits = "".join(ch for ch in code.split("-")[-1] if ch.isdigit())
    return int(digits) if digits else 0


def _load_points(data: dict, framework: Framework, report: LoadReport) -> None:
    types = {}
    for i, name in enumerate(data["point_types"]):
        types[name] = _get_or_create(PointType, report, "point_type", name=name, defaults={"sort_order": i})
    contents = {c.code: c for c in Content.objects.filter(framework=framework)}
    for checklist in data["checklists"]:
        content = contents.get(checklist["content"])
        reference = "" if content else checklist["content"]
        for name in checklist["points"]:
            for order, text in enumerate(checklist["checks"]):
                _get_or_create(CheckItem, report, "check", point_type=types[name], text=text,
                               defaults={"content": content, "reference": reference,
                                         "standard": _matching_standard(content, text),
                                         "sort_order": order})


def _matching_standard(content: Content | None, text: str) -> Standard | None:
    """The content's standard that shares the most characters with the check's wording, if any is close."""
    if content is None:
        return None
    best, best_score = None, 0.0
    for standard in content.standards.all():
        common = len(set(text) & set(standard.text))
        score = common / max(len(set(text)), 1)
        if score > best_score:
            best, best_score = standard, score
    return best if best_score >= 0.5 else None


def _load_categories(categories: list[dict], report: LoadReport) -> None:
    for i, major in enumerate(categories):
        parent = _get_or_create(EventCategory, report, "category", parent=None, name=major["name"],
                                defaults={"sort_order": i})
        for j, minor in enumerate(major["minors"]):
            _get_or_create(EventCategory, report, "category", parent=parent, name=minor["name"],
                           defaults={"time_limit_hours": minor["hours"], "sort_order": j})
