from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Bulletins and meetings")

    def ready(self):
        from campaign.fragments import watch
        from campaign.navigation import NOTICES
        from reports.models import Notice

        watch(Notice, name=NOTICES)  # the top bar's unread count is cached (campaign/navigation.py)
