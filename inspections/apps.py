from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Three-tier inspection")

    def ready(self):
        from campaign.core import navigation
        from inspections import navigation as entries

        navigation.register(self.label, entries.entries)
