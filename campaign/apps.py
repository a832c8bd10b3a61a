from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    default = True  # this module also holds the admin's config (below), named in INSTALLED_APPS
    name = "campaign"
    verbose_name = _("Campaign and evaluation framework")

    def ready(self):
        # Celery discovers each app's jobs.py lazily, when a *worker* starts. A web process queues jobs
        # too (the outbox looks them up by name), so it must import them as well, once the models are ready.
        from campaign.celery import app

        app.autodiscover_tasks(related_name="jobs", force=True)

        from campaign import navigation as entries
        from campaign.core import cache, navigation
        from campaign.models import Campaign, Framework

        navigation.register(self.label, entries.entries)

        for model in (Campaign, Framework):  # the cached campaigns carry their framework
            cache.flush_on_change(model, lambda: [cache.campaigns_key()])


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the project's own site class (campaign/admin_site.py)."""

    default = False
    default_site = "campaign.admin_site.AdminSite"
