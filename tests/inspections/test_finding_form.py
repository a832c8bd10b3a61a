"""The finding form's menus: the sites and units it offers to whom, the same markup Django's own widgets wrote
for them, and a posted site still checked against the sites the inspector may use."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.models import Site
from inspections import services
from inspections.forms import FindingForm
from inspections.models import Finding
from tests.factories import SiteFactory
from tests.inspections.factories import photo, street_category

pytestmark = pytest.mark.django_db
MENUS = ("site", "inspection", "point_type", "category", "responsible_unit")


def _as_before(form: FindingForm) -> FindingForm:
    """The form as it was before its menus were written in Python: Django's Select over model instances."""
    for name in MENUS:
        field = form.fields[name]
        field.widget = forms.Select(attrs=field.widget.attrs)
        field.widget.is_required = field.required
        field.queryset = field.queryset  # the widget's choices: a ModelChoiceIterator again
    form.fields["site"].label_from_instance = lambda s: f"{s.name}（{s.unit.label}）"
    form.fields["category"].group()
    return form


def _site_menu(response) -> str:
    return re.search(r'<select name="site".*?</select>', response.content.decode(), re.S).group(0)


def _post(category, **extra):
    return {"category": category.pk, "description": "占道经营", "severity": "general",
            "latitude": "30.265000", "longitude": "120.150000", "photos": [photo()], **extra}


@pytest.mark.parametrize("who", ["inspector1", "member1"])
def test_the_menus_are_the_markup_djangos_widgets_wrote(people, district, who):
    user, site = people[who], district.sites[0]
    services.inspection_start(by=people["inspector1"], tier=2, topic="定向督查<复查>", date=timezone.localdate(),
                              target_units=[site.unit])
    for data in (None, {"site": site.pk, "responsible_unit": site.unit_id, "point_type": site.point_type_id}):
        after, before = FindingForm(data, user=user), _as_before(FindingForm(data, user=user))
        for name in MENUS:
            assert str(after[name]) == str(before[name]), name


def test_an_inspector_of_the_bureau_is_offered_every_active_site_with_its_unit(client, people, district):
    closed = district.sites[1]
    Site.objects.filter(pk=closed.pk).update(is_active=False)
    client.force_login(people["inspector1"])
    menu = _site_menu(client.get(reverse("inspections:finding_new")))
    open_sites = [s for s in district.sites if s.pk != closed.pk]
    for site in open_sites:
        assert f'<option value="{site.pk}">{site.name}（{site.unit.label}）</option>' in menu
    assert f'<option value="{closed.pk}">' not in menu and menu.count("<option") == len(open_sites) + 1


def test_a_tier3_inspector_is_offered_only_the_sites_of_their_squad(client, people, district):
    member = people["member1"]
    client.force_login(member)
    menu = _site_menu(client.get(reverse("inspections:finding_new")))
    for site in district.sites:
        assert (f'<option value="{site.pk}">' in menu) == site.unit.path.startswith(member.unit.path)


def test_a_posted_site_the_inspector_may_not_use_is_refused_and_nothing_is_saved(client, people, district):
    other_squad = next(s for s in district.sites if s.unit_id != people["member1"].unit_id)
    closed = SiteFactory(unit=people["member1"].unit, is_active=False)
    client.force_login(people["member1"])
    for site in (other_squad, closed):
        response = client.post(reverse("inspections:finding_new"), _post(street_category(), site=site.pk))
        assert response.status_code == 200
        assert response.context["form"].errors["site"]
        assert f'<option value="{site.pk}"' not in _site_menu(response)
    assert not Finding.objects.exists()
    own = next(s for s in district.sites if s.unit_id == people["member1"].unit_id)
    response = client.post(reverse("inspections:finding_new"), _post(street_category(), site=own.pk))
    assert response.status_code == 302 and Finding.objects.get().site == own


def test_the_form_reads_its_menus_with_the_same_queries_for_few_sites_and_many(client, people, district):
    client.force_login(people["inspector1"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("inspections:finding_new")).status_code == 200
        return len(queries)

    count()  # the cached reference data read once
    few = count()
    for n in range(40):
        SiteFactory(unit=district.squads[n % len(district.squads)], name=f"新增点位{n}")
    assert count() == few
