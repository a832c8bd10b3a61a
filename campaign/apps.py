from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign and evaluation framework")

    def ready(self):
        # Celery discovers each app's jobs.py lazily, when a *worker* starts. A web process queues jobs
        # too (the outbox looks them up by name), so it must import them as well, once the models are ready.
        from campaign.celery import app

        app.autodiscover_tasks(related_name="jobs", force=True)

        # The framework, categories, sites and point types show on cached list pages (campaign/fragments.py).
        from campaign.fragments import watch
        from campaign.models import JobHeartbeat

        watch(*(model for model in self.get_models() if model is not JobHeartbeat))
