"""Sign-in, sign-out and password change (Django's own views with our templates), and a person's channels."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ChannelSettingsForm, SignInForm
from accounts.services import user_set_channels
from campaign.core.forms import add_service_errors


class SignInView(auth_views.LoginView):
    """Django's sign-in with the lockout of ``accounts.lockout``; a locked sign-in answers 429."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", code="locked"):
            response.status_code = 429
        return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def channel_settings(request):
    """Everyone sets their own channels; nobody else's (there is no id in the address to change)."""
    form = ChannelSettingsForm.for_user(request.user, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user_set_channels(user=request.user, phone=data["phone"], notify_by_sms=data["notify_by_sms"],
                                  notify_by_email=data["notify_by_email"], quiet_from=data["quiet_from"],
                                  quiet_until=data["quiet_until"])
            except ValidationError as exc:
                request.user.refresh_from_db()  # what the page shows next is what is stored
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("channel_settings")
    return render(request, "accounts/channels.html", {"form": form}, status=status)
