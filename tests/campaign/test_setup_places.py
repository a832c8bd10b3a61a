"""Set-up of point types with their check lists, sites on the map, and the 数字城管 event categories."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Unit
from campaign.demo import cell_boundary
from campaign.models import CheckItem, EventCategory, PointType, Site
from tests import factories as f
from tests.campaign.setup_helpers import text

pytestmark = pytest.mark.django_db




# --- point types and check lists ----------------------------------------------------------


def point_type_data(point_type: PointType | None = None, rows: list[dict] = (), **changes) -> dict:
    """The page's POST: the point type's fields, then one formset row per check (existing rows first)."""
    existing = list(point_type.checks.order_by("sort_order", "pk")) if point_type else []
    data = {"name": point_type.name if point_type else "夜市", "sort_order": 0, "is_active": "on",
            "checks-TOTAL_FORMS": len(existing) + len(rows), "checks-INITIAL_FORMS": len(existing),
            "checks-MIN_NUM_FORMS": 0, "checks-MAX_NUM_FORMS": 1000}
    for i, check in enumerate(existing):
        data.update({f"checks-{i}-id": check.pk, f"checks-{i}-text": check.text,
                     f"checks-{i}-content": check.content_id or "", f"checks-{i}-standard": check.standard_id or "",
                     f"checks-{i}-reference": check.reference, f"checks-{i}-sort_order": check.sort_order})
    for i, row in enumerate(rows, start=len(existing)):
        for key, value in row.items():
            data[f"checks-{i}-{key}"] = value
    data.update(changes)
    return data


def test_an_admin_creates_a_point_type_with_its_check_list(setup_client):
    standard = f.standard("Ⅲ-59", 2)
    response = setup_client.post(reverse("setup:point_type_create"), point_type_data(rows=[
        {"text": "无占道经营", "content": standard.content_id, "standard": standard.pk, "sort_order": 1},
        {"text": "夜间照明正常", "reference": "本局补充", "sort_order": 2},
        {"text": "", "sort_order": 0},  # a blank extra row is ignored
    ]))
    assert response.status_code == 302, response.context["formset"].errors
    point_type = PointType.objects.get(name="夜市")
    checks = list(point_type.checks.order_by("sort_order"))
    assert [c.text for c in checks] == ["无占道经营", "夜间照明正常"]
    assert checks[0].standard == standard and checks[1].reference == "本局补充"


def test_an_admin_edits_adds_and_deletes_checks(setup_client):
    point_type = PointType.objects.create(name="背街小巷")
    keep = point_type.checks.create(text="路面平整", sort_order=1)
    drop = point_type.checks.create(text="旧的检查", sort_order=2)
    data = point_type_data(point_type, rows=[{"text": "无乱堆乱放", "sort_order": 3}], name="背街小巷（含城中村）")
    data["checks-0-text"] = "路面平整无坑洼"
    data["checks-1-DELETE"] = "on"
    response = setup_client.post(reverse("setup:point_type_update", args=[point_type.pk]), data)
    assert response.status_code == 302
    point_type.refresh_from_db()
    assert point_type.name == "背街小巷（含城中村）"
    assert sorted(point_type.checks.values_list("text", flat=True)) == ["无乱堆乱放", "路面平整无坑洼"]
    assert not CheckItem.objects.filter(pk=drop.pk).exists()
    keep.refresh_from_db()
    assert keep.text == "路面平整无坑洼"


def test_a_standard_of_another_content_is_refused(setup_client):
    standard = f.standard("Ⅲ-59", 1)
    other = f.standard("Ⅲ-60", 1)
    response = setup_client.post(reverse("setup:point_type_create"), point_type_data(rows=[
        {"text": "无占道经营", "content": standard.content_id, "standard": other.pk, "sort_order": 1}]))
    assert response.status_code == 400
    assert "Standard Ⅲ-60-1 does not belong to content Ⅲ-59" in text(response)
    assert not PointType.objects.filter(name="夜市").exists()


def test_a_duplicate_check_on_one_point_type_changes_nothing(setup_client):
    point_type = PointType.objects.create(name="背街小巷")
    point_type.checks.create(text="路面平整", sort_order=1)
    response = setup_client.post(reverse("setup:point_type_update", args=[point_type.pk]), point_type_data(
        point_type, rows=[{"text": "路面平整", "sort_order": 2}], name="改名"))
    assert response.status_code == 400
    assert "Please correct the duplicate values below." in text(response)
    point_type.refresh_from_db()
    assert point_type.name == "背街小巷" and point_type.checks.count() == 1


def test_a_duplicate_point_type_name_is_refused(setup_client):
    PointType.objects.create(name="夜市")
    response = setup_client.post(reverse("setup:point_type_create"), point_type_data())
    assert "Point type with this Name already exists." in text(response)
    assert PointType.objects.filter(name="夜市").count() == 1


def test_the_point_type_list_counts_checks_and_sites(setup_client):
    point_type = PointType.objects.create(name="农贸市场")
    point_type.checks.create(text="一")
    point_type.checks.create(text="二")
    f.SiteFactory(point_type=point_type)
    row = setup_client.get(reverse("setup:point_types")).context["object_list"].get(pk=point_type.pk)
    assert (row.check_count, row.site_count) == (2, 1)


def test_the_check_list_page_reads_its_menus_once(setup_client, django_assert_max_num_queries, monkeypatch):
    from campaign.core import context_processors

    # The top bar's entries and 待办 count come from other apps and are counted there.
    monkeypatch.setattr(context_processors, "entries", lambda user: [])
    monkeypatch.setattr(context_processors.todo, "count", lambda user, now: 0)
    point_type = PointType.objects.create(name="背街小巷")
    for i in range(20):
        point_type.checks.create(text=f"检查{i}", sort_order=i, content=f.standard(f"Ⅲ-{i}", 1).content)
    # session, user, user's unit, the point type, its checks, the content menu, the standard menu
    with django_assert_max_num_queries(7):
        setup_client.get(reverse("setup:point_type_update", args=[point_type.pk]))


# --- sites ----------------------------------------------------------------------------------


@pytest.fixture
def squads():
    first = f.UnitFactory(name="第一中队", boundary=cell_boundary(0))
    second = f.UnitFactory(name="第二中队", boundary=cell_boundary(1))
    return first, second


INSIDE_FIRST = ("30.265000", "120.150000")
INSIDE_SECOND = ("30.265000", "120.170000")
OUTSIDE = ("31.000000", "121.000000")


def site_data(unit=None, at=INSIDE_FIRST, **changes) -> dict:
    point_type = PointType.objects.get_or_create(name="背街小巷")[0]
    data = {"name": "惠民路背街", "point_type": point_type.pk, "unit": unit.pk if unit else "", "address": "",
            "latitude": at[0], "longitude": at[1], "is_active": "on"}
    data.update(changes)
    return data


def test_an_admin_creates_a_site_in_its_units_jurisdiction(setup_client, squads):
    response = setup_client.post(reverse("setup:site_create"), site_data(squads[0]))
    assert response.status_code == 302
    site = Site.objects.get(name="惠民路背街")
    assert site.unit == squads[0] and site.latitude == Decimal(INSIDE_FIRST[0])


def test_a_site_without_a_unit_is_offered_the_unit_whose_jurisdiction_holds_it(setup_client, squads):
    response = setup_client.post(reverse("setup:site_create"), site_data(None, at=INSIDE_SECOND))
    assert response.status_code == 400
    assert not Site.objects.exists()
    form = response.context["form"]
    assert form.proposed_unit == squads[1]
    assert form["unit"].value() == str(squads[1].pk)
    assert "These coordinates lie in 第二中队's jurisdiction" in text(response)
    # Saving the page again as shown creates the site in the proposed unit.
    confirm = setup_client.post(reverse("setup:site_create"), site_data(squads[1], at=INSIDE_SECOND))
    assert confirm.status_code == 302
    assert Site.objects.get().unit == squads[1]


def test_a_site_outside_every_jurisdiction_is_refused(setup_client, squads):
    response = setup_client.post(reverse("setup:site_create"), site_data(None, at=OUTSIDE))
    assert response.status_code == 400
    assert "These coordinates lie outside every squad's jurisdiction." in text(response)
    assert not Site.objects.exists()


def test_a_site_outside_its_chosen_units_boundary_is_refused(setup_client, squads):
    response = setup_client.post(reverse("setup:site_create"), site_data(squads[0], at=INSIDE_SECOND))
    assert "These coordinates lie outside 第一中队's jurisdiction." in text(response)
    assert not Site.objects.exists()


def test_moving_a_site_out_of_its_unit_changes_nothing(setup_client, squads):
    site = f.SiteFactory(unit=squads[0], latitude=Decimal(INSIDE_FIRST[0]), longitude=Decimal(INSIDE_FIRST[1]))
    response = setup_client.post(reverse("setup:site_update", args=[site.pk]), site_data(
        squads[0], at=OUTSIDE, name=site.name))
    assert response.status_code == 400
    site.refresh_from_db()
    assert site.latitude == Decimal(INSIDE_FIRST[0])


def test_coordinates_use_number_inputs_with_a_fine_step(setup_client, squads):
    body = text(setup_client.get(reverse("setup:site_create")))
    assert 'type="number" name="latitude"' in body and 'step="0.000001"' in body


def test_sites_are_filtered_by_unit_and_point_type(setup_client, squads):
    lane, market = PointType.objects.create(name="背街小巷"), PointType.objects.create(name="农贸市场")
    a = f.SiteFactory(unit=squads[0], point_type=lane, latitude=30.26, longitude=120.15)
    b = f.SiteFactory(unit=squads[0], point_type=market, latitude=30.26, longitude=120.15)
    c = f.SiteFactory(unit=squads[1], point_type=lane, latitude=30.26, longitude=120.17)
    url = reverse("setup:sites")

    def listed(**params):
        return set(setup_client.get(url, params).context["object_list"])

    assert listed() == {a, b, c}
    assert listed(unit=squads[0].pk) == {a, b}
    assert listed(point_type=lane.pk) == {a, c}
    assert listed(unit=squads[0].pk, point_type=market.pk) == {b}


# --- event categories -----------------------------------------------------------------------


def test_an_admin_creates_a_major_and_a_minor(setup_client):
    assert setup_client.post(reverse("setup:major_create"), {"name": "街面秩序", "sort_order": 1,
                                                            "is_active": "on"}).status_code == 302
    major = EventCategory.objects.get(name="街面秩序", parent=None)
    response = setup_client.post(reverse("setup:minor_create"), {
        "parent": major.pk, "name": "流动摊点", "time_limit_hours": 2, "sort_order": 0, "is_active": "on"})
    assert response.status_code == 302
    assert major.children.get().time_limit_hours == 2


def test_a_minor_is_edited(setup_client):
    minor = f.category("街面秩序", "店外经营", 24)
    response = setup_client.post(reverse("setup:minor_update", args=[minor.pk]), {
        "parent": minor.parent_id, "name": "店外经营", "time_limit_hours": 12, "sort_order": 0, "is_active": "on"})
    assert response.status_code == 302
    minor.refresh_from_db()
    assert minor.time_limit_hours == 12


@pytest.mark.parametrize(("case", "message"), [
    ("no time limit", "This field is required."),
    ("zero hours", "A sub-category needs a time limit."),
    ("third level", "Categories have two levels: choose a 大类 as the parent."),
    ("duplicate minor", "already exists"),
])
def test_a_bad_minor_is_refused_and_nothing_is_created(setup_client, case, message):
    minor = f.category("街面秩序", "店外经营", 24)
    data = {"parent": minor.parent_id, "name": "流动摊点", "time_limit_hours": 2, "sort_order": 0}
    data.update({
        "no time limit": {"time_limit_hours": ""},
        "zero hours": {"time_limit_hours": 0},
        "third level": {"parent": minor.pk},
        "duplicate minor": {"name": "店外经营"},
    }[case])
    response = setup_client.post(reverse("setup:minor_create"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert EventCategory.objects.count() == 2


def test_a_duplicate_major_is_refused(setup_client):
    f.category("街面秩序", "店外经营", 24)
    response = setup_client.post(reverse("setup:major_create"), {"name": "街面秩序", "sort_order": 0})
    assert response.status_code == 400
    assert "There is already a 大类 named 街面秩序." in text(response)
    assert EventCategory.objects.filter(parent=None).count() == 1


def test_a_minor_name_may_repeat_under_another_major(setup_client):
    f.category("街面秩序", "其他", 24)
    other = EventCategory.objects.create(name="市容环境")
    response = setup_client.post(reverse("setup:minor_create"), {
        "parent": other.pk, "name": "其他", "time_limit_hours": 24, "sort_order": 0})
    assert response.status_code == 302
    assert EventCategory.objects.filter(name="其他").count() == 2


def test_a_major_is_not_opened_as_a_minor(setup_client):
    minor = f.category()
    assert setup_client.get(reverse("setup:minor_update", args=[minor.parent_id])).status_code == 404
    assert setup_client.get(reverse("setup:major_update", args=[minor.pk])).status_code == 404


def test_the_unit_menu_lists_units_in_tree_order(setup_client, squads):
    response = setup_client.get(reverse("setup:site_create"))
    units = list(response.context["form"].fields["unit"].queryset)
    assert units[0] == Unit.objects.get(kind=Unit.Kind.BUREAU)
