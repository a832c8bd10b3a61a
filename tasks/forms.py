"""Forms for the task pages. They collect and shape input; the rules live in ``tasks.services``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.access import can_act_in_all_units, units_actionable_by
from accounts.models import Unit, User
from campaign.models import Campaign, Standard
from tasks.models import Task

EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by ``campaign.core.uploads`` in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > 10:
            raise forms.ValidationError(_("Send at most 10 files at a time."))
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class VersionedForm(forms.Form):
    """Carries the version the person saw, so a concurrent change is caught (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UpdateForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, required=False,
                                  widget=forms.NumberInput(attrs={"step": 5, "inputmode": "numeric"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Needed when marking done without evidence, and when blocked: the reason."))
    files = MultipleFileField(
        label=_("Photos or files"),
        help_text=_("Photos (JPEG, PNG, WebP), PDF, Word or Excel; up to %(mb)s MB each.")
        % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is not None and task.has_children():
            # A parent's progress is worked out from its items; only its status and notes are set by hand.
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = _("Worked out from the task's items.")


class AssignForm(VersionedForm):
    responsible = forms.ModelChoiceField(label=_("Give to"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["responsible"].queryset = people
        self.fields["responsible"].label_from_instance = _person_label


class ReopenForm(VersionedForm):
    note = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


def _person_label(user: User) -> str:
    unit = user.unit.label if user.unit_id else ""
    return f"{user.display_name}（{unit}）" if unit else user.display_name


class TaskForm(forms.Form):
    """Create, split or edit a task. ``parent`` narrows the units to the parent's for personal items."""

    content = forms.CharField(label=_("Task"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    criteria = forms.CharField(label=_("Acceptance criteria"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    supervisor = forms.ModelChoiceField(label=_("Supervising leader"), queryset=User.objects.none(), required=False)
    standards = forms.ModelMultipleChoiceField(label=_("Evaluation standards"), queryset=Standard.objects.none(),
                                               required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user: User, campaign: Campaign, parent: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_actionable_by(user)
        if parent is not None and parent.level == Task.Level.UNIT:
            units = units.filter(path__startswith=parent.unit.path)
        self.fields["unit"].queryset = units.order_by("sort_order", "code")
        people = User.objects.filter(is_active=True, unit__isnull=False).select_related("unit")
        if not can_act_in_all_units(user):
            people = people.filter(unit__path__startswith=user.unit.path if user.unit_id else "-")
        if parent is not None and parent.level == Task.Level.UNIT:
            people = people.filter(unit__path__startswith=parent.unit.path)
        self.fields["responsible"].queryset = people.order_by("unit__sort_order", "full_name")
        self.fields["responsible"].label_from_instance = _person_label
        self.fields["supervisor"].queryset = User.objects.filter(
            is_active=True, role__in=[User.Role.LEADER, User.Role.ADMIN]).order_by("full_name")
        self.fields["standards"].queryset = Standard.objects.filter(framework=campaign.framework_id).order_by(
            "content__sort_order", "number")
        self.fields["standards"].label_from_instance = lambda s: f"{s.code} {s.text[:30]}"
        self.fields["deadline"].widget.attrs.update(min=campaign.start_date.isoformat(),
                                                    max=(parent.deadline if parent else campaign.end_date).isoformat())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("content", "criteria", "deadline", "unit", "responsible",
                                              "supervisor")} | {"standards": list(data["standards"])}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class ExportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    responsible = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
