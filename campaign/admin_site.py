"""The Django admin, for admins only (DESIGN.md section 6), whatever ``is_staff`` says."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    site_header = _("百日攻坚 administration")
    site_title = _("百日攻坚")

    @property
    def login_form(self):
        # The admin's own sign-in counts failures and locks like /accounts/login/.
        from accounts.forms import AdminSignInForm

        return AdminSignInForm

    def has_permission(self, request):
        from accounts.access import is_admin

        return request.user.is_active and request.user.is_staff and is_admin(request.user)


class AdminConfig(BaseAdminConfig):
    default_site = "campaign.admin_site.AdminSite"
