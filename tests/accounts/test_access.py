"""The access helpers (DESIGN.md section 6), with an owner, a colleague and an outsider for each rule."""

import pytest

from accounts import access
from accounts.models import Unit
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def squads():
    return f.UnitFactory(name="第一中队"), f.UnitFactory(name="第二中队")


def test_leader_sees_and_acts_in_every_unit(squads):
    leader = f.leader()
    assert set(access.units_visible_to(leader)) == set(Unit.objects.all())
    assert all(access.can_act_in_unit(leader, s) for s in squads)


def test_inspector_sees_every_unit_but_acts_in_none_as_a_unit(squads):
    inspector = f.inspector()
    assert all(access.units_visible_to(inspector).filter(pk=s.pk).exists() for s in squads)
    assert not any(access.can_act_in_unit(inspector, s) for s in squads)


def test_squad_leader_sees_and_acts_only_in_own_squad_and_its_children(squads):
    own, other = squads
    team = f.UnitFactory(name="一组", kind=Unit.Kind.OFFICE, parent=own)
    leader = f.squad_leader(own)
    assert set(access.units_visible_to(leader)) == {own, team}
    assert access.can_act_in_unit(leader, own) and access.can_act_in_unit(leader, team)
    assert not access.units_visible_to(leader).filter(pk=other.pk).exists()
    assert not access.can_act_in_unit(leader, other)


def test_member_sees_own_unit_but_cannot_act_as_a_unit(squads):
    own, other = squads
    owner = f.member(own)
    colleague = f.member(own)
    outsider = f.member(other)
    assert access.units_visible_to(owner).filter(pk=own.pk).exists()
    assert access.units_visible_to(colleague).filter(pk=own.pk).exists()
    assert not access.can_act_in_unit(owner, own)
    assert not access.units_visible_to(outsider).filter(pk=own.pk).exists()


def test_restrict_to_units_filters_rows_by_the_unit_field(squads):
    own, other = squads
    people_own = [f.member(own) for _ in range(2)]
    f.member(other)
    viewer = f.squad_leader(own)
    from accounts.models import User

    visible = access.restrict_to_units(User.objects.all(), viewer)
    assert set(visible) == {viewer, *people_own}


def test_anonymous_user_sees_nothing(squads):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not access.units_visible_to(anon).exists()
    assert not access.units_visible_to(anon).filter(pk=squads[0].pk).exists()


def test_moving_a_unit_refreshes_paths_of_its_children(squads):
    own, other = squads
    team = f.UnitFactory(name="一组", kind=Unit.Kind.OFFICE, parent=own)
    from accounts.services import unit_save

    team.parent = other
    unit_save(unit=team)
    team.refresh_from_db()
    assert team.path == f"{other.path}{team.pk}/"
    assert access.units_visible_to(f.squad_leader(other)).filter(pk=team.pk).exists()
