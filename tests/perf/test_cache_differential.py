"""No page or endpoint ever serves a stale body, or someone else's, because of caching.

A state machine makes writes as each role through the real services and pages (status updates, splits,
renames, assignments, reopenings, notices and the bulletin, findings round the closed loop, renamed
units and people, a password change) and moves the clock, across midnight too. After every step each
reader fetches the list pages and endpoints (and a task, a finding and the bulletin) twice with the
configured cache (local memory, or Redis with REDIS_URL) and once with Django's DummyCache: apart from
CSRF tokens the answers must be the same. One test runs every kind of write in a fixed order, one lets
Hypothesis draw them; both read a few hundred pages per step, so the budgets are small and fixed.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import itertools
import json
import re
import uuid
import zoneinfo
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.models import Unit, User
from accounts.services import unit_save, user_save
from campaign.core import cache as reference_cache
from inspections import rules as finding_rules
from inspections import services as findings
from inspections.models import Finding
from reports import services as reports
from reports.models import Bulletin, Notice
from tasks import rules as task_rules
from tasks import services as tasks
from tasks.models import Task
from tests.factories import (
    CampaignFactory,
    SiteFactory,
    UnitFactory,
    admin,
    bureau,
    inspector,
    leader,
    member,
    squad_leader,
    standard,
)
from tests.inspections.factories import photo, street_category

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# A masked CSRF token is new on every request: the one part of a body that may differ between reads.
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
READERS = ("leader", "chief_a", "member_a1", "inspector")
_examples = itertools.count()


class Clock:
    """``django.utils.timezone.now`` for the whole test; ``timezone.localdate()`` reads it too, and the code
    asks for the time only through those two."""

    def __init__(self, start: datetime.datetime):
        self.start = self.at = start

    def __call__(self) -> datetime.datetime:
        return self.at

    def today(self) -> datetime.date:
        return self.at.astimezone(SHANGHAI).date()


def _start_of_the_clock() -> datetime.datetime:
    """Half past ten in the evening, Shanghai time, tomorrow: the next midnight is near, and the clock is
    ahead of the real time that model field defaults (``default=timezone.now``) still read."""
    tomorrow = datetime.datetime.now(SHANGHAI).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(22, 30), tzinfo=SHANGHAI)


class World:
    """Two squads, the bureau and the inspection squad with their people, a campaign, tasks at every level
    with deadlines around today (overdue by two days and by one, due today, later, one done), findings
    dispatched and rectified, and a drafted bulletin: built once, and every example starts from it."""

    def __init__(self, today: datetime.date):
        self.bureau = bureau()
        self.squad_a = UnitFactory(name="一中队")
        self.squad_b = UnitFactory(name="二中队")
        self.people = {
            "leader": leader(full_name="陈局长"), "admin": admin(full_name="周创建"),
            "inspector": inspector(full_name="郑督察"),
            "chief_a": squad_leader(self.squad_a, full_name="王中队长"),
            "chief_b": squad_leader(self.squad_b, full_name="李中队长"),
            "member_a1": member(self.squad_a, full_name="张队员", is_tier3_inspector=True),
            "member_a2": member(self.squad_a, full_name="刘队员"),
            "member_b1": member(self.squad_b, full_name="赵队员"),
        }
        self.campaign = CampaignFactory(name="百日攻坚")
        self.standard = standard()
        self.sites = [SiteFactory(unit=self.squad_a, name="解放路"), SiteFactory(unit=self.squad_b, name="建设路")]
        # A three-hour time limit: a new finding turns yellow, then red, within the hours the clock moves.
        self.category = street_category("店外经营", hours=3)
        p, day = self.people, datetime.timedelta(days=1)
        top = self._task("全区背街小巷整治", self.bureau, p["leader"], today + 10 * day)
        unit_a = self._task("一中队背街小巷整治", self.squad_a, p["chief_a"], today + 5 * day, parent=top)
        self.overdue_item = self._task("清理店外经营", self.squad_a, p["member_a1"], today - 2 * day, parent=unit_a)
        self._task("整治占道堆放", self.squad_a, p["member_a2"], today - day, parent=unit_a)
        self._task("清理小广告", self.squad_a, p["member_a1"], today, parent=unit_a)
        unit_b = self._task("二中队背街小巷整治", self.squad_b, p["chief_b"], today + 5 * day, parent=top)
        done = self._task("修复破损护栏", self.squad_b, p["member_b1"], today - day, parent=unit_b)
        tasks.task_update_status(task=done, by=p["member_b1"], status=Task.Status.DONE, note="已修复",
                                 expected_version=done.version)
        self._task("一中队自查", self.squad_a, p["chief_a"], today + 2 * day)
        for site in self.sites:
            findings.finding_create(by=p["inspector"], category=self.category, description="商户占道摆放货架",
                                    photos=[photo()], site=site)
        rectified = findings.finding_create(by=p["inspector"], category=self.category, description="乱堆杂物",
                                            photos=[photo()], site=self.sites[0])
        findings.finding_rectify(finding=rectified, by=p["chief_a"], note="已清理", photos=[photo("after.jpg")])
        self.first_finding = Finding.objects.order_by("pk").first()
        iso_year, iso_week = reports.previous_iso_week()
        reports.write_bulletin(campaign_id=self.campaign.pk, iso_year=iso_year, iso_week=iso_week)

    def _task(self, content, unit, responsible, deadline, parent=None) -> Task:
        return tasks.task_create(campaign=self.campaign, by=self.people["leader"], content=content, unit=unit,
                                 responsible=responsible, deadline=deadline, parent=parent,
                                 standards=[self.standard])


def _normalised(response) -> tuple[int, str]:
    return response.status_code, CSRF.sub(r"\1…\2", response.content.decode())


def _flat(value, path: str = "") -> dict[str, object]:
    """A JSON answer as ``path: value``, list items named by their id: ``results[id=7].days_overdue``."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{path}.{key}" if path else key).items()}
    if isinstance(value, list):
        return {k: v for n, item in enumerate(value)
                for k, v in _flat(item, f"{path}[id={item['id']}]" if isinstance(item, dict) and "id" in item
                                  else f"{path}[{n}]").items()}
    return {path: value}


def _excerpt(cached: tuple[int, str], plain: tuple[int, str], lines: int = 12) -> str:
    """What differs, without the cache first: the JSON fields by path, or the lines of HTML."""
    if cached[0] != plain[0]:
        return f"status {plain[0]} without the cache, {cached[0]} with it"
    try:
        with_cache, without = _flat(json.loads(cached[1])), _flat(json.loads(plain[1]))
    except ValueError:
        diff = difflib.unified_diff(plain[1].splitlines(), cached[1].splitlines(), "without the cache",
                                    "with the cache", n=0, lineterm="")
        return "\n".join(line.strip()[:160] for line in itertools.islice(diff, lines))
    differ = [f"{path}: {without.get(path, '(missing)')!r} without the cache, {with_cache.get(path, '(missing)')!r} "
              "with it" for path in sorted(with_cache.keys() | without.keys())
              if with_cache.get(path, ...) != without.get(path, ...)]
    return "\n".join(differ[:lines])


class CacheDifferential(RuleBasedStateMachine):
    """One example: the world as built, new sessions, a cache namespace of its own, the clock at its start."""

    world: World
    clock: Clock
    capture_on_commit = None  # pytest-django's django_capture_on_commit_callbacks, given by the test
    start_checked = False

    def __init__(self):
        super().__init__()
        # Each example rolls back to the world as built (the test's own transaction holds the savepoint).
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clock.at = self.clock.start
        # Ids and clock readings repeat between examples (a rolled-back sequence on SQLite, the same start
        # time), so each example reads and writes cache keys of its own: the configured backend and server with
        # another key prefix (a local-memory cache: another location).
        self.prefix = f"cache-differential-{uuid.uuid4().hex[:8]}-{next(_examples)}"
        configured = dict(settings.CACHES["default"])
        configured["LOCATION" if isinstance(caches["default"], LocMemCache) else "KEY_PREFIX"] = self.prefix
        self._own_cache = override_settings(CACHES={"default": configured})
        self._own_cache.enable()
        self.readers = {name: self._signed_in(name) for name in READERS}
        self.writers: dict[str, Client] = {}
        self.signed_out: set[str] = set()
        self.step = 0
        self.changed = not type(self).start_checked  # the world as built is read in the first example only
        type(self).start_checked = True

    # --- helpers ----------------------------------------------------------------------------------

    def person(self, name: str) -> User:
        return User.objects.select_related("unit").get(pk=self.world.people[name].pk)

    def _signed_in(self, name: str) -> Client:
        client = Client()
        client.force_login(self.person(name))
        return client

    def writer(self, name: str) -> Client:
        """Another browser of the same person: the message a post leaves must not land on a reader's page."""
        if name not in self.writers:
            self.writers[name] = self._signed_in(name)
        return self.writers[name]

    def write(self):
        """Run the write's after-commit work (notices through the outbox, the second generation bump) as if it
        committed, as it does outside the test's transaction."""
        self.changed = True
        return self.capture_on_commit(execute=True)

    @staticmethod
    def pick(candidates: list, index: int):
        return candidates[index % len(candidates)] if candidates else None

    # --- writes: each as one person, through a service or a page -----------------------------------

    def update_status(self, name: str, task: Task, status: str, progress: int, through_the_page: bool = False):
        person, note = self.person(name), f"第{self.step}步"
        progress = None if task.has_children() else progress  # a parent's progress comes from its items
        with self.write():
            if through_the_page:
                data = {"status": status, "note": note, "version": task.version}
                self.writer(name).post(f"/tasks/{task.pk}/update/", data | ({} if progress is None
                                                                           else {"progress": progress}))
                return
            with contextlib.suppress(ValidationError):  # a parent marked done before its items: refused
                tasks.task_update_status(task=task, by=person, status=status, progress=progress, note=note,
                                         expected_version=task.version)

    def split(self, name: str, parent: Task, days: int):
        """An item under ``parent`` for a member of its unit (squad A under the bureau), due in ``days``."""
        unit = parent.unit if parent.level != Task.Level.BUREAU else self.world.squad_a
        responsible = User.objects.filter(unit=unit, role=User.Role.MEMBER).order_by("pk").first()
        deadline = min(parent.deadline, self.clock.today() + datetime.timedelta(days=days))
        with self.write():
            tasks.task_create(campaign=self.world.campaign, by=self.person(name), parent=parent, unit=unit,
                              responsible=responsible, deadline=deadline, content=f"第{self.step}步分解的事项")

    def rename_task(self, name: str, task: Task, through_the_page: bool = False):
        content = f"{task.content[:12]}（第{self.step}步改名）"
        with self.write():
            if through_the_page:
                self.writer(name).post(f"/tasks/{task.pk}/edit/", {
                    "content": content, "criteria": task.criteria, "deadline": task.deadline.isoformat(),
                    "unit": task.unit_id, "responsible": task.responsible_id, "supervisor": task.supervisor_id or "",
                    "standards": [s.pk for s in task.standards.all()], "version": task.version})
            else:
                tasks.task_edit(task=task, by=self.person(name), content=content, expected_version=task.version)

    def assign(self, name: str, task: Task, index: int = 0):
        others = list(User.objects.filter(unit=task.unit).exclude(pk=task.responsible_id).order_by("pk"))
        with self.write():
            tasks.task_assign(task=task, by=self.person(name), responsible=self.pick(others, index), note="换人负责",
                              expected_version=task.version)

    def reopen(self, name: str, task: Task):
        with self.write():
            tasks.task_reopen(task=task, by=self.person(name), note="复查不合格", expected_version=task.version)

    def rename_unit(self, unit: Unit):
        unit = Unit.objects.get(pk=unit.pk)
        unit.name = f"{unit.name[:3]}{self.step}"
        with self.write():
            unit_save(unit=unit)

    def rename_person(self, name: str):
        person = self.person(name)
        person.full_name = f"{person.full_name[:2]}{self.step}"
        with self.write():
            user_save(user=person)

    def change_password(self, name: str):
        with self.write():
            user_save(user=self.person(name), password=f"new-password-{self.step}")
        self.signed_out.add(name)  # their sessions end: the next pages must say so, cached or not

    def send_reminders(self):
        with self.write():
            reports.remind(campaign=self.world.campaign, today=self.clock.today())

    def read_notices(self, name: str):
        with self.write():
            self.writer(name).post("/reports/notices/")

    def publish_bulletin(self, regenerate: bool = False):
        bulletin, by = self.bulletin(), self.person("admin")
        with self.write():
            if regenerate:
                bulletin = reports.regenerate_bulletin(bulletin=bulletin, by=by)
            reports.publish_bulletin(bulletin=bulletin, by=by, email=False)

    def bulletin(self) -> Bulletin:
        return Bulletin.objects.get(campaign=self.world.campaign, is_current=True)

    def report_finding(self, name: str, site):
        # A tier-3 inspector is refused outside their own squad.
        with self.write(), contextlib.suppress(PermissionDenied):
            findings.finding_create(by=self.person(name), category=self.world.category, photos=[photo()],
                                    description=f"第{self.step}步发现", site=site)

    def rectify(self, name: str, finding: Finding):
        with self.write():
            findings.finding_rectify(finding=finding, by=self.person(name), note=f"第{self.step}步整改",
                                     photos=[photo("after.jpg", color=(40, 160, 60))])

    def verify(self, name: str, finding: Finding, accept: bool, through_the_page: bool = False):
        with self.write():
            if accept and through_the_page:
                self.writer(name).post(f"/inspections/findings/{finding.pk}/close/",
                                       {"note": "整改到位", "version": finding.version})
            elif accept:
                findings.finding_close(finding=finding, by=self.person(name), note="整改到位")
            else:
                findings.finding_return(finding=finding, by=self.person(name), note="仍有杂物",
                                        new_deadline=self.clock.at + datetime.timedelta(hours=2))

    def let_time_pass(self, move: str):
        if move == "past midnight":
            tomorrow = self.clock.today() + datetime.timedelta(days=1)
            self.clock.at = datetime.datetime.combine(tomorrow, datetime.time(0, 1), tzinfo=SHANGHAI)
        else:
            self.clock.at += datetime.timedelta(hours={"an hour": 1, "three hours": 3}[move])
        self.changed = True

    # --- rules: who writes what is drawn from those allowed to --------------------------------------

    def pairs(self, names, eligible, rows=None) -> list[tuple[str, object]]:
        """(name, row) for every task (or ``rows``) a person of ``names`` may change this way."""
        people = [(name, self.person(name)) for name in names]
        rows = rows if rows is not None else (Task.objects.filter(campaign=self.world.campaign)
                                              .select_related("unit", "parent").order_by("pk"))
        return [(name, row) for row in rows for name, person in people if eligible(person, row)]

    @rule(kind=st.sampled_from(["status", "split", "rename", "assign", "reopen"]), index=st.integers(0, 99),
          status=st.sampled_from(Task.Status.values), progress=st.sampled_from([10, 50, 90]),
          days=st.integers(-1, 2), through_the_page=st.booleans())
    def change_a_task(self, kind, index, status, progress, days, through_the_page):
        managers = ["chief_a", "chief_b", "leader"]
        if kind == "status":
            found = self.pick(self.pairs(["member_a1", "member_a2", "member_b1", *managers], lambda person, task: (
                task.status != Task.Status.DONE and task_rules.can_update(person, task))), index)
            if found:
                self.update_status(*found, status, progress, through_the_page)
        elif kind == "split":
            found = self.pick(self.pairs(managers, lambda person, task: (
                task.may_have_children and task.status != Task.Status.DONE and task_rules.can_manage(person, task))),
                index)
            if found:
                self.split(*found, days)
        elif kind == "rename":
            found = self.pick(self.pairs(managers, task_rules.can_manage), index)
            if found:
                self.rename_task(*found, through_the_page)
        elif kind == "assign":
            found = self.pick(self.pairs(managers, lambda person, task: (
                task.level == Task.Level.PERSONAL and task_rules.can_manage(person, task))), index)
            if found:
                self.assign(*found, index)
        else:
            found = self.pick(self.pairs(["inspector", *managers], lambda person, task: (
                task.status == Task.Status.DONE and task_rules.can_reopen(person, task))), index)
            if found:
                self.reopen(*found)

    @rule(kind=st.sampled_from(["unit", "person", "password"]), index=st.integers(0, 99))
    def change_units_or_people(self, kind, index):
        if kind == "unit":
            self.rename_unit(self.pick([self.world.squad_a, self.world.squad_b], index))
        elif kind == "person":
            self.rename_person(self.pick(["chief_a", "member_a1", "member_a2", "member_b1", "inspector", "leader"],
                                         index))
        else:
            self.change_password(self.pick(READERS, index))

    @rule(kind=st.sampled_from(["reminders", "read", "publish", "regenerate"]), index=st.integers(0, 99))
    def notices_and_the_bulletin(self, kind, index):
        if kind == "reminders":
            self.send_reminders()
        elif kind == "read":
            name = self.pick([name for name in READERS if name not in self.signed_out], index)
            if name:
                self.read_notices(name)
        else:
            self.publish_bulletin(regenerate=kind == "regenerate")

    @rule(kind=st.sampled_from(["report", "rectify", "close", "return"]), index=st.integers(0, 99),
          through_the_page=st.booleans())
    def move_a_finding(self, kind, index, through_the_page):
        if kind == "report":
            self.report_finding(self.pick(["inspector", "leader", "member_a1"], index),
                                self.pick(self.world.sites, index))
            return
        rectifying = kind == "rectify"
        rows = (Finding.objects.filter(status__in=Finding.OPEN_STATUSES if rectifying else [Finding.Status.RECTIFIED])
                .select_related("responsible_unit").order_by("pk"))
        if rectifying:
            found = self.pick(self.pairs(["chief_a", "member_a1", "chief_b", "member_b1"], finding_rules.can_rectify,
                                         rows), index)
            if found:
                self.rectify(*found)
        else:
            found = self.pick(self.pairs(["inspector", "leader"], finding_rules.can_verify, rows), index)
            if found:
                self.verify(*found, accept=kind == "close", through_the_page=through_the_page)

    @rule(move=st.sampled_from(["an hour", "three hours", "past midnight"]))
    def time_passes(self, move):
        self.let_time_pass(move)

    # --- the check --------------------------------------------------------------------------------

    def targets(self) -> list[tuple[str, str, bool]]:
        """(reader, address, htmx): the list pages and endpoints, plain, filtered and as htmx asks for them, the
        task overdue since the start and its parent, the first finding and the bulletin. Each address is read
        by two readers or more (a cached answer must not reach someone it was not made for), as far as the
        time of a step allows."""
        w = self.world
        task, parent = f"/tasks/{w.overdue_item.pk}/", f"/tasks/{w.overdue_item.parent_id}/"
        finding, squad_a = f"/inspections/findings/{w.first_finding.pk}/", f"/api/v1/tasks/?unit={w.squad_a.pk}"
        pages = {
            "leader": ["/", "/tasks/", "/tasks/?q=整治", task, "/inspections/findings/", finding, "/api/v1/tasks/",
                       "/api/v1/findings/", f"/reports/bulletins/{self.bulletin().pk}/"],
            "chief_a": ["/tasks/", "htmx /tasks/", "/tasks/?status=in_progress", task, parent, squad_a, "/reports/",
                        "/reports/notices/"],
            "member_a1": ["/", "/tasks/", "htmx /tasks/?status=in_progress", task, "/api/v1/tasks/",
                          "/reports/notices/"],
            "inspector": ["/tasks/?status=in_progress", "/inspections/findings/",
                          "/inspections/findings/?status=dispatched", finding, "/api/v1/findings/", "/reports/"],
        }
        return [(reader, url.removeprefix("htmx "), url.startswith("htmx ")) for reader in READERS
                for url in pages[reader]]

    def fetch(self, reader: str, url: str, htmx: bool) -> tuple[int, str]:
        return _normalised(self.readers[reader].get(url, headers={"HX-Request": "true"} if htmx else {}))

    @invariant()
    def every_answer_is_the_same_without_the_cache(self):
        self.step += 1
        if not self.changed:
            return  # nothing was written and the clock stood still: the last reads stand
        self.changed = False
        targets = self.targets()
        first = [self.fetch(*target) for target in targets]   # may fill the cache
        second = [self.fetch(*target) for target in targets]  # may be served from it
        with override_settings(CACHES=DUMMY):
            assert isinstance(caches["default"], DummyCache)
            cache.set("cache-differential-probe", 1)
            assert reference_cache.cache.get("cache-differential-probe") is None  # the accessors' proxy too
            plain = [self.fetch(*target) for target in targets]
        differ = []
        for (reader, url, htmx), one, two, reference in zip(targets, first, second, plain, strict=True):
            for label, answer in (("first", one), ("second", two)):
                if answer != reference:
                    differ.append(f"{reader} {url}{' (htmx)' if htmx else ''}, the {label} read with the cache, "
                                  f"at {self.clock.at.astimezone(SHANGHAI):%m-%d %H:%M}:\n"
                                  f"{_excerpt(answer, reference)}")
                    break
        assert not differ, f"{len(differ)} answers differ with the cache:\n\n" + "\n\n".join(differ)
        for name in self.signed_out:  # they sign in again, with the new password
            self.readers[name] = self._signed_in(name)
            self.writers.pop(name, None)
        self.signed_out.clear()

    def teardown(self):
        backend = caches["default"]
        if isinstance(backend, LocMemCache):
            backend.clear()  # this example's own location
        elif isinstance(backend, RedisCache):
            # This example's keys only, never a flush: the Redis database may be Celery's broker too.
            client = backend._cache.get_client(write=True)
            for key in client.scan_iter(match=f"{self.prefix}:*"):
                client.delete(key)
            if hasattr(backend, "memory"):
                backend.memory.clear()  # and this process's memory in front of them (campaign/cache.py)
        self._own_cache.disable()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)


@pytest.fixture
def machine(django_capture_on_commit_callbacks):
    """The state machine over a world built at the frozen clock's start; the clock stays frozen throughout."""
    clock = Clock(_start_of_the_clock())
    with mock.patch("django.utils.timezone.now", clock):
        assert timezone.localdate() == clock.today()
        yield type("CacheDifferentialRun", (CacheDifferential,), {
            "world": World(clock.today()), "clock": clock,
            "capture_on_commit": staticmethod(django_capture_on_commit_callbacks)})


def test_every_kind_of_write_in_turn(machine):
    """Every write the machine can draw, once each and in an order that means something, read after each step:
    the random runs below are too few to be sure of drawing them all."""
    state, w = machine(), machine.world
    task = Task.objects.get(pk=w.overdue_item.pk)

    def fresh(row):
        return type(row).objects.get(pk=row.pk)

    steps = [
        lambda: None,  # the world as built, read from an empty cache
        lambda: (state.update_status("member_a1", task, Task.Status.IN_PROGRESS, 50, through_the_page=True),
                 state.split("chief_a", fresh(task.parent), days=-1),
                 state.rename_task("chief_a", fresh(task), through_the_page=True),
                 state.assign("leader", Task.objects.get(campaign=w.campaign, content="整治占道堆放"))),
        lambda: (state.report_finding("inspector", w.sites[0]), state.rectify("chief_a", fresh(w.first_finding)),
                 state.verify("inspector", Finding.objects.filter(status=Finding.Status.RECTIFIED)
                              .exclude(pk=w.first_finding.pk).get(), accept=True, through_the_page=True),
                 state.verify("leader", fresh(w.first_finding), accept=False)),
        lambda: (state.rename_unit(w.squad_a), state.rename_person("member_a1"), state.send_reminders(),
                 state.read_notices("chief_a"), state.publish_bulletin()),
        lambda: state.let_time_pass("three hours"),  # past the first midnight; the new finding's light is red
        lambda: state.let_time_pass("past midnight"),
        lambda: (state.reopen("inspector", Task.objects.get(campaign=w.campaign, content="修复破损护栏")),
                 state.update_status("member_a1", Task.objects.get(campaign=w.campaign, content="清理小广告"),
                                     Task.Status.DONE, 100),
                 state.change_password("chief_a")),
        lambda: (state.publish_bulletin(regenerate=True), state.let_time_pass("an hour")),
    ]
    try:
        for step in steps:
            step()
            state.every_answer_is_the_same_without_the_cache()
        # Every write took (the pages' posts included), so the reads above saw each of them.
        task = fresh(task)
        assert (task.status, "改名" in task.content) == (Task.Status.IN_PROGRESS, True)
        assert Task.objects.filter(campaign=w.campaign, content__endswith="分解的事项").exists()
        assert fresh(w.first_finding).rework_count == 1
        assert Finding.objects.filter(status=Finding.Status.CLOSED).count() == 1
        assert state.bulletin().version == 2 and state.bulletin().is_published
        assert Notice.objects.filter(user=w.people["chief_a"], read_at__isnull=False).exists()
    finally:
        state.teardown()


def test_random_writes_and_reads(machine):
    run_state_machine_as_test(machine, settings=hypothesis_settings(
        max_examples=2, stateful_step_count=3, deadline=None, derandomize=True, database=None,
        # No shrinking: a step reads about a hundred pages; the failing example's steps are printed as run.
        phases=(Phase.explicit, Phase.generate), suppress_health_check=[HealthCheck.too_slow],
    ))
