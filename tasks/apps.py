from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Responsibility lists")

    def ready(self):
        from campaign.core import navigation, seeding, todo
        from tasks import demo
        from tasks import navigation as entries
        from tasks import todo as work
        from tasks.seeding import seed_large

        navigation.register(self.label, entries.entries)
        todo.register(self.label, work.Tasks(), order=20)
        # The responsibility list needs only the district; inspections neither read it nor are read by it.
        seeding.register(self.label, order=10, demo=demo.seed, large=seed_large)
