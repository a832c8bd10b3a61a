"""seed_demo builds a believable district, twice without duplicates, and never on a real site by accident."""

import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Unit, User
from campaign.core import seeding
from campaign.demo import demo_mobile
from campaign.models import Campaign, Site
from inspections.models import Finding
from reports.models import Bulletin, Robot
from tasks.models import Task

pytestmark = pytest.mark.django_db


def _counts():
    return (Unit.objects.count(), User.objects.count(), Site.objects.count(), Campaign.objects.count())


def test_seed_demo_builds_the_district_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert Unit.objects.filter(kind=Unit.Kind.SQUAD).count() == 8
    assert 35 <= User.objects.count() <= 45
    assert 28 <= Site.objects.count() <= 35
    out = capsys.readouterr().out
    assert "squad1" in out and "campaign100" in out
    # Each app's registered demo step ran: the list, the findings, and the bulletins that count them.
    assert Task.objects.exists() and Finding.objects.exists() and Bulletin.objects.exists()
    # A switched-off group robot for each squad, the inspection squad and the leaders, ready for real keys.
    assert Robot.objects.filter(enabled=False).count() == 10 and not Robot.objects.filter(enabled=True).exists()


def test_the_apps_register_their_seeding_steps_in_the_order_their_data_needs():
    assert [label for label, _seed in seeding.demo_steps()] == ["tasks", "inspections", "reports"]
    assert [label for label, _step in seeding.large_steps()] == ["tasks", "inspections"]


def test_demo_people_have_the_documented_roles_and_password(district):
    squad1 = User.objects.get(username="squad1")
    assert squad1.role == User.Role.SQUAD_LEADER and squad1.unit.name == "第一中队"
    assert squad1.check_password("campaign100")
    assert User.objects.get(username="inspector1").unit.kind == Unit.Kind.INSPECTION
    assert User.objects.get(username="admin").role == User.Role.ADMIN
    assert User.objects.get(username="leader").role == User.Role.LEADER
    assert User.objects.filter(is_tier3_inspector=True, unit__kind=Unit.Kind.SQUAD).count() == 8


def test_every_demo_site_lies_in_its_squads_jurisdiction(district):
    for site in Site.objects.select_related("unit"):
        assert site.unit.contains_point(site.latitude, site.longitude), site.name


def test_the_demo_campaign_is_running_and_started_weeks_ago(district):
    campaign = district.campaign
    assert campaign.is_active()
    assert campaign.duration_days == 100
    assert campaign.day_number() > 14


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert _counts() == (0, 0, 0, 0)


def test_seed_demo_runs_with_force_when_debug_is_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", force=True)
    assert Campaign.objects.count() == 1


def test_demo_people_have_plausible_mobile_numbers_the_same_on_every_run(district):
    phones = list(User.objects.values_list("username", "phone"))
    assert all(re.fullmatch(r"1[3-9]\d{9}", phone) for _, phone in phones)
    assert len({phone for _, phone in phones}) == len(phones)
    assert dict(phones)["squad1"] == demo_mobile("squad1")
