from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Units and people")

    def ready(self):
        from accounts.models import Unit
        from campaign.core import cache

        cache.flush_on_change(Unit, lambda: [cache.unit_paths_key()])
