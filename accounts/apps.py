from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Units and people")

    def ready(self):
        from accounts.models import Unit, User
        from campaign.fragments import watch

        watch(Unit, User)  # names and units show on cached list pages (campaign/fragments.py)
