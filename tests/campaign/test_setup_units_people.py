"""Set-up of units and people: an admin lists, creates and edits them; bad input is refused and changes nothing."""

import json

import pytest
from django.urls import reverse

from accounts.models import Unit, User
from campaign.demo import cell_boundary
from tests import factories as f
from tests.campaign.setup_helpers import text

pytestmark = pytest.mark.django_db

PASSWORD = "Str0ng-campaign-pass"




def unit_data(unit: Unit | None = None, **changes) -> dict:
    data = {"code": "squad9", "name": "第九中队", "short_name": "", "kind": "squad", "parent": f.bureau().pk,
            "jurisdiction": "", "boundary": "", "sort_order": 0}
    if unit is not None:
        data.update(code=unit.code, name=unit.name, short_name=unit.short_name, kind=unit.kind,
                    parent=unit.parent_id or "", jurisdiction=unit.jurisdiction,
                    boundary=json.dumps(unit.boundary) if unit.boundary else "", sort_order=unit.sort_order)
    data.update(changes)
    return data


# --- units ------------------------------------------------------------------------------------


def test_the_unit_list_is_the_tree_in_order(setup_client):
    squad = f.UnitFactory(name="第一中队", sort_order=1)
    team = f.UnitFactory(name="一组", parent=squad, kind=Unit.Kind.OFFICE)
    f.inspection_squad()
    response = setup_client.get(reverse("setup:units"))
    rows = [unit for unit, _prefix in response.context["rows"]]
    assert rows[0].kind == Unit.Kind.BUREAU
    assert rows.index(team) == rows.index(squad) + 1
    assert {u.pk: p for u, p in response.context["rows"]}[team.pk].endswith("└ ")


def test_an_admin_creates_a_squad_with_a_jurisdiction_and_boundary(setup_client):
    boundary = cell_boundary(0)
    response = setup_client.post(reverse("setup:unit_create"), unit_data(
        jurisdiction="解放路街道", boundary=json.dumps(boundary)))
    assert response.status_code == 302, response.context["form"].errors
    squad = Unit.objects.get(code="squad9")
    assert squad.boundary == boundary and squad.jurisdiction == "解放路街道"
    assert squad.path == f"{f.bureau().path}{squad.pk}/"


def test_an_admin_moves_a_unit_and_the_paths_follow(setup_client):
    first, second = f.UnitFactory(), f.UnitFactory()
    team = f.UnitFactory(parent=first, kind=Unit.Kind.OFFICE)
    response = setup_client.post(reverse("setup:unit_update", args=[first.pk]), unit_data(
        first, parent=second.pk, kind=Unit.Kind.OFFICE))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.path == f"{second.path}{first.pk}/{team.pk}/"


@pytest.mark.parametrize(("case", "message"), [
    ("duplicate code", "Unit with this Code already exists."),
    ("second bureau", "There is already a bureau: the tree has one root."),
    ("bureau with a parent", "There is already a bureau: the tree has one root."),
    ("squad without a parent", "The bureau is the root; every other unit has a parent."),
    ("malformed JSON", "The boundary is not valid JSON"),
    ("two points", "A boundary needs at least three [latitude, longitude] points."),
    ("not a pair", "Point 2 is not a [latitude, longitude] pair."),
])
def test_a_bad_new_unit_is_refused_and_nothing_is_created(setup_client, case, message):
    taken = f.UnitFactory(code="taken")
    data = {
        "duplicate code": unit_data(code=taken.code),
        "second bureau": unit_data(kind="bureau", parent=""),
        "bureau with a parent": unit_data(kind="bureau"),
        "squad without a parent": unit_data(parent=""),
        "malformed JSON": unit_data(boundary="[[30.1, 120.1], [30.2"),
        "two points": unit_data(boundary="[[30.1, 120.1], [30.2, 120.2]]"),
        "not a pair": unit_data(boundary="[[30.1, 120.1], [30.2], [30.3, 120.3]]"),
    }[case]
    before = Unit.objects.count()
    response = setup_client.post(reverse("setup:unit_create"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert Unit.objects.count() == before


def test_the_bureau_cannot_be_given_a_parent(setup_client):
    bureau, squad = f.bureau(), f.UnitFactory()
    response = setup_client.post(reverse("setup:unit_update", args=[bureau.pk]), unit_data(bureau, parent=squad.pk))
    assert response.status_code == 400
    assert "A unit cannot sit under itself." in text(response)
    bureau.refresh_from_db()
    assert bureau.parent is None


def test_a_unit_cannot_sit_under_itself_or_its_own_child(setup_client):
    squad = f.UnitFactory(name="第一中队")
    team = f.UnitFactory(parent=squad, kind=Unit.Kind.OFFICE)
    for parent in (squad, team):
        response = setup_client.post(reverse("setup:unit_update", args=[squad.pk]), unit_data(
            squad, parent=parent.pk, name="改名"))
        assert response.status_code == 400
        assert "A unit cannot sit under itself." in text(response)
    squad.refresh_from_db()
    assert squad.parent == f.bureau() and squad.name == "第一中队"
    # The heading keeps the stored name, not the refused one.
    assert "Edit unit: 第一中队" in text(response)


# --- people -----------------------------------------------------------------------------------


def person_data(user: User | None = None, **changes) -> dict:
    data = {"username": "newbie", "full_name": "新队员", "role": "member", "unit": "", "title": "", "phone": "",
            "email": "", "is_active": "on"}
    if user is not None:
        data.update(username=user.username, full_name=user.full_name, role=user.role, unit=user.unit_id or "",
                    title=user.title, phone=user.phone, email=user.email)
        if user.is_tier3_inspector:
            data["is_tier3_inspector"] = "on"
        if not user.is_active:
            data.pop("is_active")
    data.update(changes)
    return data


def test_people_are_filtered_by_unit_role_and_search(setup_client):
    first, second = f.UnitFactory(), f.UnitFactory()
    boss = f.squad_leader(first, full_name="王中队长")
    f.member(first, full_name="李队员")
    f.member(second, full_name="张队员")
    url = reverse("setup:people")

    def names(**params):
        return {p.full_name for p in setup_client.get(url, params).context["object_list"]}

    assert names(unit=first.pk) == {"王中队长", "李队员"}
    assert names(unit=first.pk, role="squad_leader") == {"王中队长"}
    assert names(q="张") == {"张队员"}
    assert names(q=boss.username) == {"王中队长"}


def test_an_admin_creates_a_person_with_an_initial_password(setup_client):
    squad = f.UnitFactory()
    response = setup_client.post(reverse("setup:person_create"), person_data(
        unit=squad.pk, is_tier3_inspector="on", password1=PASSWORD, password2=PASSWORD))
    assert response.status_code == 302, response.context["form"].errors
    person = User.objects.get(username="newbie")
    assert person.unit == squad and person.is_tier3_inspector and person.check_password(PASSWORD)
    assert person.password != PASSWORD


def test_a_weak_initial_password_is_refused_by_the_validators(setup_client):
    squad = f.UnitFactory()
    response = setup_client.post(reverse("setup:person_create"), person_data(
        unit=squad.pk, password1="12345678", password2="12345678"))
    assert response.status_code == 400
    assert "This password is too common." in text(response)
    assert not User.objects.filter(username="newbie").exists()


def test_two_different_passwords_are_refused(setup_client):
    response = setup_client.post(reverse("setup:person_create"), person_data(
        unit=f.UnitFactory().pk, password1=PASSWORD, password2=PASSWORD + "x"))
    assert "The two passwords differ." in text(response)
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize(("case", "message"), [
    ("no unit", "Every person belongs to a unit."),
    ("tier-3 outside a squad", "Only a member of a squad can be its tier-3 inspector."),
    ("squad leader outside a squad", "A squad leader belongs to a squad."),
    ("inspector outside the inspection squad", "An inspector belongs to the inspection squad."),
    ("duplicate username", "A user with that username already exists."),
])
def test_a_bad_new_person_is_refused_and_nobody_is_created(setup_client, case, message):
    squad, office = f.UnitFactory(), f.UnitFactory(kind=Unit.Kind.OFFICE)
    f.member(squad, username="taken")
    passwords = {"password1": PASSWORD, "password2": PASSWORD}
    data = {
        "no unit": person_data(**passwords),
        "tier-3 outside a squad": person_data(unit=office.pk, is_tier3_inspector="on", **passwords),
        "squad leader outside a squad": person_data(unit=office.pk, role="squad_leader", **passwords),
        "inspector outside the inspection squad": person_data(unit=squad.pk, role="inspector", **passwords),
        "duplicate username": person_data(unit=squad.pk, username="taken", **passwords),
    }[case]
    before = User.objects.count()
    response = setup_client.post(reverse("setup:person_create"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert User.objects.count() == before


def test_an_admin_edits_role_unit_and_designation(setup_client):
    squad, inspection = f.UnitFactory(), f.inspection_squad()
    person = f.member(squad, full_name="李队员")
    response = setup_client.post(reverse("setup:person_update", args=[person.pk]), person_data(
        person, role="inspector", unit=inspection.pk, title="督察员", phone="13800000000"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.unit, person.title, person.phone) == ("inspector", inspection, "督察员", "13800000000")


def test_an_edit_that_breaks_a_rule_changes_nothing(setup_client):
    squad = f.UnitFactory()
    person = f.member(squad, full_name="李队员")
    response = setup_client.post(reverse("setup:person_update", args=[person.pk]), person_data(
        person, full_name="改名", role="inspector"))
    assert "An inspector belongs to the inspection squad." in text(response)
    person.refresh_from_db()
    assert (person.full_name, person.role) == ("李队员", "member")


def test_an_admin_deactivates_a_person(setup_client):
    person = f.member(f.UnitFactory())
    data = person_data(person)
    data.pop("is_active")
    setup_client.post(reverse("setup:person_update", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.is_active is False


def test_an_admin_resets_a_password(setup_client, client):
    person = f.member(f.UnitFactory())
    response = setup_client.post(reverse("setup:person_password", args=[person.pk]),
                                 {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and not person.check_password(f.PASSWORD)


def test_a_weak_reset_password_is_refused_and_the_old_one_still_works(setup_client):
    person = f.member(f.UnitFactory())
    response = setup_client.post(reverse("setup:person_password", args=[person.pk]),
                                 {"password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert "This password is too short." in text(response)
    person.refresh_from_db()
    assert person.check_password(f.PASSWORD)


def test_an_admin_cannot_lock_themselves_out(client):
    me = f.admin(full_name="周创建")
    client.force_login(me)
    for change in ({"role": "member"}, {"is_active": None}):
        data = person_data(me, **change)
        data = {k: v for k, v in data.items() if v is not None}
        response = client.post(reverse("setup:person_update", args=[me.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "You cannot take away your own administrator role or deactivate yourself." in text(response)
        me.refresh_from_db()
        assert me.role == "admin" and me.is_active


def test_an_admin_types_a_mobile_number_as_people_write_it_and_a_bad_one_is_refused(setup_client):
    person = f.member(f.UnitFactory(), full_name="李队员")
    url = reverse("setup:person_update", args=[person.pk])
    assert setup_client.post(url, person_data(person, phone="139 0000 0001")).status_code == 302
    person.refresh_from_db()
    assert person.phone == "13900000001"
    response = setup_client.post(url, person_data(person, phone="0571-12345"))
    assert "Enter an 11-digit mobile number" in text(response)
    person.refresh_from_db()
    assert person.phone == "13900000001"
