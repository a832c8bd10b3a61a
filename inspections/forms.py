"""Forms of the inspection pages. They shape input; the rules live in ``services`` and ``rules``."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from campaign.core.forms import ChoicesOnce, PlainSelect
from campaign.models import CheckItem, EventCategory, PointType, Site
from inspections import rules
from inspections.models import Finding, Inspection, Tier
from inspections.selectors import open_inspections_of

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one <input type=file multiple>; their content is checked by the service."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)  # the service answers "add at least one photo" with the rest
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/*", "capture": "environment", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


def local_input(value) -> str:
    return timezone.localtime(value).strftime(DATETIME_LOCAL) if value else ""


class CategoryChoiceField(forms.ModelChoiceField):
    """Sub-categories (小类) grouped under their major category (大类) as <optgroup>s."""

    def __init__(self, **kwargs):
        queryset = (EventCategory.objects.filter(parent__isnull=False, is_active=True)
                    .select_related("parent").order_by("parent__sort_order", "parent__name", "sort_order", "name"))
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.name

    def group(self) -> None:
        """Render as <optgroup>s; validation still goes through the queryset (one query each way)."""
        groups: dict[str, list] = {}
        for category in self.queryset:
            groups.setdefault(category.parent.name, []).append((category.pk, category.name))
        self.widget.choices = [("", "---------"), *groups.items()]


def site_choices(sites) -> list[tuple[int, str]]:
    """``(id, "name（unit）")`` for each site, from one query of plain values: the unit's label is its short
    name, else its name (``Unit.label``)."""
    return [(pk, f"{name}（{short or unit}）")
            for pk, name, short, unit in sites.values_list("pk", "name", "unit__short_name", "unit__name")]


def _offer(field: forms.ModelChoiceField, rows) -> None:
    """Let ``field``'s menu show its empty choice and then ``rows()``, read only if the menu is written."""
    field.widget.choices = ChoicesOnce(lambda: [("", field.empty_label), *rows()])


class InspectionStartForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    inspectors = forms.ModelMultipleChoiceField(label=_("Other inspectors"), queryset=User.objects.none(),
                                                required=False)
    target_units = forms.ModelMultipleChoiceField(label=_("Units inspected"), queryset=Unit.objects.none(),
                                                  required=False)
    target_sites = forms.ModelMultipleChoiceField(label=_("Sites inspected"), queryset=Site.objects.none(),
                                                  required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        tiers = rules.tiers_for(user)
        self.fields["tier"].choices = [(t, Tier(t).label) for t in tiers]
        self.fields["date"].initial = timezone.localdate()
        units = Unit.objects.filter(kind=Unit.Kind.SQUAD)
        sites = Site.objects.filter(is_active=True).select_related("unit")
        people = User.objects.filter(is_active=True).exclude(pk=user.pk).select_related("unit")
        if tiers == [Tier.INTERNAL]:
            units = units.filter(path__startswith=user.unit.path)
            sites = sites.filter(unit__path__startswith=user.unit.path)
            people = people.filter(unit__path__startswith=user.unit.path)
        else:
            people = people.filter(role__in=[User.Role.INSPECTOR, User.Role.LEADER])
        self.fields["inspectors"].queryset = people
        self.fields["target_units"].queryset = units
        self.fields["target_sites"].queryset = sites
        self.fields["target_sites"].label_from_instance = lambda s: f"{s.name}（{s.unit.label}）"


class CheckListForm(forms.Form):
    """Pass or fail for each check of a site's point type, built from the check list."""

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = list(checks)
        for check in self.checks:
            self.fields[f"check_{check.pk}"] = forms.TypedChoiceField(
                label=check.text, required=False, coerce=lambda v: v == "pass",
                choices=[("pass", _("Pass")), ("fail", _("Fail"))], widget=forms.RadioSelect,
            )

    def results(self) -> dict[CheckItem, bool]:
        """The answered lines only: a line left blank was not checked."""
        return {check: self.data[f"check_{check.pk}"] == "pass" for check in self.checks
                if self.data.get(f"check_{check.pk}") in ("pass", "fail")}


class FindingForm(forms.Form):
    photos = PhotosField(label=_("Photos"), help_text=_("Take or choose one or more photos."))
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False,
                                   min_value=-180, max_value=180)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False, widget=PlainSelect,
                                  help_text=_("Pick a site, or leave empty to use the location."))
    inspection = forms.ModelChoiceField(label=_("Inspection"), queryset=Inspection.objects.none(), required=False,
                                        widget=PlainSelect,
                                        help_text=_("Leave empty for a finding outside an inspection."))
    point_type = forms.ModelChoiceField(label=_("Point type"), queryset=PointType.objects.filter(is_active=True),
                                        required=False, widget=PlainSelect)
    check_item = forms.ModelChoiceField(queryset=CheckItem.objects.all(), required=False, widget=forms.HiddenInput)
    category = CategoryChoiceField(label=_("Event category"), widget=PlainSelect)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices,
                                 initial=Finding.Severity.GENERAL)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), required=False, widget=PlainSelect,
        help_text=_("Proposed from the site or the location; leave empty to accept the proposal."))
    deadline = forms.DateTimeField(
        label=_("Deadline"), required=False, widget=DateTimeLocalInput(),
        help_text=_("Proposed from the category's time limit; leave empty to accept it."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(is_active=True).select_related("unit").order_by("unit__sort_order", "name")
        units = Unit.objects.exclude(kind=Unit.Kind.BUREAU)
        if rules.tiers_for(user) == [Tier.INTERNAL]:
            sites = sites.filter(unit__path__startswith=user.unit.path)
            units = units.filter(path__startswith=user.unit.path)
        self.fields["site"].queryset = sites
        self.fields["inspection"].queryset = open_inspections_of(user)
        self.fields["responsible_unit"].queryset = units
        # The menus are read as plain values, labelled as the fields labelled instances (a site with its unit's
        # label, a unit or point type by its name), so the city's sites do not become model instances with
        # their unit on every form; what is posted is still looked up in the querysets above.
        _offer(self.fields["site"], lambda: site_choices(sites))
        _offer(self.fields["responsible_unit"], lambda: units.values_list("pk", "name"))
        _offer(self.fields["point_type"], lambda: self.fields["point_type"].queryset.values_list("pk", "name"))
        _offer(self.fields["inspection"], lambda: [(i.pk, str(i)) for i in self.fields["inspection"].queryset])
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001", "inputmode": "decimal"})
        self.fields["site"].widget.attrs["data-propose"] = "1"
        self.fields["category"].widget.attrs["data-propose"] = "1"
        self.fields["category"].group()
        self.fields["point_type"].widget.attrs.update({
            "hx-get": reverse("inspections:finding_checklist"), "hx-target": "#checklist", "hx-trigger": "change",
        })

    def check_results(self) -> dict[CheckItem, bool]:
        """The pass / fail answers of the point type's check list sent with the finding."""
        point_type = self.cleaned_data.get("point_type")
        if point_type is None:
            return {}
        answers = {}
        for check in point_type.checks.all():
            value = self.data.get(f"check_{check.pk}")
            if value in ("pass", "fail"):
                answers[check] = value == "pass"
        return answers


class RectifyForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos after rectification"), help_text=_("At least one photo."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Verification note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("Why it is not accepted"), widget=forms.Textarea(attrs={"rows": 2}))
    new_deadline = forms.DateTimeField(label=_("New deadline"), widget=DateTimeLocalInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not your unit's"), widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": _("e.g. outside our jurisdiction: the street belongs to …")}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RedispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Dispatch to"), queryset=Unit.objects.exclude(kind=Unit.Kind.BUREAU)
                                  .order_by("sort_order", "code"), widget=PlainSelect,
                                  empty_label=_("Choose a unit…"))
    deadline = forms.DateTimeField(label=_("New deadline"), widget=DateTimeLocalInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionAskForm(forms.Form):
    deadline = forms.DateTimeField(label=_("Proposed deadline"), widget=DateTimeLocalInput())
    reason = forms.CharField(label=_("Why more time is needed"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
                                 widget=forms.RadioSelect)
    deadline = forms.DateTimeField(label=_("Deadline granted"), required=False, widget=DateTimeLocalInput(),
                                   help_text=_("Leave empty to grant the deadline asked for."))
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Needed when refusing."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CorrectForm(forms.Form):
    """What the inspector may still correct before the unit acts; a field left as it was is not a change."""

    category = CategoryChoiceField(label=_("Event category"), widget=PlainSelect)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices, widget=PlainSelect)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].group()

    @staticmethod
    def changes(data: dict, finding: Finding) -> dict:
        """The corrected fields of ``data`` (cleaned) that differ from ``finding``."""
        return {name: data[name] for name in ("category", "description", "severity", "address")
                if data[name] != getattr(finding, name)}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why it is withdrawn"), widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": _("e.g. logged twice by mistake")}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Hand to"), queryset=User.objects.none(), widget=PlainSelect,
                                    empty_label=_("Choose a person…"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, finding: Finding | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The menu offers the unit's people by name; who may handle it is the service's rule (``rules.can_handle``),
        # so a posted form looks the person up among everyone who could be one.
        people = User.objects.filter(is_active=True, role__in=[User.Role.SQUAD_LEADER, User.Role.MEMBER])
        if finding is not None:
            people = people.filter(unit__path__startswith=finding.responsible_unit.path)
        self.fields["person"].queryset = people.order_by("role", "full_name").only(
            "username", "full_name", "first_name", "last_name", "role")
