"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Unit, User
from accounts.services import unit_save
from campaign.models import (
    Campaign,
    Content,
    EventCategory,
    Framework,
    FrameworkItem,
    Indicator,
    PointType,
    Site,
    Standard,
)

PASSWORD = "campaign100"


class UnitFactory(factory.django.DjangoModelFactory):
    """A squad under the (one) bureau by default; paths kept by the real service."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"第{n}中队")
    kind = Unit.Kind.SQUAD
    parent = factory.LazyFunction(lambda: bureau())
    boundary = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_save(unit=model_class(*args, **kwargs))


def bureau() -> Unit:
    found = Unit.objects.filter(kind=Unit.Kind.BUREAU).first()
    return found or unit_save(unit=Unit(code="bureau", name="区城管执法局", kind=Unit.Kind.BUREAU))


def inspection_squad() -> Unit:
    found = Unit.objects.filter(kind=Unit.Kind.INSPECTION).first()
    return found or unit_save(unit=Unit(code="ducha", name="督察中队", kind=Unit.Kind.INSPECTION, parent=bureau()))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"队员{n}")
    role = User.Role.MEMBER
    unit = factory.SubFactory(UnitFactory)
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def squad_leader(unit: Unit, **kw) -> User:
    return UserFactory(unit=unit, role=User.Role.SQUAD_LEADER, **kw)


def member(unit: Unit, **kw) -> User:
    return UserFactory(unit=unit, role=User.Role.MEMBER, **kw)


def leader(**kw) -> User:
    return UserFactory(unit=bureau(), role=User.Role.LEADER, **kw)


def admin(**kw) -> User:
    return UserFactory(unit=bureau(), role=User.Role.ADMIN, is_staff=True, **kw)


def inspector(**kw) -> User:
    return UserFactory(unit=inspection_squad(), role=User.Role.INSPECTOR, **kw)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("edition",)

    edition = "test"
    name = "测试测评体系"


def standard(code: str = "Ⅲ-59", number: int = 1, text: str = "环境卫生干净整洁，无脏乱差现象",
             framework: Framework | None = None, bureau_scope: bool = True) -> Standard:
    """A standard (and its item, indicator and content) in the test framework."""
    framework = framework or FrameworkFactory()
    item, _ = FrameworkItem.objects.get_or_create(framework=framework, code="Ⅰ-9", defaults={"name": "生活环境"})
    indicator, _ = Indicator.objects.get_or_create(framework=framework, code="Ⅱ-27",
                                                   defaults={"name": "公共服务", "item": item})
    content, _ = Content.objects.get_or_create(framework=framework, code=code,
                                               defaults={"name": "面貌", "indicator": indicator,
                                                         "bureau_scope": bureau_scope})
    std, _ = Standard.objects.get_or_create(content=content, number=number, defaults={
        "framework": framework, "code": f"{code}-{number}", "text": text, "bureau_scope": bureau_scope})
    return std


class CampaignFactory(factory.django.DjangoModelFactory):
    """A 100-day campaign that started 30 days ago."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"百日攻坚{n}")
    framework = factory.SubFactory(FrameworkFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=99))
    evaluation_date = factory.LazyAttribute(lambda o: o.end_date)


class PointTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointType
        django_get_or_create = ("name",)

    name = "背街小巷"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"点位{n}")
    point_type = factory.SubFactory(PointTypeFactory)
    unit = factory.SubFactory(UnitFactory)
    latitude = Decimal("30.270000")
    longitude = Decimal("120.160000")


def category(major: str = "街面秩序", minor: str = "店外经营", hours: int = 24) -> EventCategory:
    parent, _ = EventCategory.objects.get_or_create(parent=None, name=major)
    child, _ = EventCategory.objects.get_or_create(parent=parent, name=minor, defaults={"time_limit_hours": hours})
    return child


def api(user):
    """A DRF test client signed in as ``user``."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client
