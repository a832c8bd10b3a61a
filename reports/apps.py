from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Bulletins and meetings")

    def ready(self):
        from campaign.core import navigation, seeding
        from reports import demo
        from reports import navigation as entries

        navigation.register(self.label, entries.entries)
        # Last: the bulletins of the past weeks count the tasks and findings the other steps made.
        seeding.register(self.label, order=90, demo=demo.seed)
