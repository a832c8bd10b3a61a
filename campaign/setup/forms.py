"""Forms of the admin's set-up pages.

They are plain ModelForms: the rules live on the models (``clean`` and named
constraints) and in the services the views call, so a form only shapes input
for a phone (date pickers, numeric keypads, short selects) and turns the
model's messages into field errors.
"""

from __future__ import annotations

import json
import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User, normalise_mobile
from accounts.selectors import unit_for_point
from campaign.models import (
    WEIGHT_FIELDS,
    Campaign,
    CheckItem,
    Content,
    EventCategory,
    NegativeListItem,
    PointType,
    Site,
    Standard,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _number(step: str = "1", **attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": step, "inputmode": "decimal" if "." in step else "numeric", **attrs})


class BoundaryField(forms.JSONField):
    """A polygon typed or pasted as ``[[lat, lon], …]``; the model's ``clean`` checks its shape."""

    default_error_messages = {
        "invalid": _("The boundary is not valid JSON: write it as [[latitude, longitude], …]."),
    }

    def prepare_value(self, value):
        # One point per line reads better on a phone than one long JSON line.
        if isinstance(value, list) and value:
            return "[\n" + ",\n".join(json.dumps(point) for point in value) + "\n]"
        return super().prepare_value(value)

    def to_python(self, value):
        value = super().to_python(value)
        return [] if value in (None, "") else value


class UnitForm(forms.ModelForm):
    boundary = BoundaryField(
        label=_("boundary"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Jurisdiction boundary as [[latitude, longitude], …], at least three points. "
                    "Leave empty for a unit without a jurisdiction."),
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "supervisor", "jurisdiction", "boundary",
                  "sort_order"]
        widgets = {
            "jurisdiction": forms.Textarea(attrs={"rows": 3}),
            "sort_order": _number(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every unit stays a choice (even this one) so a loop is refused with the model's own words.
        self.fields["parent"].queryset = Unit.objects.order_by("path")


class PersonForm(forms.ModelForm):
    """Role, unit and designation of a person; the model's ``clean`` says which combinations are wrong."""

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "unit", "title", "phone", "email", "is_tier3_inspector",
                  "is_active"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        self.fields["unit"].required = False  # the model says why a unit is needed, in its own words

    def clean_phone(self):
        return normalise_mobile(self.cleaned_data["phone"])  # the model's validator then checks what is left


class PeopleImportForm(forms.Form):
    """The roster file, and the password people new to the app start with (they change it on first use)."""

    file = forms.FileField(label=_("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    password = forms.CharField(
        label=_("initial password for new people"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Needed only when the sheet adds people; people already here keep theirs."))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if password:
            password_validation.validate_password(password)
        return password


class PasswordFieldsMixin(forms.Form):
    """A new password typed twice and checked by the site's password validators."""

    password1 = forms.CharField(label=_("password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def password_user(self) -> User:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.password_user())
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PersonCreateForm(PasswordFieldsMixin, PersonForm):
    class Meta(PersonForm.Meta):
        pass

    def password_user(self) -> User:
        # The similarity validator compares with the name being typed, not an empty user.
        user = self.instance
        for name in ("username", "full_name", "email"):
            if name in self.cleaned_data:
                setattr(user, name, self.cleaned_data[name])
        return user


class PasswordResetForm(PasswordFieldsMixin):
    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def password_user(self) -> User:
        return self.user


class CampaignForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("time zone"), choices=())

    class Meta:
        model = Campaign
        fields = ["name", "framework", "start_date", "end_date", "evaluation_date", "timezone",
                  "rebound_radius_m", "rebound_window_days", *WEIGHT_FIELDS, "bulletin_weekday",
                  "bulletin_hour", "meeting_day", "meeting_days_ahead", "escalation_days"]
        widgets = {
            "start_date": DATE, "end_date": DATE, "evaluation_date": DATE,
            **{name: _number() for name in ("rebound_radius_m", "rebound_window_days", *WEIGHT_FIELDS,
                                            "bulletin_hour", "meeting_day", "meeting_days_ahead",
                                            "escalation_days")},
        }

    WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["bulletin_weekday"] = forms.TypedChoiceField(
            label=self.fields["bulletin_weekday"].label, choices=self.WEEKDAYS, coerce=int)


class ContentForm(forms.ModelForm):
    class Meta:
        model = Content
        fields = ["name", "bureau_scope"]


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["text", "bureau_scope"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class NegativeListItemForm(forms.ModelForm):
    class Meta:
        model = NegativeListItem
        fields = ["code", "text", "penalty"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "penalty": forms.Textarea(attrs={"rows": 2})}


class PointTypeForm(forms.ModelForm):
    class Meta:
        model = PointType
        fields = ["name", "sort_order", "is_active"]
        widgets = {"sort_order": _number()}


class CheckItemForm(forms.ModelForm):
    class Meta:
        model = CheckItem
        fields = ["text", "content", "standard", "reference", "sort_order"]
        # Checks are sentences: a short textarea shows them whole on a phone.
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "maxlength": 300}), "sort_order": _number()}

    def clean(self):
        cleaned = super().clean()
        content, standard = cleaned.get("content"), cleaned.get("standard")
        if standard and content and standard.content_id != content.pk:
            self.add_error("standard", _("Standard %(code)s does not belong to content %(content)s.") % {
                "code": standard.code, "content": content.code})
        return cleaned


class BaseCheckItemFormSet(forms.BaseInlineFormSet):
    """Check items of one point type; the content and standard menus are read once for every row."""

    def __init__(self, *args, contents: QuerySet[Content], standards: QuerySet[Standard], **kwargs):
        self._content_choices = [("", "---------"), *((c.pk, str(c)) for c in contents)]
        self._standard_choices = [("", "---------"), *((s.pk, f"{s.code} {s.text[:40]}") for s in standards)]
        self._contents, self._standards = contents, standards
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        self._share_choices(form)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        self._share_choices(form)
        return form

    def _share_choices(self, form):
        form.fields["content"].queryset = self._contents
        form.fields["content"].choices = self._content_choices
        form.fields["standard"].queryset = self._standards
        form.fields["standard"].choices = self._standard_choices


CheckItemFormSet = forms.inlineformset_factory(
    PointType, CheckItem, form=CheckItemForm, formset=BaseCheckItemFormSet, extra=2, can_delete=True,
)


class SiteForm(forms.ModelForm):
    """A site on the map. Left without a unit, it is given the one whose jurisdiction holds it, for a second look."""

    class Meta:
        model = Site
        fields = ["name", "point_type", "unit", "address", "latitude", "longitude", "marked_line_zone", "is_active"]
        widgets = {
            "latitude": _number("0.000001", min="-90", max="90"),
            "longitude": _number("0.000001", min="-180", max="180"),
        }

    proposed_unit: Unit | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].required = False
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        self.fields["unit"].help_text = _("Leave empty to be offered the unit whose jurisdiction holds the site.")

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if cleaned.get("unit") is None and lat is not None and lon is not None:
            self.proposed_unit = unit_for_point(lat, lon)
            if self.proposed_unit is None:
                self.add_error("unit", _("These coordinates lie outside every squad's jurisdiction."))
            else:
                # Shown selected on the re-rendered form: the admin confirms by saving again.
                self.data = self.data.copy()
                self.data[self.add_prefix("unit")] = str(self.proposed_unit.pk)
                self.add_error("unit", _("These coordinates lie in %(unit)s's jurisdiction: it is now selected. "
                                         "Check it and save again.") % {"unit": self.proposed_unit.name})
        return cleaned


class MajorCategoryForm(forms.ModelForm):
    class Meta:
        model = EventCategory
        fields = ["name", "sort_order", "is_active"]
        widgets = {"sort_order": _number()}

    def clean_name(self):
        # The conditional unique constraint would only say "constraint … is violated"; say it in words.
        name = self.cleaned_data["name"]
        if EventCategory.objects.filter(parent__isnull=True, name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already a 大类 named %(name)s.") % {"name": name})
        return name


class MinorCategoryForm(forms.ModelForm):
    class Meta:
        model = EventCategory
        fields = ["parent", "name", "time_limit_hours", "sort_order", "is_active"]
        widgets = {"time_limit_hours": _number(min="1"), "sort_order": _number()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.required = True
        parent.queryset = EventCategory.objects.filter(parent__isnull=True).order_by("sort_order", "name")
        parent.error_messages["invalid_choice"] = _("Categories have two levels: choose a 大类 as the parent.")
        self.fields["time_limit_hours"].required = True


# --- list filters (GET forms) --------------------------------------------------------------


class PeopleFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.order_by("path"), required=False)
    role = forms.ChoiceField(label=_("role"), choices=[("", _("All roles")), *User.Role.choices], required=False)
    q = forms.CharField(label=_("search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name, username, phone")}))


class SiteFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.order_by("path"), required=False)
    point_type = forms.ModelChoiceField(label=_("point type"), queryset=PointType.objects.all(), required=False)
