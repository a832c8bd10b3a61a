from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from reports.models import AgendaItem, Meeting


class WeekForm(forms.Form):
    """Which week to write: an ISO week, entered as a date inside it."""

    day = forms.DateField(label=_("A day in the week"), widget=forms.DateInput(attrs={"type": "date"}))


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "date", "location"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["order", "kind", "title", "unit", "speaker", "minutes", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("sort_order", "code")
        self.fields["speaker"].queryset = User.objects.filter(is_active=True).select_related("unit").order_by(
            "unit__sort_order", "username")


AgendaFormSet = forms.inlineformset_factory(
    Meeting, AgendaItem, form=AgendaItemForm, extra=1, can_delete=True,
)
