"""Model constraints and cross-field checks: bad set-up data is refused with a readable message."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Unit, User
from accounts.services import unit_save, user_save
from campaign.demo import cell_boundary
from campaign.models import Campaign, EventCategory, Site, Standard
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are matched in English; the Chinese catalogue is checked by test_translations.
    from django.utils import translation

    with translation.override("en"):
        yield


def test_a_campaign_that_ends_before_it_starts_is_refused():
    campaign = f.CampaignFactory.build(framework=f.FrameworkFactory(), start_date=datetime.date(2026, 9, 1),
                                       end_date=datetime.date(2026, 8, 1), evaluation_date=datetime.date(2026, 9, 2))
    with pytest.raises(ValidationError) as err:
        campaign.full_clean()
    assert "A campaign ends after it starts." in err.value.message_dict["end_date"]


def test_the_database_also_refuses_a_campaign_that_ends_before_it_starts():
    campaign = f.CampaignFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(end_date=campaign.start_date - datetime.timedelta(days=1))


def test_score_weights_must_add_up_to_100():
    campaign = f.CampaignFactory.build(framework=f.FrameworkFactory(), weight_rework=16)
    with pytest.raises(ValidationError, match="add up to 100"):
        campaign.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        campaign.save()


def test_campaign_countdown_figures():
    campaign = f.CampaignFactory.build(start_date=datetime.date(2026, 10, 1), end_date=datetime.date(2027, 1, 8),
                                       evaluation_date=datetime.date(2027, 1, 10))
    assert campaign.duration_days == 100
    assert campaign.day_number(datetime.date(2026, 10, 1)) == 1
    assert campaign.day_number(datetime.date(2026, 11, 9)) == 40
    assert campaign.day_number(datetime.date(2027, 3, 1)) == 100
    assert campaign.days_to_evaluation(datetime.date(2027, 1, 1)) == 9
    assert not campaign.is_active(datetime.date(2027, 1, 9))


def test_a_duplicate_unit_code_is_refused():
    f.UnitFactory(code="squad1")
    with pytest.raises(ValidationError) as err:
        unit_save(unit=Unit(code="squad1", name="另一个", kind=Unit.Kind.SQUAD, parent=f.bureau()))
    assert "code" in err.value.message_dict


def test_only_the_bureau_is_a_root():
    f.bureau()
    with pytest.raises(ValidationError, match="every other unit has a parent"):
        unit_save(unit=Unit(code="orphan", name="无上级", kind=Unit.Kind.SQUAD))


def test_a_malformed_boundary_is_refused():
    with pytest.raises(ValidationError) as err:
        unit_save(unit=Unit(code="x", name="x", kind=Unit.Kind.SQUAD, parent=f.bureau(), boundary=[[30, 120]]))
    assert "boundary" in err.value.message_dict


def test_a_person_without_a_unit_is_refused():
    with pytest.raises(ValidationError) as err:
        user_save(user=User(username="nobody", role=User.Role.MEMBER), password="a-long-passphrase-1")
    assert "Every person belongs to a unit." in err.value.message_dict["unit"]
    assert not User.objects.filter(username="nobody").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role=User.Role.MEMBER)


def test_a_tier3_inspector_must_belong_to_a_squad():
    office = f.UnitFactory(kind=Unit.Kind.OFFICE)
    with pytest.raises(ValidationError, match="tier-3"):
        user_save(user=User(username="t3", unit=office, is_tier3_inspector=True))


def test_an_admin_cannot_demote_or_deactivate_themselves_but_may_another_admin():
    me, other = f.admin(), f.admin()
    for change in ({"role": User.Role.MEMBER}, {"is_active": False}):
        person = User.objects.get(pk=me.pk)
        for name, value in change.items():
            setattr(person, name, value)
        with pytest.raises(ValidationError, match="your own administrator role"):
            user_save(user=person, by=me)
    me.refresh_from_db()
    assert me.role == User.Role.ADMIN and me.is_active
    other.role = User.Role.LEADER
    user_save(user=other, by=me)
    assert User.objects.get(pk=other.pk).role == User.Role.LEADER


def test_a_site_outside_its_units_jurisdiction_is_refused():
    squad = f.UnitFactory(boundary=cell_boundary(0))
    (s, w), _, (n, e), _ = squad.boundary
    inside = f.SiteFactory.build(unit=squad, latitude=Decimal(f"{(s + n) / 2:.6f}"),
                                 longitude=Decimal(f"{(w + e) / 2:.6f}"), point_type=f.PointTypeFactory())
    inside.full_clean()
    outside = f.SiteFactory.build(unit=squad, latitude=Decimal("31.000000"), longitude=Decimal("121.000000"),
                                  point_type=f.PointTypeFactory())
    with pytest.raises(ValidationError, match="outside"):
        outside.full_clean()
    assert Site.objects.count() == 0


def test_a_minor_category_needs_a_time_limit_and_no_third_level():
    major = EventCategory.objects.create(name="街面秩序")
    with pytest.raises(ValidationError, match="time limit"):
        EventCategory(parent=major, name="店外经营").full_clean()
    minor = EventCategory.objects.create(parent=major, name="店外经营", time_limit_hours=24)
    with pytest.raises(ValidationError, match="two levels"):
        EventCategory(parent=minor, name="第三级", time_limit_hours=1).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventCategory.objects.create(parent=major, name="无时限")


def test_category_names_are_unique_within_their_parent():
    major = EventCategory.objects.create(name="街面秩序")
    EventCategory.objects.create(parent=major, name="店外经营", time_limit_hours=24)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventCategory.objects.create(parent=major, name="店外经营", time_limit_hours=12)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventCategory.objects.create(name="街面秩序")


def test_a_standards_code_is_derived_from_its_content():
    std = f.standard(code="Ⅲ-59", number=1)
    extra = Standard(content=std.content, number=2, text="依法规范管理")
    extra.full_clean()
    assert extra.code == "Ⅲ-59-2"
    wrong = Standard(content=std.content, number=3, code="Ⅲ-1-1", text="x")
    with pytest.raises(ValidationError, match="Ⅲ-59-3"):
        wrong.full_clean()
