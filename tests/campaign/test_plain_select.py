"""PlainSelect writes exactly the markup of Django's Select (through the project's select.html), for any choices,
value and attributes; ChoicesOnce reads its choices once, and only when they are written."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from campaign.core.forms import ChoicesOnce, PlainSelect
from tests.factories import UnitFactory

CHOICES = [
    ("", "---------"),
    (1, "河坊街（一中队）"),
    ("2", 'A & B <"quoted"> \'single\''),
    ("街面秩序", [(3, "店外经营"), (4, "占道 & 摆卖")]),
    ("", [(5, "in a group without a label")]),
    (None, "no value"),
    (6, _("Site")),
    (7, mark_safe("<b>already safe</b>")),
    (1, "the same value again"),
    ('8"&', "a value to escape"),
]
ATTRS = {"id": "id_site", "required": True, "disabled": False, "data-propose": "1", "aria-describedby": "id_site_help",
         "hx-get": "/inspections/findings/new/checklist/?a=1&b=<2>", "class": mark_safe("x&y")}


@pytest.mark.parametrize("value", [None, "", 1, "1", "3", 4, "8\"&", "none of them", ["2", "3"]])
@pytest.mark.parametrize("attrs", [None, ATTRS])
def test_plain_select_writes_what_select_writes(value, attrs):
    assert PlainSelect(choices=CHOICES).render("site", value, attrs) == \
        forms.Select(choices=CHOICES).render("site", value, attrs)


def test_a_form_field_with_plain_select_renders_and_validates_as_with_select(db):
    units = [UnitFactory(name=f"第{n}中队 <{n}>") for n in range(3)]

    class Before(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.filter(pk__in=[u.pk for u in units[:2]]))

    class After(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.filter(pk__in=[u.pk for u in units[:2]]),
                                      widget=PlainSelect)

    for data in ({"unit": units[1].pk}, {"unit": units[2].pk}, {}):
        before, after = Before(data or None), After(data or None)
        assert str(after["unit"]) == str(before["unit"])
        assert after.is_valid() == before.is_valid() and after.errors == before.errors


def test_choices_once_are_read_when_first_written_and_then_kept():
    reads = []

    def make():
        reads.append(1)
        return [("", "---------"), (1, "一")]

    widget = PlainSelect()
    widget.choices = ChoicesOnce(make)
    assert reads == []  # assigning them reads nothing
    assert widget.use_required_attribute(None)  # looks at the first choice: an empty one
    assert widget.render("n", 2).count("<option") == 2
    assert widget.render("n", 1).count("<option") == 2
    assert reads == [1]


@pytest.mark.parametrize("filters", ["tasks", "findings"])
def test_the_list_filters_menus_are_what_select_wrote(db, rf, filters):
    """The squad's list and the findings list write their menus with PlainSelect: each menu, bound to a choice
    or to nothing, is the markup Django's Select writes for the same choices."""
    from inspections.filters import FindingFilter
    from tasks.filters import TaskFilter
    from tests.factories import leader, standard

    standard("Ⅲ-59", 1)
    units = [UnitFactory(name=f"第{n}中队 & <{n}>") for n in range(2)]
    request = rf.get("/")
    request.user = leader()
    kind = TaskFilter if filters == "tasks" else FindingFilter
    for data in (None, {"unit": units[1].pk, "status": "done", "tier": "2", "light": "red"}):
        form = kind(data, queryset=kind._meta.model.objects.none(), request=request).form
        menus = [field for field in form if isinstance(field.field.widget, PlainSelect)]
        assert len(menus) == 5
        for field in menus:
            plain = field.field.widget
            assert str(field) == field.as_widget(widget=forms.Select(attrs=plain.attrs, choices=plain.choices))
