from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from reports.models import AgendaItem, Delivery, Meeting, Robot


class WeekForm(forms.Form):
    """Which week to write: an ISO week, entered as a date inside it."""

    day = forms.DateField(label=_("A day in the week"), widget=forms.DateInput(attrs={"type": "date"}))


class VersionForm(forms.Form):
    """The version of the object the form was opened on: a change against an older one is refused."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)


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


def agenda_items(formset) -> list[dict]:
    """The new and changed agenda items of a valid formset, as values (``id`` for an existing item)."""
    removed = set(formset.deleted_forms)
    return [{"id": form.instance.pk, **{name: form.cleaned_data.get(name) for name in form._meta.fields}}
            for form in formset.forms if form not in removed and form.has_changed()]


def removed_items(formset) -> list[int]:
    return [form.instance.pk for form in formset.deleted_forms if form.instance.pk]


class RobotForm(forms.ModelForm):
    """A group robot; the webhook's whole address may be pasted where the key goes."""

    class Meta:
        model = Robot
        fields = ["unit", "name", "kind", "key", "secret", "enabled"]
        widgets = {"key": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                   "secret": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("path")

    def clean_key(self):
        key = self.cleaned_data["key"].strip()
        if "://" in key:  # …/webhook/send?key=K or …/robot/send?access_token=T
            query = parse_qs(urlsplit(key).query)
            key = (query.get("key") or query.get("access_token") or [""])[0]
        return key

    def clean_secret(self):
        return self.cleaned_data["secret"].strip()


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("Any status")), *Delivery.Status.choices])
    channel = forms.ChoiceField(label=_("channel"), required=False,
                                choices=[("", _("Any channel")), *Delivery.Channel.choices])
