from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Three-tier inspection")

    def ready(self):
        from campaign.fragments import watch
        from inspections.models import Finding
        from inspections.selectors import FINDINGS

        watch(Finding, name=FINDINGS)  # cached counts of the findings lists (inspections.views.finding_list)
