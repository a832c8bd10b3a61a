from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Bulletins and meetings")

    def ready(self):
        from campaign.core import navigation, seeding, todo
        from reports import demo
        from reports import navigation as entries
        from reports import todo as work

        navigation.register(self.label, entries.entries)
        todo.register(self.label, work.Meetings(), order=30)
        # Last: the bulletins of the past weeks count the tasks and findings the other steps made.
        seeding.register(self.label, order=90, demo=demo.seed)
