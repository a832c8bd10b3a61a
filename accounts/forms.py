"""Sign-in forms that count failures and refuse locked usernames (accounts.lockout), and a person's channels."""

import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import lockout
from accounts.models import normalise_mobile, validate_mobile


class LockoutMixin:
    """Checks the lockout before the password is even tried, and records every failure.

    A locked username is refused without checking the password, so guessing
    while locked learns nothing. The failure that reaches the limit already
    shows the lockout message, so the person knows why the next try is refused.
    """

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = lockout.client_address(self.request)
        if username and lockout.signin_locked(username=username, address=address):
            raise ValidationError(lockout.lockout_message(), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if username and self.cleaned_data.get("password"):
                lockout.signin_failure_record(username=username, address=address)
                if lockout.signin_locked(username=username, address=address):
                    raise ValidationError(lockout.lockout_message(), code="locked") from None
            raise
        if username:
            lockout.signin_success(username=username, address=address)
        return cleaned


class SignInForm(LockoutMixin, AuthenticationForm):
    pass


class AdminSignInForm(LockoutMixin, AdminAuthenticationForm):
    pass


class ChannelSettingsForm(forms.Form):
    """A person's channels: SMS and email on or off, quiet hours for SMS, and their mobile number."""

    phone = forms.CharField(label=_("Mobile number"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                          "autocomplete": "tel", "placeholder": "13812345678"}))
    notify_by_sms = forms.BooleanField(label=_("Send me SMS"), required=False)
    notify_by_email = forms.BooleanField(label=_("Send me email"), required=False)
    quiet_hours = forms.BooleanField(label=_("Quiet hours: no SMS at night (escalations still come)"),
                                     required=False)
    quiet_from = forms.TimeField(label=_("Quiet from"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_until = forms.TimeField(label=_("Quiet until"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    @classmethod
    def for_user(cls, user, data=None):
        return cls(data, initial={
            "phone": user.phone, "notify_by_sms": user.notify_by_sms, "notify_by_email": user.notify_by_email,
            "quiet_hours": user.quiet_from is not None,
            "quiet_from": user.quiet_from or datetime.time(22, 0),
            "quiet_until": user.quiet_until or datetime.time(7, 0),
        })

    def clean_phone(self):
        phone = normalise_mobile(self.cleaned_data["phone"])
        if phone:
            validate_mobile(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notify_by_sms") and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("SMS needs a mobile number."))
        if not cleaned.get("quiet_hours"):
            cleaned["quiet_from"] = cleaned["quiet_until"] = None
        elif cleaned.get("quiet_from") is None or cleaned.get("quiet_until") is None:
            self.add_error("quiet_until", _("Quiet hours need a start and an end, or neither."))
        return cleaned
