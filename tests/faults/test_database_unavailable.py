"""The 503 answer for a database outage, in-process: where the error is raised decides nothing for the user."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

from tests import factories as f

pytestmark = pytest.mark.django_db

SESSION_LOAD = "django.contrib.sessions.backends.db.SessionStore.load"


@pytest.fixture
def signed_in(client):
    user = f.squad_leader(f.UnitFactory())
    client.force_login(user)
    return client


def test_a_page_answers_a_readable_503_in_the_users_language(signed_in):
    with mock.patch(SESSION_LOAD, side_effect=OperationalError("server closed the connection unexpectedly")):
        english = signed_in.get("/", HTTP_ACCEPT_LANGUAGE="en")
        chinese = signed_in.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == 503 and english["Retry-After"] == "10"
    assert english["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in english.content and b'lang="en"' in english.content
    assert chinese.status_code == 503 and b'lang="zh-hans"' in chinese.content
    assert b"server closed the connection" not in english.content  # no internals shown


def test_the_api_and_healthz_answer_json(signed_in):
    with mock.patch(SESSION_LOAD, side_effect=InterfaceError("connection already closed")):
        api = signed_in.get("/api/v1/tasks/")
    assert api.status_code == 503 and api.json()["database"] == "unreachable"
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
                    side_effect=OperationalError("could not connect")):
        health = signed_in.get("/healthz")
    assert health.status_code == 503 and health.json()["database"] == "unreachable"


def test_an_outage_django_already_turned_into_a_500_is_answered_503(client):
    # An error raised inside another middleware (the session saved on the way out) never reaches
    # process_exception: Django makes it a 500 first. Switching process_exception off sends the view's
    # error down that same road.
    f.squad_leader(f.UnitFactory(), username="squad9")
    client.raise_request_exception = False  # answer as a real server does
    with mock.patch("campaign.core.middleware.DatabaseUnavailableMiddleware.process_exception", return_value=None), \
            mock.patch("django.contrib.sessions.backends.db.SessionStore.save",
                       side_effect=OperationalError("the database system is shutting down")):
        response = client.post("/accounts/login/", {"username": "squad9", "password": f.PASSWORD})
    assert response.status_code == 503 and b'id="unavailable"' in response.content


def test_other_errors_are_left_alone(signed_in):
    with mock.patch(SESSION_LOAD, side_effect=ValueError("a bug")), pytest.raises(ValueError):
        signed_in.get("/")
