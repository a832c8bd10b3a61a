from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Responsibility lists")

    def ready(self):
        from campaign.core import navigation
        from tasks import navigation as entries

        navigation.register(self.label, entries.entries)
