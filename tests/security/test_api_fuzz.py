"""API fuzzing: schemathesis drives every operation of /api/schema/ in-process, as every role.

The Django app is called through WSGI (no server). The demo district with its
activity is seeded once for the module; each operation × role runs in its own
savepoint, so writes made by one example are rolled back before the next test.
Generated ``{id}`` path parameters are mostly mapped onto real objects of the
right kind (so the fuzzer reaches the views' real work, not only 404s), and
the rest stay random. Checks: no 5xx, and every documented response matches
the schema (body, content type, headers). Undocumented client errors (400,
403, 404) are allowed: they are the access rules and validation at work.

Run alone: ``pytest tests/security/test_api_fuzz.py``.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.security.module_data import module_data

ROLES = {
    "admin": "admin",
    "leader": "leader",
    "squad_leader": "squad1",
    "member": "member2",
    "inspector": "inspector1",
}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, response_headers_conformance]


@pytest.fixture(autouse=True)
def _media(use_shared_media):
    """Every test here reads the files the module's data wrote."""


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, shared_media):
    """The demo district with activity, built once and rolled back when the module ends."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from campaign.demo import seed_district

    with module_data(django_db_blocker, shared_media):
        seed_district(activity=True)
        tokens = {role: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
                  for role, name in ROLES.items()}
        yield {"tokens": tokens, "ids": _real_ids()}


def _real_ids() -> dict[str, list[int]]:
    from accounts.models import Unit
    from campaign.models import Campaign, EventCategory, PointType, Site
    from inspections.models import Finding, FindingPhoto, Inspection
    from reports.models import Bulletin, Meeting
    from tasks.models import Attachment, Task

    models = {
        "bulletins": Bulletin, "campaigns": Campaign, "event-categories": EventCategory, "findings": Finding,
        "inspections": Inspection, "meetings": Meeting, "point-types": PointType, "sites": Site,
        "tasks": Task, "units": Unit, "photos": FindingPhoto, "files": Attachment,
    }
    return {name: sorted(model.objects.values_list("pk", flat=True)) for name, model in models.items()}


def _load_schema():
    # Generating the schema needs no database, so it is loaded at collection:
    # each operation then becomes its own test item, named after it.
    from campaign.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


@pytest.fixture
def keep_test_connection():
    """WSGI closes "old" connections around each request; inside the test's transaction that would end it.

    Django's test client disconnects the same signals for the same reason.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _point_at_real_objects(case, ids: dict[str, list[int]]) -> None:
    """Map three in four generated ids onto existing objects of the kind the path names."""
    segments = [s for s in case.operation.path.split("/") if s]
    for index, segment in enumerate(segments):
        if not (segment.startswith("{") and segment.endswith("}")):
            continue
        name = segment[1:-1]
        kind = segments[index - 1] if index else ""
        real = ids.get(kind) or []
        value = case.path_parameters.get(name)
        if real and isinstance(value, int) and value % 4:
            case.path_parameters[name] = real[value % len(real)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_without_a_server_error_and_as_documented(
        case, role, seeded, keep_test_connection):
    _point_at_real_objects(case, seeded["ids"])
    headers = {"Authorization": f"Token {seeded['tokens'][role]}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
