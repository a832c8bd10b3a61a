"""The set-up pages as a whole: who may open them, the index and its counts, list pages with steady queries."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from campaign.models import EventCategory, Framework, PointType, Site
from tests import factories as f
from tests.campaign.setup_helpers import text

pytestmark = pytest.mark.django_db

LIST_PAGES = ["index", "units", "people", "campaigns", "frameworks", "point_types", "sites", "categories"]
FORM_PAGES = ["unit_create", "person_create", "campaign_create", "point_type_create", "site_create",
              "major_create", "minor_create"]




def other_roles():
    squad = f.UnitFactory()
    return {
        "leader": f.leader(),
        "squad_leader": f.squad_leader(squad),
        "member": f.member(squad),
        "tier3_member": f.member(squad, is_tier3_inspector=True),
        "inspector": f.inspector(),
    }


@pytest.mark.parametrize("name", LIST_PAGES + FORM_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"setup:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_every_other_role_is_refused_with_a_readable_message(client):
    site = f.SiteFactory()
    urls = [reverse(f"setup:{name}") for name in LIST_PAGES + FORM_PAGES] + [
        reverse("setup:unit_update", args=[site.unit_id]),
        reverse("setup:site_update", args=[site.pk]),
    ]
    for role, user in other_roles().items():
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 403, (role, url)
            assert "Only an administrator can change the set-up." in text(response)


def test_a_leader_cannot_post_a_change(client):
    unit = f.UnitFactory(name="第一中队")
    client.force_login(f.leader())
    response = client.post(reverse("setup:unit_update", args=[unit.pk]), {
        "code": unit.code, "name": "改名", "kind": "squad", "parent": unit.parent_id, "sort_order": 0})
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.name == "第一中队"


def test_a_leader_cannot_load_the_framework(client):
    client.force_login(f.leader())
    assert client.post(reverse("setup:framework_load")).status_code == 403
    assert not Framework.objects.exists()


def test_a_superuser_without_the_admin_role_may_use_set_up(client):
    client.force_login(User.objects.create_superuser("root", "root@example.test", "x-long-password-1"))
    assert client.get(reverse("setup:index")).status_code == 200


def test_the_dashboard_link_leads_to_the_index_with_counts(setup_client):
    f.SiteFactory.create_batch(3)
    f.category("市容环境", "暴露垃圾", 24)
    response = setup_client.get(reverse("setup:index"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["sites"] == 3 and counts["categories"] == 2 and counts["point_types"] == PointType.objects.count()
    body = text(response)
    for name in LIST_PAGES[1:]:
        assert reverse(f"setup:{name}") in body


def test_every_form_page_opens_for_an_admin(setup_client):
    for name in FORM_PAGES:
        assert setup_client.get(reverse(f"setup:{name}")).status_code == 200, name


# --- query counts: the same whatever the number of rows ---------------------------------------


def _rows(start: int, stop: int) -> None:
    """Rows start … stop-1 of everything the list pages show."""
    framework = f.FrameworkFactory()
    for i in range(start, stop):
        unit = f.UnitFactory()
        f.member(unit)
        point_type = PointType.objects.create(name=f"点位类型{i}")
        point_type.checks.create(text=f"检查{i}")
        Site.objects.create(name=f"点位{i}", unit=unit, point_type=point_type, latitude=30, longitude=120)
        f.category(f"大类{i}", f"小类{i}", 24)
        f.CampaignFactory(framework=framework)
        Framework.objects.create(edition=f"e{i}", name=f"版本{i}")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def without_navigation(monkeypatch):
    """The top bar's entries and its 待办 count come from every app and are counted by their own tests (the
    count in tests/campaign/test_todo.py); these count the page."""
    from campaign.core import context_processors

    monkeypatch.setattr(context_processors, "entries", lambda user: [])
    monkeypatch.setattr(context_processors.todo, "count", lambda user, now: 0)


# Every page starts with: the session, and the signed-in user with their unit (for the top bar).
EXPECTED = {
    "index": 9,        # + one COUNT per kind (7)
    "units": 3,        # + the whole tree in one query
    "people": 5,       # + COUNT for the pager, the unit filter's menu, the page of people with their units
    "campaigns": 3,    # + campaigns with their framework
    "frameworks": 3,   # + editions with their counts
    "point_types": 3,  # + point types with check and site counts
    "sites": 6,        # + COUNT for the pager, the unit and point-type filter menus, the page with unit and type
    "categories": 4,   # + majors, + their minors
}


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_take_the_same_queries_for_5_and_30_rows(setup_client, name, django_assert_num_queries,
                                                            without_navigation):
    url = reverse(f"setup:{name}")
    _rows(0, 5)
    few = _count(setup_client, url)
    _rows(5, 30)
    with django_assert_num_queries(EXPECTED[name]):
        setup_client.get(url)
    assert few == EXPECTED[name]


def test_the_framework_page_takes_the_same_queries_whatever_its_size(setup_client, django_assert_num_queries,
                                                                    without_navigation):
    framework = f.FrameworkFactory()
    f.standard("Ⅲ-1", 1, framework=framework)
    url = reverse("setup:framework_detail", args=[framework.pk])
    few = _count(setup_client, url)
    for n in range(2, 30):
        f.standard(f"Ⅲ-{n}", 1, framework=framework)
        f.standard(f"Ⅲ-{n}", 2, framework=framework)
    # session, user with their unit, the framework, items, indicators, contents, standards, negative list
    with django_assert_num_queries(8):
        setup_client.get(url)
    assert few == 8


def test_the_category_counts_include_majors_and_minors(setup_client):
    f.category("街面秩序", "店外经营", 24)
    f.category("街面秩序", "流动摊点", 2)
    response = setup_client.get(reverse("setup:categories"))
    majors = response.context["object_list"]
    assert [m.name for m in majors] == ["街面秩序"]
    assert sorted(c.name for c in majors[0].children.all()) == ["店外经营", "流动摊点"]
    assert EventCategory.objects.count() == 3


def test_anonymous_visitors_learn_nothing_about_which_objects_exist(client):
    for name in ("person_password", "standard_create", "negative_create", "unit_update"):
        response = client.get(reverse(f"setup:{name}", args=[999999]))
        assert response.status_code == 302, name


def test_with_the_real_top_bar_the_query_count_still_does_not_grow(setup_client):
    url = reverse("setup:sites")
    _rows(0, 5)
    few = _count(setup_client, url)
    _rows(5, 30)
    assert _count(setup_client, url) == few
