"""百日攻坚: the project package and the campaign / evaluation-framework domain app."""

from campaign.celery import app as celery_app

__all__ = ["celery_app"]
