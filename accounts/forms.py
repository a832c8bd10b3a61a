"""Sign-in forms that count failures and refuse locked usernames (accounts.lockout)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts import lockout


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
