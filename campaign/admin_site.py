"""The Django admin, for admins only (DESIGN.md section 6), whatever ``is_staff`` says.

Django imports this module when the admin site is first used, after every app is ready
(``campaign.apps.AdminConfig.default_site``).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.access import is_admin
from accounts.forms import AdminSignInForm


class AdminSite(admin.AdminSite):
    site_header = _("百日攻坚 administration")
    site_title = _("百日攻坚")
    # The admin's own sign-in counts failures and locks like /accounts/login/.
    login_form = AdminSignInForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_staff and is_admin(request.user)
