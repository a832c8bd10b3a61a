"""The Celery app. Job functions live in each app's ``jobs.py``."""

import os

from celery import Celery

from campaign.schedules import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")

app = Celery("campaign")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    # Every periodic schedule is defined in one place: campaign/schedules.py.
    sender.conf.beat_schedule = beat_schedule()
