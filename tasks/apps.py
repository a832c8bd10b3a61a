from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Responsibility lists")

    def ready(self):
        from campaign.fragments import watch
        from tasks.models import Task

        watch(links=(Task.standards.through,))  # the task filter offers the standards tasks use
