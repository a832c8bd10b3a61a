from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Three-tier inspection")

    def ready(self):
        from campaign.core import navigation, seeding, todo
        from inspections import demo
        from inspections import navigation as entries
        from inspections import todo as work
        from inspections.seeding import seed_large

        navigation.register(self.label, entries.entries)
        todo.register(self.label, work.Findings(), order=10)
        seeding.register(self.label, order=20, demo=demo.seed, large=seed_large)
