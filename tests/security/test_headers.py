"""Deployment headers on pages, the API and file downloads; HSTS and the HTTPS redirect under production settings.

``manage.py check --deploy`` with production settings is tests/campaign/test_deploy.py.
"""

import pytest
from django.test import override_settings

from tests import factories as f
from tests.tasks.factories import make_task, photo

pytestmark = pytest.mark.django_db

PRODUCTION_LIKE = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


def assert_hardened(response, *, download=False):
    policy = response["Content-Security-Policy"]
    if download and policy.startswith("default-src 'none'"):
        # Served files get a stricter policy still: nothing runs, even if a browser renders them.
        assert "sandbox" in policy
        policy = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; " \
                 "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'"):
        assert directive in policy, directive
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def task_with_file():
    squad = f.UnitFactory(name="第一中队")
    leader = f.squad_leader(squad)
    task = make_task(unit=squad, responsible=leader, by=f.admin())
    from tasks import services

    services.task_update_status(task=task, by=leader, status="in_progress", progress=10, note="开始",
                                files=[photo("evidence.jpg")], expected_version=task.version)
    return leader, task


def test_pages_carry_the_security_headers(client, task_with_file):
    leader, task = task_with_file
    assert_hardened(client.get("/accounts/login/"))
    client.force_login(leader)
    for url in ("/", "/tasks/", f"/tasks/{task.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_hardened(response)


def test_error_pages_carry_them_too(client, task_with_file):
    leader, _ = task_with_file
    client.force_login(leader)
    assert_hardened(client.get("/tasks/999999/"))
    assert_hardened(client.get("/setup/"))


def test_the_api_carries_the_security_headers(client, task_with_file):
    leader, task = task_with_file
    assert_hardened(client.get("/api/v1/tasks/"))  # refused, still hardened
    client.force_login(leader)
    for url in ("/api/v1/tasks/", f"/api/v1/tasks/{task.pk}/", "/api/schema/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_hardened(response)


def test_file_downloads_carry_the_security_headers_and_are_not_sniffed(client, task_with_file):
    leader, task = task_with_file
    client.force_login(leader)
    attachment = task.updates.latest("pk").attachments.get()
    for url in (f"/tasks/files/{attachment.pk}/", f"/api/v1/tasks/{task.pk}/files/{attachment.pk}/",
                "/tasks/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_hardened(response, download=True)
        assert response["Content-Type"].split(";")[0] in {
            "image/jpeg", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, url


def test_no_hsts_over_plain_http_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")


@override_settings(**PRODUCTION_LIKE)
def test_https_responses_carry_hsts_under_production_settings(client, task_with_file):
    leader, task = task_with_file
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_hardened(response)
    client.force_login(leader)
    api = client.get(f"/api/v1/tasks/{task.pk}/", secure=True)
    assert api.status_code == 200 and "max-age=31536000" in api["Strict-Transport-Security"]


@override_settings(**PRODUCTION_LIKE)
def test_plain_http_is_redirected_to_https_except_the_health_check(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code != 301


@override_settings(**PRODUCTION_LIKE)
def test_cookies_are_secure_and_the_session_cookie_is_http_only(client):
    person = f.member(f.UnitFactory())
    client.get("/accounts/login/", secure=True)
    response = client.post("/accounts/login/", {"username": person.username, "password": f.PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
