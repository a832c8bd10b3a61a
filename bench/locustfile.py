"""Monday morning: the four kinds of user at once, with their real mixes and 5–15 s of thinking between actions.

Run by bench/monday.py (which starts gunicorn and writes the sign-ins this file reads); by hand:

    BAIRI_SESSIONS=/tmp/bairi-monday-sessions.json .venv/bin/locust -f bench/locustfile.py --headless \\
        -u 100 -r 5 -t 2m --host http://127.0.0.1:8767

* **Squad staff** (squad leaders and their members, most of the people): open their list, open a task,
  and on a task they may change post a status update with a photo (multipart, the task page's
  version and CSRF token).
* **Inspectors**: open the finding form and log a finding with a photo; open the rectified findings
  and verify (close) one.
* **Bureau leaders** (2): read the bulletin list and a bulletin, drill into a squad's tasks and findings.
* **The administrator** (1): export the findings of a squad, and the responsibility list of a squad.

Sign-ins: bench/monday.py makes a session for each seed_large account (their shared password is
hashed with PBKDF2, ≈ 0.3 s of CPU a sign-in, and on Monday morning people arrive signed in: a session
lasts 14 days), so no sign-in is part of the measured mix. Several simulated people may share one
account when there are more of them than accounts; items and findings are handed out so that no two
simulated people ever post to the same one (a stale version would count as an error that is the
harness's, not the app's).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

SESSIONS = json.loads(Path(os.environ["BAIRI_SESSIONS"]).read_text())  # written by bench/monday.py
THINK = between(5, 15)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)/"')
UPDATE_FORM = re.compile(r'action="/tasks/(\d+)/update/"')
VERSION = re.compile(r'name="version" value="(\d+)"')
OPTION = re.compile(r'<option value="(\d+)"')


def _select(html: str, name: str) -> list[str]:
    """The option values of one <select name=…> in a page."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return OPTION.findall(match.group(1)) if match else []


def _jpeg() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (320, 240), (110, 130, 150))
    ImageDraw.Draw(picture).rectangle((20, 150, 300, 220), fill=(220, 220, 210))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=75)
    return out.getvalue()


PHOTO = _jpeg()
# One locust process runs every simulated person, so these sets hand out items without races.
CLAIMED_TASKS: set[int] = set()
RECTIFIED = list(SESSIONS["rectified"])
random.Random(1).shuffle(RECTIFIED)


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    pool: str = ""
    counter = itertools.count()

    def on_start(self):
        accounts = SESSIONS[self.pool]
        self.account = accounts[next(type(self).counter) % len(accounts)]
        self.headers = {"Cookie": self.account["cookie"], "Accept-Language": "zh-hans"}

    def get(self, path: str, name: str, *, needs: str = ""):
        """A page that must answer 200 (and contain ``needs``): anything else is an error of the run."""
        with self.client.get(path, headers=self.headers, name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}, expected 200")
            elif needs and needs not in response.text:
                response.failure(f"no {needs!r} in the page")
            return response

    def post(self, path: str, name: str, data: dict, files=None):
        """A form post that must succeed: the app answers a redirect (400 or 409 re-render the form)."""
        with self.client.post(path, headers=self.headers, data=data, files=files, name=name,
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}, expected 302")
            return response


class SquadStaff(Person):
    """Squad leaders and members: their list, their tasks, updates with a photo."""

    weight = 14
    pool = "squad"
    counter = itertools.count()

    def on_start(self):
        super().on_start()
        self.seen: list[int] = []
        self.mine: int | None = None  # the item this person updates (claimed, so no one else posts to it)

    @task(4)
    def open_list(self):
        response = self.get("/tasks/", "/tasks/ [list]")
        self.seen = [int(pk) for pk in TASK_LINK.findall(response.text)] or self.seen

    @task(4)
    def open_task(self):
        if not self.seen:
            return self.open_list()
        pk = self.mine if self.mine and random.random() < 0.5 else random.choice(self.seen)
        response = self.get(f"/tasks/{pk}/", "/tasks/[pk]/")
        if self.mine is None and pk not in CLAIMED_TASKS and UPDATE_FORM.search(response.text):
            CLAIMED_TASKS.add(pk)
            self.mine = pk

    @task(2)
    def post_update(self):
        if self.mine is None:
            return self.open_task()
        page = self.get(f"/tasks/{self.mine}/", "/tasks/[pk]/")
        form = page.text[page.text.find('id="update-form"'):]
        csrf, version = CSRF_FIELD.search(form), VERSION.search(form)
        if not (csrf and version):  # done meanwhile, or no longer theirs: pick another next time
            self.mine = None
            return None
        return self.post(f"/tasks/{self.mine}/update/", "/tasks/[pk]/update/ [POST photo]", {
            "csrfmiddlewaretoken": csrf.group(1), "status": "in_progress", "progress": random.choice([40, 60, 80]),
            "note": "周一上午现场推进，照片附后", "version": version.group(1),
        }, files={"files": ("现场.jpg", PHOTO, "image/jpeg")})


class Inspector(Person):
    """Inspectors: log findings with photos, verify (close) rectified findings."""

    weight = 1
    pool = "inspector"
    counter = itertools.count()

    @task(3)
    def log_finding(self):
        page = self.get("/inspections/findings/new/", "/inspections/findings/new/", needs='name="category"')
        csrf, sites, categories = CSRF_FIELD.search(page.text), _select(page.text, "site"), _select(page.text,
                                                                                                    "category")
        if not (csrf and sites and categories):
            return None  # counted as a failure by get()
        return self.post("/inspections/findings/new/", "/inspections/findings/new/ [POST photo]", {
            "csrfmiddlewaretoken": csrf.group(1), "site": random.choice(sites), "category": random.choice(categories),
            "description": "周一巡查发现问题，现场照片附后", "severity": "general",
        }, files={"photos": ("现场.jpg", PHOTO, "image/jpeg")})

    @task(2)
    def verify(self):
        self.get("/inspections/findings/?status=rectified", "/inspections/findings/?status=rectified")
        if not RECTIFIED:
            return None
        pk = RECTIFIED.pop()
        page = self.get(f"/inspections/findings/{pk}/", "/inspections/findings/[pk]/")
        form = page.text[page.text.find(f'action="/inspections/findings/{pk}/close/"'):]
        csrf, version = CSRF_FIELD.search(form), VERSION.search(form)
        if not (csrf and version):
            return None  # no longer awaiting verification
        return self.post(f"/inspections/findings/{pk}/close/", "/inspections/findings/[pk]/close/ [POST]", {
            "csrfmiddlewaretoken": csrf.group(1), "note": "复查合格", "version": version.group(1)})


class Leader(Person):
    """Bureau leaders: the bulletin, then a squad's tasks and findings."""

    fixed_count = 2
    pool = "leader"
    counter = itertools.count()

    @task(2)
    def bulletin(self):
        self.get("/reports/", "/reports/ [bulletin list]")
        self.get(f"/reports/bulletins/{SESSIONS['bulletin']}/", "/reports/bulletins/[pk]/")

    @task(3)
    def drill_into_a_squad(self):
        squad = random.choice(SESSIONS["squads"])
        self.get(f"/tasks/?unit={squad}", "/tasks/?unit=[squad]")
        self.get(f"/inspections/findings/?unit={squad}", "/inspections/findings/?unit=[squad]")


class Admin(Person):
    """The administrator: the findings export and the responsibility list, one squad at a time."""

    fixed_count = 1
    pool = "admin"
    counter = itertools.count()

    @task
    def export_findings(self):
        squad = random.choice(SESSIONS["squads"])
        self.get(f"/inspections/findings/export.xlsx?unit={squad}", "/inspections/findings/export.xlsx?unit=[squad]")

    @task
    def export_tasks(self):
        squad = random.choice(SESSIONS["squads"])
        self.get(f"/tasks/export.xlsx?unit={squad}", "/tasks/export.xlsx?unit=[squad]")
