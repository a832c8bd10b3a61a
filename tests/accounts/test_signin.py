"""Sign-in, sign-out, password change, and where people land."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_a_person_signs_in_and_lands_on_the_dashboard(client):
    person = f.squad_leader(f.UnitFactory(name="第一中队"))
    response = client.post("/accounts/login/", {"username": person.username, "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "第一中队" in page.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client):
    person = f.member(f.UnitFactory())
    response = client.post("/accounts/login/", {"username": person.username, "password": "wrong"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_page_is_chinese_by_default(client):
    body = client.get("/accounts/login/").content.decode()
    assert "登录" in body


def test_sign_out_needs_a_post_and_ends_the_session(client):
    person = f.member(f.UnitFactory())
    client.force_login(person)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_change(client):
    person = f.member(f.UnitFactory())
    client.force_login(person)
    new = "lanes-and-markets-2026"
    response = client.post("/accounts/password/", {
        "old_password": f.PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("lanes-and-markets-2026")


def test_the_dashboard_shows_the_countdown_and_only_working_entries(client):
    campaign = f.CampaignFactory(name="百日攻坚战")
    admin = f.admin()
    client.force_login(admin)
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "百日攻坚战" in body
    assert f"{campaign.days_to_evaluation()}" in body
    assert "/admin/" in body
    member = f.member(f.UnitFactory())
    client.force_login(member)
    assert "/admin/" not in client.get("/").content.decode()


def test_the_django_admin_is_for_admins_only(client):
    staff_member = f.member(f.UnitFactory(), is_staff=True)
    client.force_login(staff_member)
    assert client.get("/admin/").status_code == 302
    client.force_login(f.admin())
    assert client.get("/admin/").status_code == 200
