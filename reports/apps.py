from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Bulletins and meetings")

    def ready(self):
        from campaign.core import navigation
        from reports import navigation as entries

        navigation.register(self.label, entries.entries)
