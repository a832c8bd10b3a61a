"""The permission matrix: every page and endpoint × every role × own unit / other unit, in one table.

The list of routes comes from the URL configuration, so a new URL without a row
in ``MATRIX`` fails ``test_every_url_has_a_row_in_the_matrix`` naming it.
DESIGN.md section 6 is the rule: another unit's object answers 404 (no hint it
exists); a forbidden action on a visible object answers 403; anonymous people
are sent to sign in (pages) or refused (API).

Each row names the kind of object its ``<pk>`` points at (``matrix_objects``
makes one in squad 1, "own", and one in squad 2, "other"), then the expected
status per role, in the order of ``ROLES``:

    anonymous admin leader squad_leader member inspector

``own`` is the answer for squad 1's object (the squad leader's and member's own
unit), ``other`` for squad 2's. Routes that only accept POST have a ``post``
line too, sent without data (a permitted person gets a form error, 400, or a
redirect; nobody else gets past the access check). The Django admin and the
static files are outside the matrix (the admin has its own test in
tests/accounts/test_signin.py).

Run alone: ``pytest tests/security/test_permission_matrix.py``; ``MATRIX_RECORD=1``
prints the answers observed, as rows to compare with the table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix_objects import ROLE_USERS, build_objects
from tests.security.module_data import module_data

# Routes that redirect anonymous visitors somewhere other than the sign-in page, on purpose.
PUBLIC_REDIRECTS = {"set_language", "logout"}
ROLES = ["anonymous", "admin", "leader", "squad_leader", "member", "inspector"]


@dataclass
class Row:
    kind: str | None = None  # what <pk> points at
    own: str = ""  # expected statuses for the own (squad 1) object, or for routes without an object
    other: str = ""  # expected statuses for the other (squad 2) object
    post: str = ""  # for POST-only routes: statuses of an empty POST (own object)
    post_other: str = ""
    params: dict[str, str] = field(default_factory=dict)  # other path parameters → object kind


def page(own, other="", **kw):
    return Row(own=own, other=other, **kw)


def obj(kind, own, other=None, **kw):
    return Row(kind=kind, own=own, other=other if other is not None else own, **kw)


MATRIX: dict[str, Row] = {
    #                                  anonymous admin leader squad_leader member inspector
    # --- site --------------------------------------------------------
    "dashboard": page("302 200 200 200 200 200"),
    "healthz": page("200 200 200 200 200 200"),
    "login": page("200 302 302 302 302 302"),
    "logout": page("405 405 405 405 405 405", post="302 302 302 302 302 302"),
    "password_change": page("302 200 200 200 200 200"),
    "password_change_done": page("302 200 200 200 200 200"),
    "channel_settings": page("302 200 200 200 200 200"),
    "todo": page("302 200 200 200 200 200"),
    # The top bar polls its count; signed out, 286 stops the poll instead of fetching the sign-in page.
    "todo_count": page("286 200 200 200 200 200"),
    "set_language": page("302 302 302 302 302 302"),
    # --- setup -------------------------------------------------------
    "setup:campaign_create": page("302 200 403 403 403 403"),
    "setup:campaign_update": obj("campaign", "302 200 403 403 403 403"),
    "setup:campaigns": page("302 200 403 403 403 403"),
    "setup:categories": page("302 200 403 403 403 403"),
    "setup:content_update": obj("content", "302 200 403 403 403 403"),
    "setup:framework_detail": obj("framework", "302 200 403 403 403 403"),
    "setup:framework_load": page("302 405 403 403 403 403", post="302 200 403 403 403 403"),
    "setup:frameworks": page("302 200 403 403 403 403"),
    "setup:index": page("302 200 403 403 403 403"),
    "setup:major_create": page("302 200 403 403 403 403"),
    "setup:major_update": obj("major", "302 200 403 403 403 403"),
    "setup:minor_create": page("302 200 403 403 403 403"),
    "setup:minor_update": obj("minor", "302 200 403 403 403 403"),
    "setup:negative_create": obj("framework", "302 200 403 403 403 403"),
    "setup:negative_update": obj("negative", "302 200 403 403 403 403"),
    "setup:people": page("302 200 403 403 403 403"),
    "setup:person_create": page("302 200 403 403 403 403"),
    "setup:people_import": page("302 200 403 403 403 403"),
    "setup:people_template": page("302 200 403 403 403 403"),
    "setup:person_password": obj("person", "302 200 403 403 403 403"),
    "setup:person_update": obj("person", "302 200 403 403 403 403"),
    "setup:point_type_create": page("302 200 403 403 403 403"),
    "setup:point_type_update": obj("point_type", "302 200 403 403 403 403"),
    "setup:point_types": page("302 200 403 403 403 403"),
    "setup:site_create": page("302 200 403 403 403 403"),
    "setup:site_update": obj("site", "302 200 403 403 403 403"),
    "setup:sites": page("302 200 403 403 403 403"),
    "setup:standard_create": obj("content", "302 200 403 403 403 403"),
    "setup:standard_update": obj("standard", "302 200 403 403 403 403"),
    "setup:unit_create": page("302 200 403 403 403 403"),
    "setup:unit_update": obj("unit", "302 200 403 403 403 403"),
    "setup:units": page("302 200 403 403 403 403"),
    # --- tasks -------------------------------------------------------
    "tasks:assign": obj("task", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "tasks:attachment": obj("attachment", "302 200 200 200 200 200", "302 200 200 404 404 200"),
    "tasks:coverage": page("302 200 200 403 403 200"),
    "tasks:create": page("302 200 200 200 403 403"),
    "tasks:detail": obj("task", "302 200 200 200 200 200", "302 200 200 404 404 200"),
    "tasks:edit": obj("task", "302 200 200 200 403 403", "302 200 200 404 404 403"),
    "tasks:export": page("302 200 200 200 200 200"),
    "tasks:import": page("302 200 200 403 403 403"),
    "tasks:import-template": page("302 200 200 200 200 200"),
    "tasks:list": page("302 200 200 200 200 200"),
    "tasks:reopen": obj("task", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "tasks:split": obj("task", "302 200 200 200 403 403", "302 200 200 404 404 403"),
    "tasks:update": obj("task", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    # --- inspections -------------------------------------------------
    "inspections:finding_checklist": page("302 200 200 200 200 200"),
    "inspections:finding_close": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_detail": obj("finding", "302 200 200 200 200 200", "302 200 200 404 404 200"),
    "inspections:finding_export": page("302 200 200 200 200 200"),
    "inspections:finding_list": page("302 200 200 200 200 200"),
    "inspections:finding_new": page("302 403 200 403 403 200"),
    "inspections:finding_photo": obj("photo", "302 200 200 200 200 200", "302 200 200 404 404 200"),
    "inspections:finding_propose": page("302 200 200 200 200 200"),
    "inspections:finding_rectify": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_return": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_send_back": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_redispatch": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_extension": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_extension_decide": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_correct": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_assign": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:finding_withdraw": obj("finding", "302 405 405 405 405 405",
        post="302 400 400 400 400 400", post_other="302 400 400 404 404 400"),
    "inspections:inspection_checks": obj("inspection", "302 403 403 403 403 200", "302 403 403 404 404 200"),
    "inspections:inspection_detail": obj("inspection", "302 200 200 200 200 200", "302 200 200 404 404 200"),
    "inspections:inspection_finish": obj("inspection", "302 405 405 405 405 405",
        post="302 403 302 403 403 302", post_other="302 403 302 404 404 302"),
    "inspections:inspection_list": page("302 200 200 200 200 200"),
    "inspections:inspection_start": page("302 403 200 403 403 200"),
    "inspections:relapse_places": page("302 200 200 200 200 200"),
    "inspections:unit_findings": page("302 200 200 200 200 200"),
    # --- reports -----------------------------------------------------
    "reports:bulletin": obj("bulletin", "302 200 200 200 403 200"),
    "reports:bulletin_docx": obj("bulletin", "302 200 200 200 403 200"),
    "reports:bulletin_pdf": obj("bulletin", "302 200 200 200 403 200"),
    "reports:bulletin_publish": obj("bulletin", "302 405 405 405 405 405", post="302 302 403 403 403 403"),
    "reports:bulletin_regenerate": obj("bulletin", "302 405 405 405 405 405", post="302 302 403 403 403 403"),
    "reports:bulletin_write": page("302 405 405 405 405 405", post="302 302 403 403 403 403"),
    "reports:bulletins": page("302 200 200 200 403 200"),
    "reports:deliveries": page("302 200 403 403 403 403"),
    "reports:delivery_resend": obj("delivery", "302 405 405 405 405 405",
        post="302 302 403 403 403 403", post_other="302 302 403 404 404 403"),
    # A meeting is read by leaders and admins, and by the people who speak at it once it is approved
    # (tests/campaign/test_todo.py); to anyone else it is an object they cannot see.
    "reports:meeting": obj("meeting", "302 200 200 404 404 404"),
    "reports:meeting_approve": obj("meeting", "302 405 405 405 405 405", post="302 302 403 404 404 404"),
    "reports:meeting_edit": obj("meeting", "302 200 403 404 404 404"),
    "reports:meeting_propose": page("302 405 405 405 405 405", post="302 302 403 403 403 403"),
    "reports:meetings": page("302 200 200 403 403 403"),
    "reports:notices": page("302 200 200 200 200 200"),
    # The pressure board is the bureau's: its leaders and admins.
    "reports:pressure": page("302 200 200 403 403 403"),
    "reports:pack_download": obj("pack", "302 404 403 403 403 403"),
    "reports:pack_request": obj("meeting", "302 405 405 405 405 405", post="302 302 403 404 404 404"),
    "reports:pack_status": obj("pack", "302 200 403 403 403 403"),
    "reports:robot": obj("robot", "302 200 403 403 403 403", "302 200 403 404 404 403"),
    "reports:robot_create": page("302 200 403 403 403 403"),
    "reports:robot_test": obj("robot", "302 405 405 405 405 405",
        post="302 302 403 403 403 403", post_other="302 302 403 404 404 403"),
    "reports:robot_update": obj("robot", "302 200 403 403 403 403", "302 200 403 404 404 403",
        post="302 400 403 403 403 403", post_other="302 400 403 404 404 403"),
    "reports:robots": page("302 200 403 403 403 403"),
    # --- api ---------------------------------------------------------
    "api-docs": page("200 200 200 200 200 200"),
    "api-me": page("403 200 200 200 200 200"),
    "api-root": page("403 200 200 200 200 200"),
    "bulletin-detail": obj("bulletin", "403 200 200 200 403 200"),
    "bulletin-docx": obj("bulletin", "403 200 200 200 403 200"),
    "bulletin-list": page("403 200 200 200 403 200"),
    "bulletin-pdf": obj("bulletin", "403 200 200 200 403 200"),
    "campaign-detail": obj("campaign", "403 200 200 200 200 200"),
    "campaign-list": page("403 200 200 200 200 200"),
    "event-category-detail": obj("minor", "403 200 200 200 200 200"),
    "event-category-list": page("403 200 200 200 200 200"),
    "finding-detail": obj("finding", "403 200 200 200 200 200", "403 200 200 404 404 200"),
    "finding-list": page("403 200 200 200 200 200"),
    "finding-photo": obj("finding", "403 200 200 200 200 200", "403 200 200 404 404 200", params={"photo_id": "photo"}),
    "finding-rectify": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "finding-return-for-rework": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    # Every field is optional: who may correct is asked first (only the reporting inspector), then the version.
    "finding-correct": obj("finding", "403 405 405 405 405 405",
        post="403 403 403 403 403 428", post_other="403 403 403 404 404 428"),
    "finding-assign": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "finding-withdraw": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "finding-send-back": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "finding-redispatch": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "finding-extension": obj("finding", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    # An empty form posts "approve" as false, as HTML forms do: who may decide is then asked for the version.
    "finding-extension-decide": obj("finding", "403 405 405 405 405 405",
        post="403 403 428 403 403 428", post_other="403 403 428 404 404 428"),
    "finding-verify": obj("finding", "403 405 405 405 405 405",
        post="403 403 428 403 403 428", post_other="403 403 428 404 404 428"),
    "inspection-detail": obj("inspection", "403 200 200 200 200 200", "403 200 200 404 404 200"),
    "inspection-list": page("403 200 200 200 200 200"),
    "meeting-detail": obj("meeting", "403 200 200 404 404 404"),
    "meeting-list": page("403 200 200 403 403 403"),
    "meeting-pack": obj("meeting", "403 200 403 404 404 404"),
    "meeting-pack-download": obj("meeting", "403 404 403 404 404 404"),
    "point-type-detail": obj("point_type", "403 200 200 200 200 200"),
    "point-type-list": page("403 200 200 200 200 200"),
    "schema": page("200 200 200 200 200 200"),
    "site-detail": obj("site", "403 200 200 200 200 200"),
    "site-list": page("403 200 200 200 200 200"),
    "task-assign": obj("task", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "task-detail": obj("task", "403 200 200 200 200 200", "403 200 200 404 404 200"),
    "task-file": obj("task", "403 200 200 200 200 200", "403 200 200 404 404 200", params={"file_id": "attachment"}),
    "task-list": page("403 200 200 200 200 200"),
    "task-reopen": obj("task", "403 405 405 405 405 405",
        post="403 400 400 400 400 400", post_other="403 400 400 404 404 400"),
    "task-updates": obj("task", "403 200 200 200 200 200", "403 200 200 404 404 200"),
    "unit-detail": obj("unit", "403 200 200 200 200 200", "403 200 200 404 404 200"),
    "unit-list": page("403 200 200 200 200 200"),
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for name, converters, route in _walk(entry.url_patterns):
                yield namespace + name if name else name, converters, str(entry.pattern) + route
        elif isinstance(entry, URLPattern):
            converters = set(entry.pattern.regex.groupindex)
            if "format" in converters or not entry.name:
                continue  # DRF's ".json" suffix variants answer exactly like their plain route
            yield entry.name, converters, str(entry.pattern)


def url_routes() -> dict[str, set[str]]:
    """Every named route of the site (admin and format suffixes aside) → its path parameters."""
    return {name: converters for name, converters, _ in _walk(get_resolver().url_patterns)}


def test_every_url_has_a_row_in_the_matrix():
    routes = url_routes()
    missing = sorted(set(routes) - set(MATRIX))
    assert not missing, "URLs without a row in the permission matrix (tests/security/test_permission_matrix.py): " \
        + ", ".join(missing)
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, "Rows for URLs that no longer exist: " + ", ".join(stale)


@pytest.fixture(autouse=True)
def _media(use_shared_media):
    """Every test here reads the files the module's data wrote."""


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker, shared_media):
    with module_data(django_db_blocker, shared_media):
        yield build_objects()


def _url(name: str, row: Row, params: set[str], ids: dict[str, int]) -> str:
    kwargs = {}
    for param in params:
        kind = row.params.get(param, row.kind)
        if kind is None:
            raise AssertionError(f"{name}: the matrix row names no object kind for <{param}>")
        kwargs[param] = ids[kind]
    return reverse(name, kwargs=kwargs)


def _answer(role: str, method: str, url: str) -> tuple[int, str]:
    from accounts.models import User

    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(username=ROLE_USERS[role]))
    # Each request runs in a savepoint that is rolled back, so one role's POST
    # (a bulletin regenerated, a meeting approved) never changes the next role's answer.
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url)
        transaction.set_rollback(True)
    return response.status_code, response.get("Location", "")


def _check(name, method, url, expected: str, problems: list[str], observed: list[str]) -> str:
    answers = []
    for role in ROLES:
        status, location = _answer(role, method, url)
        answers.append(str(status))
        if (role == "anonymous" and status == 302 and name not in PUBLIC_REDIRECTS
                and not location.startswith("/accounts/login/")):
            problems.append(f"{name} {method} {url}: anonymous redirected to {location}, not to sign-in")
    got = " ".join(answers)
    observed.append(f"{name} {method} {url}: {got}")
    if got != expected:
        problems.append(f"{name} {method} {url}:\n      expected {expected}\n      answered {got}  ({' '.join(ROLES)})")
    return got


@pytest.mark.django_db
def test_every_route_answers_every_role_as_the_matrix_says(objects):
    routes = url_routes()
    problems: list[str] = []
    observed: list[str] = []
    for name, params in sorted(routes.items()):
        row = MATRIX.get(name)
        if row is None:
            continue  # reported by test_every_url_has_a_row_in_the_matrix
        columns = [("own", objects.own, row.own, row.post)]
        if params and row.kind is not None:
            columns.append(("other", objects.other, row.other, row.post_other or row.post))
        for _, ids, expected_get, expected_post in columns:
            url = _url(name, row, params, ids)
            got = _check(name, "GET", url, expected_get, problems, observed)
            if expected_post or "405" in expected_get or "405" in got:
                _check(name, "POST", url, expected_post, problems, observed)
    if os.environ.get("MATRIX_RECORD"):
        print("\n".join(observed))
    assert not problems, f"{len(problems)} answers differ from the permission matrix:\n  " + "\n  ".join(problems)
